"""The embedded shared cache: diskcache's Django backend, opened once per process.

diskcache keeps the cache in SQLite files in one directory, so every process on the machine (the
uvicorn workers, `sync_orders`) shares it, and its add and incr are SQLite transactions: atomic
across processes, as Redis's are. Django builds a new cache object for every ASGI request, and
`diskcache.DjangoCache` opens and sets up all of its shards' databases when it is built (measured:
9 ms with 8 shards, more than a whole warm page). Here the shards are opened once per process and
every cache object of that process uses them; each thread still opens its own SQLite connection.
"""

from __future__ import annotations

import threading

from diskcache import DjangoCache, FanoutCache
from django.core.cache.backends.base import BaseCache

# One SQLite file. Under ASGI each request runs in a new thread, which opens its own connection to
# each shard it touches (0.3-0.4 ms each): with diskcache's 8 shards a polled status request cost
# 1.6 ms of cache time, with one 0.9 ms. One writer at a time is plenty for one machine's workers
# (4 processes counting at once: 7,400 writes/s on one shard, on a busy machine; 20,000 on 8).
SHARDS = 1
# SQLite's busy timeout. diskcache's own 10 ms makes a read that meets a busy writer give up and
# answer "missing", which for the catalog cache means an upstream call; a write then retries.
DATABASE_TIMEOUT = 1.0

_process_caches: dict[tuple, FanoutCache] = {}
_process_caches_lock = threading.Lock()


def process_cache(directory: str, *, shards: int, timeout: float, options: dict) -> FanoutCache:
    """Return this process's FanoutCache on `directory`, opening it on first use."""
    identity = (str(directory), shards, timeout, tuple(sorted(options.items())))
    with _process_caches_lock:
        fanout = _process_caches.get(identity)
        if fanout is None:
            # FanoutCache creates the directory (and var/ above it) when it is missing.
            fanout = _process_caches[identity] = FanoutCache(directory, shards, timeout, **options)
    return fanout


class SharedDiskCache(DjangoCache):
    """The cache behind the default CACHE_URL: diskcache on a directory, its shards opened once."""

    def __init__(self, directory: str, params: dict) -> None:
        # Not DjangoCache.__init__: it would open every shard again for this request.
        BaseCache.__init__(self, params)
        self._cache = process_cache(
            directory,
            shards=params.get("SHARDS", SHARDS),
            timeout=params.get("DATABASE_TIMEOUT", DATABASE_TIMEOUT),
            options=params.get("OPTIONS", {}),
        )

    def get(self, key, default=None, version=None, read=False, expire_time=False, tag=False, retry=True):
        """Return the value of `key`; unlike diskcache's default, wait out a busy writer."""
        return super().get(key, default, version, read, expire_time, tag, retry)

    def close(self, **kwargs) -> None:
        """Keep this thread's SQLite connections open: Django closes every cache after each request.

        Reopening them cost each request that touched the cache a connect, its pragmas and, when it
        was the machine's last connection, a WAL checkpoint: 0.3-0.7 ms, more than a kept page.
        """
