"""The default cache: diskcache in var/cache, one per machine, exact across processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from process_support import results_of_processes

from storefront.cache_config import default_cache
from storefront.disk_cache import SharedDiskCache
from storefront.window_counter import count_in_window

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = 4
ROUNDS = 500


def test_without_cache_url_the_shop_caches_on_disk_in_var():
    env = {k: v for k, v in os.environ.items() if k != "CACHE_URL"}
    printed = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.CACHES['default'])"],
        cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "storefront.settings"},
        capture_output=True, text=True, check=True,
    ).stdout
    assert "storefront.disk_cache.SharedDiskCache" in printed
    assert repr(str(ROOT / "var" / "cache")) in printed


def test_this_test_run_keeps_its_cache_out_of_var():
    assert not str(settings.CACHES["default"]["LOCATION"]).startswith(str(ROOT / "var"))
    if isinstance(caches["default"], SharedDiskCache):
        assert not Path(caches["default"].directory).is_relative_to(ROOT / "var")


def test_cache_urls_select_redis_through_django_redis_or_another_disk_folder(tmp_path):
    redis = default_cache("redis://127.0.0.1:6379/2", disk_directory=tmp_path)
    assert redis == {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://127.0.0.1:6379/2",
                     "OPTIONS": {"CLIENT_CLASS": "storefront.redis_client.ProcessRedisClient"}}
    disk = default_cache(f"diskcache://{tmp_path}/c", disk_directory=tmp_path)
    assert disk == {"BACKEND": "storefront.disk_cache.SharedDiskCache", "LOCATION": f"{tmp_path}/c"}
    assert default_cache("locmemcache://x", disk_directory=tmp_path)["BACKEND"].endswith("LocMemCache")


def test_cache_objects_of_different_requests_share_the_process_cache(tmp_path):
    first, second = SharedDiskCache(str(tmp_path), {}), SharedDiskCache(str(tmp_path), {})
    assert first._cache is second._cache
    first.set("k", "v")
    assert second.get("k") == "v"


def count_and_lock(directory: str, barrier, results) -> None:
    """In another process: count ROUNDS events in one window and try to take ROUNDS locks."""
    cache = SharedDiskCache(directory, {})
    barrier.wait()
    taken = 0
    for n in range(ROUNDS):
        count_in_window(cache, "counter", window_seconds=60)
        taken += cache.add(f"lock:{n}", 1, timeout=60)
    results.put(taken)


def test_counts_and_locks_are_exact_across_processes(tmp_path):
    taken = results_of_processes(count_and_lock, PROCESSES, str(tmp_path))
    cache = SharedDiskCache(str(tmp_path), {})
    # Django's database cache, measured the same way, kept 41 % of the counts and gave 554 of 500 locks.
    assert cache.get("counter") == PROCESSES * ROUNDS
    assert sum(taken) == ROUNDS, "each lock is taken by exactly one process"
