"""A shopper fills a cart from the product pages, meets field errors, fixes them and reaches payment."""

from __future__ import annotations

import re

import pytest
from conftest import screenshot
from playwright.sync_api import expect

from orders.models import Order
from storefront.upstream.factory import get_sandbox_app

pytestmark = pytest.mark.django_db(transaction=True)


def _add_from_product_page(page, family: str, amount_label: str, custom: str = "") -> None:
    page.goto(f"{page.base}/shop/us/brands/{family}/")
    label = page.locator("label", has_text=amount_label).first
    if label.is_visible():  # a brand with one custom-amount product shows only the amount box
        label.click()
    if custom:
        page.fill("#id_amount", custom)
    add = page.locator("#quote button", has_text="Add to cart")
    expect(add).to_be_enabled()
    if custom:
        expect(page.locator("#quote .quote-for")).to_contain_text(custom)
    add.click()
    expect(page).to_have_url(re.compile(r"/cart/$"))


def _upstream_creations() -> int:
    return sum(
        1 for method, path, _h in get_sandbox_app().request_log if (method, path) == ("POST", "/v5/orders")
    )


def test_a_shopper_buys_a_gift_card_a_custom_amount_and_a_top_up_in_one_order(page):
    _add_from_product_page(page, "steam", "$10")
    _add_from_product_page(page, "everything-apple", "Custom amount", custom="12")
    _add_from_product_page(page, "at-t", "$15")

    lines = page.locator(".cart-line")
    expect(lines).to_have_count(3)
    expect(lines.nth(0)).to_contain_text("Steam")
    expect(lines.nth(0)).to_contain_text("$10")
    expect(lines.nth(1)).to_contain_text("Everything Apple")
    expect(lines.nth(1)).to_contain_text("12 USD")
    expect(lines.nth(2)).to_contain_text("AT&T")
    expect(page.locator("[data-cart-total]")).to_have_text("37.71")
    expect(page.locator("#cart-link")).to_contain_text("3")
    screenshot(page, "checkout-cart-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "checkout-cart-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Go to checkout").click()
    expect(page.get_by_role("heading", name="Checkout", exact=True)).to_be_visible()
    expect(page.locator('input[value="USDC|Solana"]')).to_be_checked()
    expect(page.locator('input[value="USDT|Arbitrum"]')).to_be_disabled()
    expect(page.locator("#id_full_name")).to_be_hidden()
    phone = page.get_by_label("Phone number to top up")

    page.fill("#id_email", "buyer@example")
    phone.fill("555-12")
    page.get_by_role("button", name="Place order and get the payment address").click()

    expect(page.locator("#field-email .errorlist")).to_contain_text("Enter a valid email address.")
    phone = page.get_by_label("Phone number to top up")
    errors = page.locator(".recipient .errorlist")
    expect(errors).to_contain_text("not a valid phone number for United States")
    expect(page.locator("#id_email")).to_have_value("buyer@example")
    expect(phone).to_have_value("555-12")
    assert Order.objects.count() == 0
    screenshot(page, "checkout-errors-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "checkout-errors-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The full name only shows up for Tron, and comes back hidden for Solana.
    page.locator('label.payment-option:has(input[value="USDT|Tron"])').click()
    expect(page.locator("#id_full_name")).to_be_visible()
    page.locator('label.payment-option:has(input[value="USDC|Solana"])').click()
    expect(page.locator("#id_full_name")).to_be_hidden()

    page.fill("#id_email", "buyer@example.com")
    phone.fill("(415) 555-2671")
    submitted = page.locator("[data-checkout-form]").evaluate("f => Object.fromEntries(new FormData(f))")
    page.get_by_role("button", name="Place order and get the payment address").click()

    expect(page).to_have_url(re.compile(r"/orders/[\w-]+/$"))
    order = Order.objects.get()
    assert order.wallet_address and order.coin_amount_text
    expect(page.locator("body")).to_contain_text(order.wallet_address)
    expect(page.locator("body")).to_contain_text(order.coin_amount_text)
    assert list(order.items.values_list("beneficiary_account", flat=True)) == [
        "buyer@example.com",
        "buyer@example.com",
        "+14155552671",
    ]
    assert _upstream_creations() == 1
    screenshot(page, "checkout-payment-page")

    # The same form submitted again (a double click, a resubmitted page): the same order, once upstream.
    order_url = page.url
    replay = page.request.post(f"{page.base}/checkout/", form=submitted, max_redirects=0)
    assert replay.status == 302 and page.base + replay.headers["location"] == order_url
    # Back at the checkout page: it leads to the same order, it does not offer a second one.
    page.goto(f"{page.base}/checkout/")
    expect(page.get_by_role("link", name="Go to your order")).to_have_attribute(
        "href", order_url.replace(page.base, "")
    )
    expect(page.locator("body")).to_contain_text(order.reference)
    screenshot(page, "checkout-already-placed")
    assert Order.objects.count() == 1 and _upstream_creations() == 1


def test_a_shopper_whose_order_times_out_is_told_honestly_and_can_try_again(page, monkeypatch):
    from storefront.upstream import errors
    from storefront.upstream.factory import get_client

    _add_from_product_page(page, "steam", "$10")
    page.get_by_role("link", name="Go to checkout").click()
    page.fill("#id_email", "buyer@example.com")

    def time_out(*, body, end_user):
        raise errors.UpstreamTimeout("POST /v5/orders timed out")

    with monkeypatch.context() as patched:
        patched.setattr(get_client(), "create_order", time_out)
        page.get_by_role("button", name="Place order and get the payment address").click()
        expect(page.get_by_role("heading", name="Your order was not placed")).to_be_visible()
    expect(page.locator("body")).to_contain_text("You have not paid anything and cannot be charged.")
    order = Order.objects.get()
    expect(page.locator("body")).to_contain_text(order.reference)
    screenshot(page, "checkout-failed-timeout")

    page.get_by_role("link", name="Try again").click()
    expect(page.locator("#id_email")).to_have_value("buyer@example.com")  # refilled from the failed order
    page.get_by_role("button", name="Place order and get the payment address").click()
    expect(page).to_have_url(re.compile(r"/orders/[\w-]+/$"))
    assert Order.objects.count() == 2
