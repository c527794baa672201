"""Rate limits spent from per-process leases of the shared window: never more than the limit."""

from __future__ import annotations

import time

import pytest
from django.core.cache import caches
from process_support import results_of_processes

from storefront import leased_allowance
from storefront.disk_cache import SharedDiskCache
from storefront.leased_allowance import forget_leases, largest_lease, spend

PROCESSES = 4
LIMIT = 400
ATTEMPTS = 300


@pytest.fixture
def shared_writes(monkeypatch):
    """Count the writes to the shared window (each one a Redis round trip or a disk transaction)."""
    writes = []
    real = leased_allowance.count_in_window

    def counting(*args, **kwargs):
        writes.append(kwargs.get("amount", 1))
        return real(*args, **kwargs)

    monkeypatch.setattr(leased_allowance, "count_in_window", counting)
    return writes


def test_one_process_allows_exactly_the_limit_then_refuses():
    allowed = [spend(caches["default"], "c1", limit=100, window_seconds=60).allowed for _ in range(120)]
    assert allowed == [True] * 100 + [False] * 20


def test_a_poller_costs_the_shared_cache_a_write_per_lease_not_per_request(shared_writes):
    for _ in range(240):
        assert spend(caches["default"], "poller", limit=240, window_seconds=60).allowed
    assert largest_lease(240) == 15
    # Leases of 1, 2, 4, 8, then 15 each: 19 writes for 240 requests, where counting each was 240.
    assert len(shared_writes) == 19
    assert sum(shared_writes) == 240


def test_small_limits_are_counted_on_every_request(shared_writes):
    for limit in (1, 3, 10, 31):
        assert largest_lease(limit) == 1
    results = [spend(caches["default"], "login", limit=10, window_seconds=300).allowed for _ in range(12)]
    assert results == [True] * 10 + [False] * 2
    assert len(shared_writes) == 12


def test_what_another_process_leased_counts_against_this_one():
    cache = caches["default"]
    first = sum(spend(cache, "shared", limit=64, window_seconds=60).allowed for _ in range(10))
    forget_leases()  # from here on this process is a second one, sharing only the cache
    second = sum(spend(cache, "shared", limit=64, window_seconds=60).allowed for _ in range(100))
    assert first == 10
    assert 64 - (largest_lease(64) - 1) <= first + second <= 64


def test_a_refused_client_is_told_when_its_window_closes_and_is_allowed_after_it():
    cache = caches["default"]
    while spend(cache, "brief", limit=32, window_seconds=2).allowed:
        pass
    refused = spend(cache, "brief", limit=32, window_seconds=2)
    assert not refused.allowed and 1 <= refused.retry_after <= 2
    time.sleep(2.2)
    assert spend(cache, "brief", limit=32, window_seconds=2).allowed, "a new window, not a lease of the old"


def spend_in_another_process(directory: str, barrier, results) -> None:
    cache = SharedDiskCache(directory, {})
    barrier.wait()
    results.put(sum(spend(cache, "crowd", limit=LIMIT, window_seconds=60).allowed for _ in range(ATTEMPTS)))


def test_processes_leasing_one_window_together_never_allow_more_than_its_limit(tmp_path):
    allowed = results_of_processes(spend_in_another_process, PROCESSES, str(tmp_path))
    assert sum(allowed) <= LIMIT
    # Each process may be left holding at most one unspent lease when the others use up the window.
    assert sum(allowed) >= LIMIT - PROCESSES * (largest_lease(LIMIT) - 1)
