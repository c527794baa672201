"""Django's Redis cache with three savings that every request feels under load.

Django keeps cache objects per context, and under ASGI every request is its own context: each
request built a new connection pool and opened a new TCP connection to Redis. Here the pool is
kept once per process. Django also builds a new `redis.Redis` object for every cache call; a
client over a shared pool is thread-safe, so one per pool is kept. And a rate-limit counter costs
three round trips through the generic API (add, then exists and incr); `count_in_window` does it
in one pipeline.
"""

from __future__ import annotations

import threading
from functools import cached_property

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

_process_clients: dict[str, RedisCacheClient] = {}
_process_clients_lock = threading.Lock()


class ReusedRedisCacheClient(RedisCacheClient):
    """Keeps one `redis.Redis` per connection pool instead of building one per call."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class SharedRedisCache(RedisCache):
    """The cache behind CACHE_URL=redis://…: reused clients and a one-round-trip window counter."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ReusedRedisCacheClient

    @cached_property
    def _cache(self) -> RedisCacheClient:
        # redis-py pools notice a fork by pid and reconnect, so sharing across requests is safe.
        identity = repr((self._servers, sorted(self._options.items())))
        with _process_clients_lock:
            client = _process_clients.get(identity)
            if client is None:
                client = _process_clients[identity] = self._class(self._servers, **self._options)
        return client

    def count_in_window(self, key: str, *, window_seconds: int) -> int:
        """Count one event under `key`; the count starts at the first event and lasts the window."""
        redis_key = self.make_and_validate_key(key)
        pipeline = self._cache.get_client(redis_key, write=True).pipeline(transaction=False)
        # SET NX only creates the counter (with its expiry); INCR keeps the expiry it finds.
        pipeline.set(redis_key, 0, ex=window_seconds, nx=True)
        pipeline.incr(redis_key)
        return pipeline.execute()[1]
