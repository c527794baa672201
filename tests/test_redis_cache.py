"""The Redis cache backend: one client per pool and a one-round-trip window counter."""

from __future__ import annotations

import time
import uuid

import pytest
from django.conf import settings

from storefront.redis_cache import SharedRedisCache

pytestmark = pytest.mark.skipif(
    "redis" not in settings.CACHES["default"]["BACKEND"].lower(),
    reason="needs Redis: set CACHE_URL=redis://… (CI's second run does)",
)


@pytest.fixture
def redis_cache():
    return SharedRedisCache(settings.CACHES["default"]["LOCATION"], {"KEY_PREFIX": f"t{uuid.uuid4().hex}"})


def test_redis_url_selects_the_shared_backend():
    assert settings.CACHES["default"]["BACKEND"] == "storefront.redis_cache.SharedRedisCache"


def test_window_counter_counts_then_starts_again_after_the_window(redis_cache):
    assert [redis_cache.count_in_window("k", window_seconds=1) for _ in range(3)] == [1, 2, 3]
    assert redis_cache.get("k") == 3, "the counter is an ordinary cache value"
    time.sleep(1.2)
    assert redis_cache.count_in_window("k", window_seconds=1) == 1


def test_one_redis_client_serves_every_call(redis_cache):
    redis_cache.set("a", "x")
    assert redis_cache._cache.get_client("a") is redis_cache._cache.get_client("b", write=True)
    assert redis_cache.get("a") == "x"


def test_cache_objects_of_different_requests_share_one_connection_pool():
    location = settings.CACHES["default"]["LOCATION"]
    first, second = SharedRedisCache(location, {}), SharedRedisCache(location, {})
    first.set("shared", 1)
    assert second.get("shared") == 1
    assert first._cache is second._cache
