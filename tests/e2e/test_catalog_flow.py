"""A shopper in Chromium: picks a country, searches, opens brands, prices amounts and fills the cart."""

from __future__ import annotations

import re

import pytest
from conftest import screenshot
from playwright.sync_api import expect

from storefront.sandbox_views import logo_cache

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def empty_logo_cache():
    logo_cache.clear()
    yield
    logo_cache.clear()


def choose_country(page, *, typed: str, code: str) -> None:
    page.locator(".country-chip").click()
    expect(page).to_have_url(re.compile(r"/countries/"))
    page.locator("#country-q").fill(typed)
    option = page.locator(f"#country-list button[value=\"{code}\"]")
    expect(option).to_be_visible()
    option.click()


def coin_amount(page) -> str:
    return page.locator("#coin-amount").inner_text()


def test_shopper_picks_country_searches_prices_amounts_and_adds_to_cart(page):
    # The strict CSP forbids inline scripts and styles: any violation would show up on the console.
    console_errors = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    broken = []
    page.on("response", lambda r: r.status >= 400 and broken.append(f"{r.status} {r.url}"))
    page.goto(page.base + "/")
    expect(page).to_have_url(re.compile(r"/shop/us/$"))
    expect(page.locator(".country-chip")).to_contain_text("United States")
    screenshot(page, "catalog-home-desktop")

    # The chooser filters as the shopper types; the choice leads to that country's shop and is kept.
    choose_country(page, typed="germ", code="DE")
    expect(page).to_have_url(re.compile(r"/shop/de/$"))
    expect(page.locator(".eyebrow")).to_contain_text("Germany")
    page.goto(page.base + "/")
    expect(page).to_have_url(re.compile(r"/shop/de/$"))
    choose_country(page, typed="us", code="US")
    expect(page).to_have_url(re.compile(r"/shop/us/$"))

    # Search as you type: the results swap in place and the address follows.
    page.locator(".nav-browse").click()
    expect(page).to_have_url(re.compile(r"/shop/us/brands/$"))
    page.locator("#id_q").press_sequentially("airb", delay=40)
    expect(page.locator("#results .brand-card")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=airb"))
    screenshot(page, "catalog-brands-search-desktop")
    page.locator("#results .brand-card-link", has_text="Airbnb").click()

    # A fixed denomination, then another coin: the exact amount changes each time.
    expect(page.locator("h1")).to_have_text("Airbnb")
    first = coin_amount(page)
    page.locator(".denomination label", has_text="$100").click()
    expect(page.locator("#coin-amount")).not_to_have_text(first)
    in_usdc = coin_amount(page)
    page.locator('label[for="coin-USDT"]').click()
    expect(page.locator(".quote-coin")).to_have_text("USDT")
    expect(page.locator("#coin-amount")).not_to_have_text(in_usdc)
    expect(page.locator(".denomination label", has_text="$25")).to_contain_text("USDT")
    page.wait_for_load_state("networkidle")
    screenshot(page, "catalog-product-desktop")
    page.get_by_role("button", name="Add to cart").click()
    expect(page).to_have_url(re.compile(r"/cart/$"))
    expect(page.locator("main")).to_contain_text("Airbnb")

    # A custom amount: priced as typed, refused with a message below the minimum, then added.
    page.goto(page.base + "/shop/us/brands/?q=apple")
    page.locator("#results .brand-card-link", has_text="Everything Apple").click()
    amount = page.locator("#id_amount")
    expect(amount).to_be_visible()
    before = coin_amount(page)
    amount.fill("37")
    expect(page.locator("#coin-amount")).not_to_have_text(before)
    amount.fill("1")
    expect(page.locator("#amount-feedback .field-error")).to_contain_text("smallest amount is 2")
    expect(page.get_by_role("button", name="Add to cart")).to_be_disabled()
    expect(amount).to_have_value("1")
    amount.fill("37")
    expect(page.locator("#amount-feedback .field-error")).to_have_count(0)
    expect(page.locator("#coin-amount")).to_be_visible()
    screenshot(page, "catalog-product-range-desktop")
    page.get_by_role("button", name="Add to cart").click()
    expect(page).to_have_url(re.compile(r"/cart/$"))
    expect(page.locator("main")).to_contain_text("Everything Apple")
    expect(page.locator("main")).to_contain_text("Airbnb")
    assert [e for e in console_errors if "Content Security Policy" in e] == []
    assert broken == []  # every stylesheet, script, logo and fragment loaded


def test_catalog_pages_read_well_on_a_phone(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US", is_mobile=True,
                                  device_scale_factor=2)
    page = context.new_page()
    try:
        pages = {
            "home": ("/shop/us/", ".brand-card"),
            "brands": ("/shop/us/brands/", "#results .brand-card"),
            "product": ("/shop/us/brands/everything-apple/", "#coin-amount"),
            "product-fixed": ("/shop/us/brands/airbnb/", "#coin-amount"),
            "countries": ("/countries/", ".country-option"),
        }
        for name, (path, ready) in pages.items():
            page.goto(live_server.url + path)
            expect(page.locator(ready).first).to_be_visible()
            screenshot(page, f"catalog-{name}-phone")
            # Nothing is wider than the screen: no sideways scrolling on a phone.
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
    finally:
        context.close()


def test_a_logo_that_fails_shows_the_initials_placeholder(page):
    page.route("**/sandbox/logos/**", lambda route: route.abort())
    page.goto(page.base + "/shop/us/brands/")
    first = page.locator("#results .logo").first
    expect(first).to_have_class(re.compile("is-broken"))
    expect(first).to_have_attribute("data-initials", re.compile(r"\w+"))
    screenshot(page, "catalog-brands-broken-logos")


def test_without_javascript_add_to_cart_adds_the_picked_card_and_amount(browser, live_server):
    # Issue 16: the pick goes into the cart as selected, without pressing "Update the price" first.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US",
                                  java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/shop/us/brands/steam/")
        expect(page.locator("#coin-amount")).to_be_visible()
        page.locator(".denomination label", has_text="$50").click()
        page.get_by_role("button", name="Add to cart").click()
        expect(page).to_have_url(re.compile(r"/cart/$"))
        expect(page.locator(".cart-line")).to_have_count(1)
        expect(page.locator(".cart-line-denomination")).to_contain_text("$50")

        # A custom amount typed and added at once: the typed amount, not the suggested one.
        page.goto(live_server.url + "/shop/us/brands/amazon-com/")
        page.locator("#id_amount").fill("40")
        page.get_by_role("button", name="Add to cart").click()
        expect(page).to_have_url(re.compile(r"/cart/$"))
        expect(page.locator(".cart-line", has_text="Amazon.com")).to_contain_text("40 USD")

        # "Update the price" shows the pick's price and adds nothing.
        page.goto(live_server.url + "/shop/us/brands/steam/")
        page.locator(".denomination label", has_text="$100").click()
        page.get_by_role("button", name="Update the price").last.click()
        expect(page).to_have_url(re.compile(r"/shop/us/brands/steam/\?product="))
        expect(page.locator(".quote-for")).to_contain_text("$100")
        screenshot(page, "catalog-product-no-js")
    finally:
        context.close()
