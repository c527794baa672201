"""Security headers, the admin log-in limit and the shared rate limiter."""

from __future__ import annotations

import time

from storefront.ratelimit import hit


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/healthz")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-eval" not in policy and "unsafe-inline" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def csp_directives(policy: str) -> dict[str, list[str]]:
    """Return a Content-Security-Policy header as {directive: its sources}."""
    parts = [part.split() for part in policy.split(";") if part.strip()]
    return {name: sources for name, *sources in parts}


def test_pages_showing_the_upstreams_html_keep_the_policy_and_allow_its_cdn_images(client, db):
    # The product page shows the upstream's (sanitized) descriptions; order pages show its barcodes.
    response = client.get("/shop/us/brands/amazon-com/")
    assert response.status_code == 200
    directives = csp_directives(response["Content-Security-Policy"])
    assert directives["script-src"] == ["'self'"] and directives["object-src"] == ["'none'"]
    assert "https://cdn.cryptorefills.com" in directives["img-src"]


def test_rate_limit_allows_the_limit_then_refuses():
    results = [hit(scope="t", key="1.2.3.4", limit=3, window_seconds=60) for _ in range(5)]
    assert results == [True, True, True, False, False]
    assert hit(scope="t", key="5.6.7.8", limit=3, window_seconds=60), "another IP has its own budget"


def test_admin_login_is_rate_limited_per_ip(client, settings, db):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "admin_login": (2, 300)}
    statuses = [
        client.post("/admin/login/", {"username": "x", "password": "y"}, REMOTE_ADDR="192.0.2.1").status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
    assert b"Slow down" in client.post("/admin/login/", {"username": "x"}, REMOTE_ADDR="192.0.2.1").content


def test_checkout_validation_is_rate_limited_per_ip(client, settings, db):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "validate": (2, 60)}
    statuses = [
        client.post("/checkout/", {"email": "x"}, REMOTE_ADDR="192.0.2.2").status_code for _ in range(3)
    ]
    assert statuses[-1] == 429
    assert statuses[0] != 429


def test_status_polling_is_rate_limited_and_stays_private(client, settings, db):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "poll": (2, 60)}
    url = "/orders/" + "a" * 43 + "/"
    statuses = [client.get(url, REMOTE_ADDR="192.0.2.3").status_code for _ in range(3)]
    assert statuses == [404, 404, 429]
    limited = client.get(url, REMOTE_ADDR="192.0.2.3")
    assert limited["Cache-Control"] == "no-store, private"
    assert limited["Referrer-Policy"] == "no-referrer"


def test_rate_limit_window_opens_at_the_first_request_and_closes_after_it():
    assert [hit(scope="w", key="9.9.9.9", limit=1, window_seconds=1) for _ in range(2)] == [True, False]
    time.sleep(1.2)
    assert hit(scope="w", key="9.9.9.9", limit=1, window_seconds=1), "a new window after the old one closed"


def test_a_limited_request_is_told_when_its_own_window_closes(client, settings, db):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "admin_login": (1, 60)}
    client.post("/admin/login/", {"username": "x", "password": "y"}, REMOTE_ADDR="192.0.2.4")
    time.sleep(2.1)
    limited = client.post("/admin/login/", {"username": "x", "password": "y"}, REMOTE_ADDR="192.0.2.4")
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 58, "the seconds left in the window, not a whole window"
