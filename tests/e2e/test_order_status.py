"""A shopper on the order page: pays, watches it reach Done and show the code, or watches it expire."""

from __future__ import annotations

import time

import pytest
from conftest import screenshot
from playwright.sync_api import expect

from orders.models import Order, OrderItem
from orders.services import record_upstream_order
from storefront.upstream.client import EndUser
from storefront.upstream.factory import get_client, reset_clients

pytestmark = pytest.mark.django_db(transaction=True)
SHOPPER = EndUser(ip="203.0.113.9", user_agent="Mozilla/5.0 (e2e shopper)", country_code="US")


def place_order(*, network: str = "Solana", coin: str = "USDC", email: str = "shopper@example.com") -> Order:
    """Place an order on the sandbox and record it the way checkout does."""
    order = Order.objects.create(
        email=email,
        country_code="US",
        coin=coin,
        network=network,
        shopper_ip=SHOPPER.ip,
        shopper_user_agent=SHOPPER.user_agent,
    )
    OrderItem.objects.create(
        order=order,
        brand_name="Airbnb",
        country_code="US",
        denomination="25 USD",
        localized_denomination="$25",
        beneficiary_account=email,
    )
    body = {
        "email": email,
        "user": {"email": email, "has_accepted_newsletter": False, "full_name": "Sam Shopper"},
        "payment": {"type": "via", "payment_via": "USER_WALLET", "coin": coin, "network": network},
        "deliveries": [
            {
                "beneficiary_account": email,
                "brand_name": "Airbnb",
                "country_code": "US",
                "denomination": "25 USD",
            }
        ],
        "lang": "en",
    }
    upstream = get_client().create_order(body=body, end_user=SHOPPER)
    time.sleep(0.1)
    upstream = get_client().get_order(order_id=upstream.order_id, end_user=SHOPPER)
    return record_upstream_order(order=order, upstream=upstream, source="checkout")


def open_order_page(page, order: Order) -> list[str]:
    """Open the order page and return the list that collects every later full-page navigation."""
    page.goto(f"{page.base}/orders/{order.token}/")
    navigations: list[str] = []
    page.on(
        "framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None
    )
    return navigations


def test_paid_order_reaches_done_and_shows_the_code_without_a_reload(page):
    order = place_order()
    navigations = open_order_page(page, order)
    expect(page.locator("#status-headline")).to_have_text("Waiting for your payment")
    expect(page.locator("#coin-amount")).to_have_text(order.coin_amount_text)
    expect(page.locator("#wallet-address")).to_have_text(order.wallet_address)
    expect(page.locator(".qr-frame svg")).to_be_visible()
    expect(page.locator("#countdown")).to_have_text(lambda_free_countdown())
    screenshot(page, "order-payment-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "order-payment-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The coins arrive on-chain: the sandbox is told, the browser is not.
    get_client().simulate_payment(order_id=order.upstream_order_id, action="pay", end_user=SHOPPER)

    expect(page.locator("#status-headline")).to_have_text("Your order is complete", timeout=20_000)
    delivered = Order.objects.get(pk=order.pk).items.get().delivered_secrets()
    expect(page.locator("#code-1")).to_have_text(delivered["pin_code"])
    expect(page.locator("#serial-1")).to_have_text(delivered["pin_serial"])
    expect(page.locator("#redeem-instructions-1 li").first).to_be_visible()
    expect(page.locator("#payment-state")).to_have_text("Payment: Payment complete")
    expect(page.locator("#wallet-address")).to_have_count(0)
    expect(page.locator("#status")).not_to_have_attribute("hx-trigger", "every 5s, order-changed from:body")
    assert navigations == [], "the page reloaded instead of updating in place"
    screenshot(page, "order-done-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "order-done-phone")


def lambda_free_countdown():
    import re

    return re.compile(r"^(29|30):\d\d$")


def test_order_expires_before_the_shoppers_eyes(page, monkeypatch):
    monkeypatch.setenv("SANDBOX_PAYMENT_WINDOW_SECONDS", "6")
    reset_clients()
    order = place_order(network="Tron", coin="USDT")
    navigations = open_order_page(page, order)
    expect(page.locator("#payment-network")).to_have_text("Tron")
    expect(page.locator(".qr-frame svg")).to_be_visible()
    screenshot(page, "order-payment-tron-desktop")
    expect(page.locator("#status-headline")).to_have_text("The payment window has closed", timeout=25_000)
    expect(page.locator("#wallet-address")).to_have_count(0)
    assert navigations == []
    assert Order.objects.get(pk=order.pk).state == "Expired"
    screenshot(page, "order-expired-desktop")


def test_a_payment_after_expiry_is_accepted_and_shows_the_codes(page):
    order = place_order()
    open_order_page(page, order)
    page.locator('[data-simulate="late"]').click()
    # The shop keeps asking about a recently expired order, so the late delivery reaches the page.
    expect(page.locator("#status-headline")).to_have_text("Your order is complete", timeout=20_000)
    expect(page.locator("#code-1")).to_be_visible()
    assert Order.objects.get(pk=order.pk).late_payment


def test_sandbox_buttons_pay_part_then_the_rest(page):
    order = place_order(network="Base")
    open_order_page(page, order)
    page.locator('[data-simulate="partial"]').click()
    expect(page.locator("#status-headline")).to_have_text("Part of the payment arrived")
    expect(page.locator("#coin-amount-due")).to_have_text("12.74")
    screenshot(page, "order-partial-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "order-partial-phone")
    page.locator('[data-simulate="pay_rest"]').click()
    expect(page.locator("#status-headline")).to_have_text("Your order is complete", timeout=20_000)


def test_a_guessed_order_address_is_not_found(page):
    place_order()
    response = page.goto(f"{page.base}/orders/not-the-real-token/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("We couldn't find that page")
