"""Redis through django-redis: one connection pool per process, and the one-round-trip window counter."""

from __future__ import annotations

import time
import uuid

import pytest
from django.conf import settings
from django_redis.cache import RedisCache

from storefront.window_counter import count_in_window

pytestmark = pytest.mark.skipif(
    "redis" not in settings.CACHES["default"]["BACKEND"].lower(),
    reason="needs Redis: set CACHE_URL=redis://… (CI's second run does)",
)


def new_cache(**params) -> RedisCache:
    """Return a cache object as Django builds one for each request (under ASGI: each context)."""
    return RedisCache(settings.CACHES["default"]["LOCATION"], params)


@pytest.fixture
def redis_cache():
    return new_cache(KEY_PREFIX=f"t{uuid.uuid4().hex}")


def test_redis_url_selects_django_redis():
    assert settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"


def test_window_counter_counts_then_starts_again_after_the_window(redis_cache):
    counts = [count_in_window(redis_cache, "k", window_seconds=1).count for _ in range(3)]
    assert counts == [1, 2, 3]
    assert redis_cache.get("k") == 3, "the counter is an ordinary cache value"
    time.sleep(1.2)
    assert count_in_window(redis_cache, "k", window_seconds=1).count == 1


def test_window_counter_tells_the_seconds_left_in_the_window_not_the_whole_window(redis_cache):
    assert count_in_window(redis_cache, "k", window_seconds=10).seconds_left == 10
    time.sleep(2.1)
    assert count_in_window(redis_cache, "k", window_seconds=10).seconds_left <= 8


def test_a_counter_left_without_expiry_gets_the_window_again(redis_cache):
    # What INCR leaves when the counter expires between SET NX and INCR.
    client = redis_cache.client.get_client(write=True)
    client.set(redis_cache.client.make_key("k"), 5)
    assert count_in_window(redis_cache, "k", window_seconds=30).count == 6
    assert 0 < client.ttl(redis_cache.client.make_key("k")) <= 30


def test_cache_objects_of_different_requests_share_one_connection_pool():
    first, second = new_cache(), new_cache()
    first.set("shared", 1)
    assert second.get("shared") == 1
    assert first.client.get_client().connection_pool is second.client.get_client().connection_pool
