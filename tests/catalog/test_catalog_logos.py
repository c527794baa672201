"""The sandbox logo proxy: warm logos cost no upstream call, and memory stays bounded."""

from __future__ import annotations

from storefront.sandbox_views import LogoCache


def test_a_warm_logo_makes_no_upstream_call(client, upstream_calls):
    first = client.get("/sandbox/logos/airbnb_300x190.webp")
    assert first.status_code == 200
    assert first["Content-Type"] == "image/webp"
    assert "max-age=86400" in first["Cache-Control"]
    log = upstream_calls.log
    before = len(log)
    second = client.get("/sandbox/logos/airbnb_300x190.webp")
    assert second.content == first.content
    assert log[before:] == []


def test_an_unknown_logo_is_404(client):
    assert client.get("/sandbox/logos/no-such-brand.webp").status_code == 404
    assert client.get("/sandbox/logos/airbnb.gif").status_code == 404


def test_logo_cache_evicts_the_least_recently_used_beyond_its_budget():
    cache = LogoCache(max_items=2, max_bytes=10)
    cache.put("a", (b"1234", "image/webp"))
    cache.put("b", (b"1234", "image/webp"))
    assert cache.get("a")  # a is now the most recent
    cache.put("c", (b"1234", "image/webp"))
    assert cache.get("b") is None
    assert cache.get("a") and cache.get("c")
    cache.put("d", (b"12345678", "image/webp"))  # over the byte budget: older ones go
    assert len(cache) == 1
    cache.put("huge", (b"x" * 11, "image/webp"))  # larger than the whole budget: not kept
    assert cache.get("huge") is None
