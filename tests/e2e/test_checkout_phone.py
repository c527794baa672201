"""Checkout on a 390 px phone, with and without JavaScript, in English, Spanish and Chinese (issue 16)."""

from __future__ import annotations

import re

import pytest
from conftest import screenshot
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}
PREFIX = {"en": "", "es": "/es", "zh-hans": "/zh-hans"}
LOCALE = {"en": "en-US", "es": "es-MX", "zh-hans": "zh-CN"}


def phone_tab(browser, live_server, *, language: str, javascript: bool = True):
    context = browser.new_context(viewport=PHONE, locale=LOCALE[language], java_script_enabled=javascript,
                                  is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.base = live_server.url + PREFIX[language]
    tab.console_errors = []
    tab.on("console", lambda m: m.type == "error" and tab.console_errors.append(m.text))
    return context, tab


def add_steam_card(tab) -> None:
    """Put a Steam card in the cart the way a shopper without JavaScript can too (the pick form)."""
    tab.goto(tab.base + "/shop/us/brands/steam/")
    tab.locator(".denomination label").first.click()
    tab.locator("#quote button[name=add]").click()
    expect(tab).to_have_url(re.compile(r"/cart/$"))


def beside(tab, option) -> bool:
    """Return whether the option's radio sits on the same line as its network's name, to its left."""
    radio = option.locator("input").bounding_box()
    name = option.locator(".payment-network").bounding_box()
    same_line = radio["y"] < name["y"] + name["height"] and name["y"] < radio["y"] + radio["height"]
    return same_line and radio["x"] + radio["width"] <= name["x"]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("language", ["en", "es", "zh-hans"])
def test_on_a_phone_each_radio_sits_beside_its_network_and_the_summary_follows_the_coin(
    browser, live_server, language, javascript
):
    context, tab = phone_tab(browser, live_server, language=language, javascript=javascript)
    try:
        add_steam_card(tab)
        tab.goto(tab.base + "/checkout/")
        options = tab.locator(".payment-option")
        assert options.count() >= 6
        names = []
        for index in range(options.count()):
            option = options.nth(index)
            names.append(option.locator(".payment-network").inner_text())
            assert beside(tab, option), f"radio above its label: {names[-1]}"
        assert any("Polygon" in n for n in names) and any("ETH" in n or "Ethereum" in n for n in names)
        # No page wider than the phone.
        assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        summary = tab.locator(".order-summary .summary-coin:visible")
        expect(summary).to_have_count(1)
        expect(summary).to_contain_text("USDC")
        tab.locator(".payment-option:not(.is-suspended) input[value^='USDT|']").first.check()
        expect(summary).to_have_count(1)
        expect(summary).to_contain_text("USDT")
        expect(summary).not_to_contain_text("USDC")

        full_name_label = tab.locator("label[for=id_full_name]")
        tab.locator("input[value='USDT|Tron'], input[value='USDC|Tron']").first.check()
        expect(full_name_label).to_be_visible()
        expect(full_name_label.locator(".when-needed")).to_be_visible()
        expect(full_name_label.locator(".when-not-needed")).to_be_hidden()
        tab.locator(".payment-option:not(.is-suspended) input[value$='|Solana']").first.check()
        if javascript:
            expect(full_name_label).to_be_hidden()  # collapsed until a Tron network is picked
        else:
            expect(full_name_label.locator(".when-not-needed")).to_be_visible()
            expect(full_name_label.locator(".when-needed")).to_be_hidden()
        screenshot(tab, f"checkout-phone-{language}-{'js' if javascript else 'no-js'}")
        assert [e for e in tab.console_errors if "Content Security Policy" in e] == []
    finally:
        context.close()


def test_without_javascript_a_tron_order_without_a_name_comes_back_saying_it_is_required(
    browser, live_server
):
    context, tab = phone_tab(browser, live_server, language="es", javascript=False)
    try:
        add_steam_card(tab)
        tab.goto(tab.base + "/checkout/")
        tab.fill("#id_email", "ana@example.com")
        tab.locator("input[value='USDT|Tron']").check()
        tab.locator("[data-submit]").click()
        label = tab.locator("label[for=id_full_name]")
        expect(label.locator(".when-needed")).to_be_visible()
        expect(label.locator(".when-needed")).to_have_text(re.compile("obligatorio en Tron"))
        expect(label.locator(".when-not-needed")).to_be_hidden()
        expect(tab.locator("#id_email")).to_have_value("ana@example.com")
    finally:
        context.close()
