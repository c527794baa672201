"""A shopper buys, closes the page, asks "find my orders", opens the emailed link and sees Done."""

from __future__ import annotations

import re
import time

import pytest
from conftest import screenshot
from django.core import mail
from playwright.sync_api import expect

from orders.models import Order

pytestmark = pytest.mark.django_db(transaction=True)
LINK = re.compile(r"(https?://\S+/orders/[A-Za-z0-9_-]{43}/)")


def emails_to(address: str, subject: str) -> list:
    return [m for m in mail.outbox if m.to == [address] and subject in m.subject]


def wait_for_email(address: str, subject: str, *, seconds: float = 10.0):
    # The web process sends what it enqueued right after its response (a local backend in tests).
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = emails_to(address, subject)
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"no email {subject!r} to {address}: {[m.subject for m in mail.outbox]}")


def test_a_shopper_who_closed_the_page_finds_the_order_by_email_and_sees_it_done(page, live_server, settings):
    settings.SITE_URL = live_server.url
    shopper = "closer@example.com"
    page.goto(f"{page.base}/shop/us/brands/steam/")
    page.locator("label", has_text="$10").first.click()
    page.locator("#quote button", has_text="Add to cart").click()
    expect(page).to_have_url(re.compile(r"/cart/$"))
    page.get_by_role("link", name="Go to checkout").click()
    page.fill("#id_email", shopper)
    page.get_by_role("button", name="Place order and get the payment address").click()
    expect(page).to_have_url(re.compile(r"/orders/[\w-]+/$"))
    order = Order.objects.get()
    wait_for_email(shopper, "how to pay")
    page.locator('[data-simulate="pay"]').click()
    context = page.context
    page.close()  # the tab is gone, and with it the only copy of the order's address

    tab = context.new_page()
    tab.goto(f"{live_server.url}/")
    tab.get_by_role("link", name="My orders").click()
    expect(tab).to_have_url(re.compile(r"/my-orders/$"))
    tab.fill("#id_email", shopper)
    screenshot(tab, "find-my-orders")
    tab.get_by_role("button", name="Email me the links").click()
    expect(tab.locator("#find-orders-sent")).to_contain_text("an email with their links is on its way")

    [links_email] = wait_for_email(shopper, "Your Coinshelf orders")
    assert order.reference in links_email.body
    [link] = LINK.findall(links_email.body)
    assert link == f"{live_server.url}/orders/{order.token}/"
    tab.goto(link)
    expect(tab.locator("#order-reference")).to_have_text(order.reference)
    expect(tab.locator("#status-headline")).to_have_text("Your order is complete", timeout=20_000)
    screenshot(tab, "find-my-orders-done")
    # The delivery email follows once, with the same link.
    [delivered] = wait_for_email(shopper, "is delivered")
    assert link in delivered.body
    assert len(emails_to(shopper, "how to pay")) == 1
