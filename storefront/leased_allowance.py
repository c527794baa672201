"""Spend a shared rate-limit window a few requests at a time, from a lease this process holds.

Counting every request in the shared cache costs a Redis round trip, or a write transaction on the
embedded disk cache, per request: on the polled status fragment that was a third of its time. So
a process leases part of a client's window at once (the shared count grows by the whole lease)
and spends it in memory. All processes together still never allow more than the limit in a
window, because each allows only what it leased.

A client that keeps coming gets doubling leases, up to a sixteenth of the limit and at most 64; a
small limit (admin login, orders, e-mail lookups) is leased one request at a time, which is exact
counting. What a process leased and did not spend is lost when the window closes, so a busy
client whose requests several processes answer may be refused up to (lease - 1) requests early
per process: at most a sixteenth of the limit each.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.core.cache.backends.base import BaseCache

from .kept_in_memory import KeptInMemory
from .window_counter import count_in_window

MAX_LEASE = 64
MAX_CLIENTS = 10_000


@dataclass(frozen=True)
class Allowance:
    """Whether one request is allowed; a refused one is told the whole seconds until its window closes."""

    allowed: bool
    retry_after: int = 0


ALLOWED = Allowance(True)


@dataclass
class _Lease:
    left: int  # requests this process may still allow in the window
    ends: float  # on time.monotonic(), no later than the shared window closes
    size: int  # how many requests it leased


_leases: KeptInMemory[tuple, _Lease] = KeptInMemory(MAX_CLIENTS)
_spending = threading.Lock()


def forget_leases() -> None:
    """Drop every lease of this process (tests call this when they empty the cache)."""
    _leases.clear()


def largest_lease(limit: int) -> int:
    """Return how many requests one lease may hold under `limit`: 1 means every request is counted."""
    return max(1, min(limit // 16, MAX_LEASE))


def spend(cache: BaseCache, key: str, *, limit: int, window_seconds: int) -> Allowance:
    """Allow one request of `key` if its window (shared through `cache`) has room for it."""
    most = largest_lease(limit)
    if most == 1:
        counted = count_in_window(cache, key, window_seconds=window_seconds)
        return ALLOWED if counted.count <= limit else Allowance(False, counted.seconds_left)
    now = time.monotonic()
    lease_key = (key, limit, window_seconds)
    with _spending:
        lease = _leases.get(lease_key)
        if lease is not None and lease.ends > now and lease.left > 0:
            lease.left -= 1
            return ALLOWED
    size = 1 if lease is None or lease.ends <= now else min(lease.size * 2, most)
    counted = count_in_window(cache, key, window_seconds=window_seconds, amount=size)
    granted = min(size, limit - (counted.count - size))
    if granted <= 0:
        return Allowance(False, counted.seconds_left)
    # The shared window's seconds left are whole (rounded): end the lease a second early.
    _leases.put(lease_key, _Lease(left=granted - 1, ends=now + counted.seconds_left - 1, size=size))
    return ALLOWED
