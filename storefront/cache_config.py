"""Read CACHE_URL into Django's CACHES["default"]: Redis through django-redis, else the disk cache.

Without CACHE_URL the default cache is diskcache on a directory in var/, shared by every process
on the machine (uvicorn workers, sync_orders), so rate limits, the per-order refresh lock and the
catalog cache hold across processes on one machine as they do with Redis across machines. A
local-memory cache would be one per process, and with 2 workers every one of them would be split.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import environ

REDIS_BACKEND = "django_redis.cache.RedisCache"
REDIS_CLIENT = "storefront.redis_client.ProcessRedisClient"
DISK_BACKEND = "storefront.disk_cache.SharedDiskCache"


def default_cache(url: str, *, disk_directory: Path) -> dict:
    """Return the CACHES["default"] entry for CACHE_URL `url` ("" means the disk cache in `disk_directory`).

    `diskcache:///path` names another directory for the disk cache; `redis://` and `rediss://`
    select django-redis; any other scheme is django-environ's (`locmemcache://`, `dbcache://`, …).
    """
    if not url:
        return {"BACKEND": DISK_BACKEND, "LOCATION": str(disk_directory)}
    parts = urlsplit(url)
    if parts.scheme == "diskcache":
        return {"BACKEND": DISK_BACKEND, "LOCATION": parts.netloc + parts.path}
    if parts.scheme in ("redis", "rediss"):
        config = environ.Env.cache_url_config(url, backend=REDIS_BACKEND)
        config.setdefault("OPTIONS", {}).setdefault("CLIENT_CLASS", REDIS_CLIENT)
        return config
    return environ.Env.cache_url_config(url)
