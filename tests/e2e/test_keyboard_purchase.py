"""A shopper without a mouse buys a gift card with the keyboard alone, from the country chooser to Done.

Every Tab stop on the way must show a focus ring on screen; after each step the test checks where
focus landed; on the payment page focus must stay on the Copy button while the status is polled.
"""

from __future__ import annotations

import re
import time

import pytest
from a11y import assert_focus_shows, focus_state, focused_matches, tab_to
from conftest import screenshot
from playwright.sync_api import expect

from orders.models import Order

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def keyboard_page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.base = live_server.url
    yield page
    context.close()


def type_into(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def test_a_keyboard_only_shopper_buys_a_gift_card_and_copies_the_address_while_the_page_polls(keyboard_page):
    page = keyboard_page
    page.goto(page.base + "/countries/")

    # The skip link is the first stop on every page.
    page.keyboard.press("Tab")
    assert assert_focus_shows(page)["text"] == "Skip to content"

    # Country chooser: type to filter, then Enter on the country.
    type_into(page, "#country-q", "united states")
    tab_to(page, 'button.country-option[value="US"]')
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/shop/us/$"))

    # Home: search for the brand, Enter opens the results.
    type_into(page, "#hero-q", "steam")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/shop/us/brands/\?q=steam"))
    tab_to(page, "#results a.brand-card-link")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Steam")

    # Product page: the arrow keys move through the amounts; the price follows and focus stays put.
    first_price = page.locator("#coin-amount").text_content()
    tab_to(page, 'input[name="product"]')
    chosen = page.evaluate("() => document.activeElement.id")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#coin-amount")).not_to_have_text(first_price)
    assert not focused_matches(page, f"#{chosen}") and focused_matches(page, 'input[name="product"]')
    assert_focus_shows(page, "after the price update")
    label = page.evaluate(
        "() => document.querySelector(`label[for='${document.activeElement.id}'] .denom-value`)"
        ".textContent.trim()"
    )
    tab_to(page, '#quote button[name="add"]')
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/cart/$"))
    expect(page.locator(".cart-line")).to_contain_text(label)

    # Cart: on to checkout.
    tab_to(page, 'a[href$="/checkout/"]')
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Checkout", exact=True)).to_be_visible()

    # Checkout: a wrong email first; the error summary takes focus and links to the field.
    type_into(page, "#id_email", "buyer@example")
    tab_to(page, "button[data-submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#form-problems")).to_be_focused()
    tab_to(page, '#form-problems a[href="#id_email"]')
    page.keyboard.press("Enter")
    if not focused_matches(page, "#id_email"):  # the link moved the Tab starting point to the field
        page.keyboard.press("Tab")
    assert focused_matches(page, "#id_email"), focus_state(page)
    assert_focus_shows(page, "on the field named in the error summary")
    page.keyboard.press("End")
    page.keyboard.type(".com")
    tab_to(page, "button[data-submit]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/orders/[\w-]+/$"))
    order = Order.objects.get()

    # Payment page: focus the Copy button of the address and keep it there across status polls.
    polls: list[float] = []

    def count_poll(request) -> None:
        polled = request.headers.get("hx-request") and f"/orders/{order.token}/" in request.url
        if request.method == "GET" and polled:
            polls.append(time.monotonic())

    page.on("request", count_poll)
    copy = page.get_by_role("button", name="Copy address", exact=True)
    expect(copy).to_be_visible()
    tab_to(page, "#copy-address")
    page.keyboard.press("Enter")
    expect(copy).to_have_text("Copied")
    expect(page.locator("#announcer")).to_have_text("Copied")
    assert page.evaluate("() => navigator.clipboard.readText()") == order.wallet_address
    deadline = time.monotonic() + 15
    while len(polls) < 2 and time.monotonic() < deadline:
        page.wait_for_timeout(250)
        assert focused_matches(page, "#copy-address"), f"focus left the Copy button: {focus_state(page)}"
    assert len(polls) >= 2, "the status was not polled twice"
    page.wait_for_timeout(1000)  # the second answer has been handled
    assert focused_matches(page, "#copy-address"), f"focus left the Copy button: {focus_state(page)}"
    assert_focus_shows(page, "after two polls")
    page.keyboard.press("Tab")
    assert_focus_shows(page, "the Tab after the polls")
    assert not focused_matches(page, ".skip-link"), "the next Tab started again at the top of the page"
    screenshot(page, "keyboard-payment-focus")

    # The sandbox's "pay in full", by keyboard: the page moves on in place and focus is not lost.
    tab_to(page, "#simulate-pay")
    page.keyboard.press("Enter")
    expect(page.locator("#status-headline")).to_have_text("Your order is complete", timeout=25_000)
    assert focus_state(page) is not None, "focus fell back to the page when the order moved on"
    code_copy = page.get_by_role("button", name=re.compile(r"^Copy code for Steam \$\d+$"))
    expect(code_copy).to_be_visible()
    tab_to(page, "#copy-code-1")
    screenshot(page, "keyboard-done-focus")
