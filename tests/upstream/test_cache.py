"""Soft and hard expiry of cached upstream reads."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache

from storefront.upstream.cache import cached_upstream_read
from storefront.upstream.errors import UpstreamConnectionError


class CountingFetch:
    def __init__(self, *results):
        self.results = list(results)
        self.calls = 0

    def __call__(self):
        self.calls += 1
        result = self.results.pop(0)
        if isinstance(result, Exception):
            raise result
        return result


def age_entry(key: str, seconds: float) -> None:
    fetched_at, value = cache.get(f"upstream:{key}")
    cache.set(f"upstream:{key}", (fetched_at - seconds, value))
    cache.set(f"upstream:{key}:stamp", fetched_at - seconds)


def test_a_fresh_entry_is_served_without_calling_the_upstream():
    fetch = CountingFetch("v1", "v2")
    assert cached_upstream_read("k", fetch, soft_seconds=60, hard_seconds=600) == "v1"
    assert cached_upstream_read("k", fetch, soft_seconds=60, hard_seconds=600) == "v1"
    assert fetch.calls == 1


def test_after_the_soft_expiry_one_request_refreshes():
    fetch = CountingFetch("v1", "v2")
    cached_upstream_read("k", fetch, soft_seconds=60, hard_seconds=600)
    age_entry("k", 61)
    assert cached_upstream_read("k", fetch, soft_seconds=60, hard_seconds=600) == "v2"
    assert fetch.calls == 2


def test_while_another_request_refreshes_the_stale_copy_is_served():
    fetch = CountingFetch("v1", "v2")
    cached_upstream_read("k", fetch, soft_seconds=60, hard_seconds=600)
    age_entry("k", 61)
    cache.add("upstream:k:refreshing", 1, timeout=30)  # someone else holds the refresh
    assert cached_upstream_read("k", fetch, soft_seconds=60, hard_seconds=600) == "v1"
    assert fetch.calls == 1


def test_stale_copy_is_served_when_the_refresh_fails():
    fetch = CountingFetch("v1", UpstreamConnectionError("down"), "v3")
    cached_upstream_read("k", fetch, soft_seconds=60, hard_seconds=600)
    age_entry("k", 61)
    assert cached_upstream_read("k", fetch, soft_seconds=60, hard_seconds=600) == "v1"
    # The failed refresh released its lock: the next request tries again.
    assert cached_upstream_read("k", fetch, soft_seconds=60, hard_seconds=600) == "v3"


def test_nothing_cached_and_upstream_down_raises():
    fetch = CountingFetch(UpstreamConnectionError("down"))
    with pytest.raises(UpstreamConnectionError):
        cached_upstream_read("k", fetch, soft_seconds=60, hard_seconds=600)


def test_past_the_hard_expiry_the_entry_is_gone():
    fetch = CountingFetch("v1", "v2")
    cached_upstream_read("k", fetch, soft_seconds=0, hard_seconds=1)
    time.sleep(1.1)
    assert cached_upstream_read("k", fetch, soft_seconds=0, hard_seconds=1) == "v2"


def test_a_warm_read_does_not_decode_the_shared_value_again(monkeypatch):
    fetch = CountingFetch(["big"] * 5000)
    cached_upstream_read("k", fetch, soft_seconds=60, hard_seconds=600)
    reads = []
    original_get = cache.get
    monkeypatch.setattr(cache, "get", lambda key, *a, **kw: reads.append(key) or original_get(key, *a, **kw))
    assert len(cached_upstream_read("k", fetch, soft_seconds=60, hard_seconds=600)) == 5000
    assert reads == ["upstream:k:stamp"]


def test_another_process_refresh_is_seen_through_the_stamp():
    fetch = CountingFetch("v1")
    cached_upstream_read("k", fetch, soft_seconds=60, hard_seconds=600)
    # Another process writes a newer value: the stamp changes, this process's copy is stale.
    newer = time.time() + 1
    cache.set("upstream:k", (newer, "v2"))
    cache.set("upstream:k:stamp", newer)
    assert cached_upstream_read("k", fetch, soft_seconds=60, hard_seconds=600) == "v2"
    assert fetch.calls == 1
