"""Count events under a key in a window that opens at the first event, in the shared cache.

Each count is exact across processes: Redis counts with SET NX and INCR, the embedded disk cache
with add and incr, each of them one SQLite transaction. Both also tell how long the window has left,
so a refused client can be told when to come back.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache.backends.base import BaseCache
from django_redis.cache import RedisCache


@dataclass(frozen=True)
class WindowCount:
    """The events counted so far in the window, and the whole seconds until it closes (at least 1)."""

    count: int
    # How the seconds left are found, asked only when a refused client is told them: on the disk
    # cache that is one more read, which every counted request would otherwise pay.
    _seconds_left: Callable[[], int]

    @property
    def seconds_left(self) -> int:
        return self._seconds_left()


def count_in_window(cache: BaseCache, key: str, *, window_seconds: int, amount: int = 1) -> WindowCount:
    """Count `amount` events under `key`; the count starts at the first event and lasts the window."""
    if isinstance(cache, RedisCache):
        return _count_in_redis(cache, key, window_seconds=window_seconds, amount=amount)
    return _count_with_add_and_incr(cache, key, window_seconds=window_seconds, amount=amount)


def _count_in_redis(cache: RedisCache, key: str, *, window_seconds: int, amount: int) -> WindowCount:
    """One round trip: create the counter with its expiry if missing, count, read the time left."""
    redis_key = cache.client.make_key(key)
    pipeline = cache.client.get_client(write=True).pipeline(transaction=False)
    pipeline.set(redis_key, 0, ex=window_seconds, nx=True)  # only a missing counter is created
    pipeline.incrby(redis_key, amount)  # keeps the expiry it finds
    pipeline.ttl(redis_key)
    _created, count, ttl = pipeline.execute()
    if ttl < 0:
        # The counter expired between SET NX and INCR, and INCR made a new one without expiry:
        # give it this window, or the client would be counted forever.
        cache.client.get_client(write=True).expire(redis_key, window_seconds)
        ttl = window_seconds
    return WindowCount(count, lambda: max(1, ttl))


def _count_with_add_and_incr(cache: BaseCache, key: str, *, window_seconds: int, amount: int) -> WindowCount:
    """Open the window with add (its end time stored beside the counter), then count with incr."""
    ends_key = f"{key}:ends"
    # incr first: once the window is open that is the only write (one SQLite transaction); add
    # first made it two for every counted request.
    try:
        count = cache.incr(key, amount)
    except ValueError:  # no window open: this event opens one, unless another process just did
        if cache.add(key, amount, timeout=window_seconds):
            cache.set(ends_key, time.time() + window_seconds, timeout=window_seconds)
            return WindowCount(amount, lambda: window_seconds)
        return _count_with_add_and_incr(cache, key, window_seconds=window_seconds, amount=amount)

    def seconds_left() -> int:
        ends = cache.get(ends_key)
        left = window_seconds if ends is None else math.ceil(ends - time.time())
        return min(window_seconds, max(1, left))

    return WindowCount(count, seconds_left)
