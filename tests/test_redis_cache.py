"""Redis through django-redis: one connection pool per process, and the one-round-trip window counter."""

from __future__ import annotations

import subprocess
import threading
import time
import uuid

import httpx
import pytest
import redis
from cluster.cluster_stack import PY, ROOT, Cluster, claim_redis_db, cluster_environment, wait_until_up
from django.conf import settings
from django_redis.cache import RedisCache
from process_support import free_port, wait_for, worker_pids

from storefront.window_counter import count_in_window

pytestmark = pytest.mark.skipif(
    "redis" not in settings.CACHES["default"]["BACKEND"].lower(),
    reason="needs Redis: set CACHE_URL=redis://… (CI's second run does)",
)


def new_cache(**params) -> RedisCache:
    """Return a cache object as Django builds one for each request (under ASGI: each context)."""
    configured = {k: v for k, v in settings.CACHES["default"].items() if k not in ("BACKEND", "LOCATION")}
    return RedisCache(settings.CACHES["default"]["LOCATION"], {**configured, **params})


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


def test_cache_objects_of_different_requests_share_one_client_and_its_pool():
    first, second = new_cache(), new_cache()
    first.set("shared", 1)
    assert second.get("shared") == 1
    # One redis.Redis per process: building one for each request cost about 200 µs.
    assert first.client.get_client() is second.client.get_client(write=False)
    assert first.client.get_client().connection_pool is second.client.get_client().connection_pool


# -- under uvicorn: each request its own context, one pool per worker all the same ---------------------

WORKERS = 2
REQUESTS = 200


@pytest.fixture
def redis_shop(tmp_path):
    """Serve the shop with 2 workers on a Redis database of its own; yield its URL and that database."""
    location = settings.CACHES["default"]["LOCATION"]
    tail = location.rstrip("/").rsplit("/", 1)[-1]
    cache_url, release = claim_redis_db(location, avoid=int(tail) if tail.isdigit() else 0)
    env = cluster_environment(tmp=tmp_path, database=f"sqlite:///{tmp_path / 'shop.sqlite3'}",
                              cache=cache_url, step_seconds=5)
    port = free_port()
    shop = Cluster(tmp=tmp_path, env=env, web_urls=[f"http://127.0.0.1:{port}"])
    try:
        subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        server = shop.start("web", [PY, "-m", "storefront.server", "--port", str(port),
                                    "--workers", str(WORKERS), "--log-level", "warning"])
        wait_until_up(shop, f"{shop.web_urls[0]}/healthz", timeout=90)
        wait_for(lambda: len(worker_pids(server.pid)) == WORKERS, seconds=60, what="the workers")
        yield shop.web_urls[0], int(cache_url.rsplit("/", 1)[1])
    finally:
        shop.stop()
        release()


def test_each_worker_keeps_one_connection_pool_across_requests(redis_shop):
    url, db = redis_shop
    inspector = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    seen: set[str] = set()
    done = threading.Event()

    def watch() -> None:  # every shop connection to the database, by Redis's client id
        while not done.is_set():
            seen.update(c["id"] for c in inspector.client_list() if int(c["db"]) == db)
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for n in range(REQUESTS):  # a fresh connection each, so both workers serve them
            path = "/shop/us/" if n % 2 else "/orders/" + "a" * 43 + "/"  # catalog reads; a rate-limit count
            assert httpx.get(url + path, timeout=30).status_code in (200, 404)
    finally:
        done.set()
        watcher.join()
        inspector.close()
    # Django's own backend opened one connection per request under ASGI.
    assert 1 <= len(seen) <= 2 * WORKERS, seen
