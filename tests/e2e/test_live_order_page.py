"""The payment page as `make run` serves it: it subscribes to the order's stream and updates in place.

The browser is given the real server (tests/served_shop.py), not the test server, because only it
answers the stream. The payment is told to the sandbox from outside the shop, as a chain would.
"""

from __future__ import annotations

import time

import pytest
from conftest import screenshot
from playwright.sync_api import expect
from served_shop import served_shop


@pytest.fixture
def shop(tmp_path):
    with served_shop(tmp_path, over_http=True, orders=1) as served:
        yield served


def test_the_payment_page_shows_the_payment_as_soon_as_the_upstream_has_it(browser, shop):
    token, upstream_id = shop.orders[0]
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = context.new_page()
    streams = []
    page.on("request", lambda request: streams.append(request.url) if "/subscribe" in request.url else None)
    navigations = []
    page.on("framenavigated",
            lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)
    try:
        with page.expect_request(lambda request: "/subscribe" in request.url):
            page.goto(f"{shop.url}/orders/{token}/")
        expect(page.locator("#status-headline")).to_have_text("Waiting for your payment")
        assert streams == [f"{shop.url}/api/orders/{token}/subscribe"]
        navigations.clear()

        paid_at = shop.pay([upstream_id])[upstream_id]
        expect(page.locator("#status-headline")).to_have_text("Your order is complete", timeout=10_000)
        # Within the stream's reach: the poll underneath runs every 5 s.
        assert time.monotonic() - paid_at < 4.0
        assert navigations == [], "the page reloaded instead of updating in place"
        expect(page.locator("#code-1")).to_be_visible()
        screenshot(page, "order-live-done-phone")
    finally:
        context.close()
