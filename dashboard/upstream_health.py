"""The upstream's last hour, per endpoint: calls, errors and a latency histogram in the shared cache.

Prometheus' counters live in each process; the dashboard must see every process's calls (web
workers and sync workers), so each call also counts itself in the shared cache, in five-minute
slots that expire on their own. Counting is one or two atomic increments per upstream call,
never per page view.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.core.cache import cache

logger = logging.getLogger(__name__)

SLOT_SECONDS = 300
WINDOW_SECONDS = 3600
KEEP_SECONDS = WINDOW_SECONDS + 2 * SLOT_SECONDS
# Upper bounds of the latency buckets, in seconds (the last one takes the rest).
BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, float("inf"))
PREFIX = "dash:upstream"
# Endpoints are few (about a dozen), but an unexpected one must not grow the key space forever.
MAX_ENDPOINTS = 40
ENDPOINTS_KEY = f"{PREFIX}:endpoints"


def _slot(now: float) -> int:
    return int(now // SLOT_SECONDS)


def _increment(key: str) -> None:
    if cache.add(key, 1, timeout=KEEP_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr: this call starts it again
        cache.add(key, 1, timeout=KEEP_SECONDS)


def _bucket(seconds: float) -> int:
    return next(index for index, bound in enumerate(BUCKETS) if seconds <= bound)


def _remember_endpoint(endpoint: str) -> None:
    # Read first: the list changes only when an endpoint is called for the first time in a while.
    known = cache.get(ENDPOINTS_KEY) or []
    if endpoint not in known and len(known) < MAX_ENDPOINTS:
        cache.set(ENDPOINTS_KEY, sorted({*known, endpoint}), timeout=KEEP_SECONDS)


def record_call(*, endpoint: str, seconds: float, failed: bool, now: float | None = None) -> None:
    """Count one upstream attempt in its five-minute slot; a failure to count never fails the call."""
    slot = _slot(time.time() if now is None else now)
    try:
        _remember_endpoint(endpoint)
        _increment(f"{PREFIX}:{slot}:{endpoint}:{_bucket(seconds)}")
        if failed:
            _increment(f"{PREFIX}:{slot}:{endpoint}:errors")
    except Exception:  # the cache is down: the call itself must go on (readyz reports the cache)
        logger.debug("upstream call not counted for the dashboard", exc_info=True)


@dataclass(frozen=True)
class EndpointHealth:
    endpoint: str
    calls: int
    errors: int
    p95_seconds: float | None

    @property
    def error_share(self) -> float:
        return self.errors / self.calls if self.calls else 0.0


def _p95(counts: list[int]) -> float | None:
    """Return the 95th percentile, interpolated inside its bucket as Prometheus' histogram_quantile does."""
    total = sum(counts)
    if not total:
        return None
    rank = 0.95 * total
    seen = 0
    for index, count in enumerate(counts):
        if seen + count >= rank and count:
            lower = BUCKETS[index - 1] if index else 0.0
            upper = BUCKETS[index]
            if upper == float("inf"):
                return lower
            return lower + (upper - lower) * (rank - seen) / count
        seen += count
    return BUCKETS[-2]


def get_upstream_health(*, now: float | None = None) -> list[EndpointHealth]:
    """Return each endpoint called in the last hour with its calls, errors and p95 latency."""
    now = time.time() if now is None else now
    last = _slot(now)
    slots = range(_slot(now - WINDOW_SECONDS) + 1, last + 1)
    endpoints = cache.get(ENDPOINTS_KEY) or []
    keys = {
        (endpoint, part): [f"{PREFIX}:{slot}:{endpoint}:{part}" for slot in slots]
        for endpoint in endpoints
        for part in (*range(len(BUCKETS)), "errors")
    }
    values = cache.get_many([key for group in keys.values() for key in group])
    health = []
    for endpoint in endpoints:
        counts = [sum(values.get(key, 0) for key in keys[(endpoint, index)]) for index in range(len(BUCKETS))]
        calls = sum(counts)
        if calls:
            errors = sum(values.get(key, 0) for key in keys[(endpoint, "errors")])
            health.append(
                EndpointHealth(endpoint=endpoint, calls=calls, errors=errors, p95_seconds=_p95(counts))
            )
    return sorted(health, key=lambda item: (-item.calls, item.endpoint))
