"""An expired form on a phone: the shop's page in the shopper's language, and back to what was typed."""

from __future__ import annotations

import re

import pytest
from conftest import screenshot
from playwright.sync_api import expect
from test_checkout_phone import PHONE, add_steam_card, phone_tab

pytestmark = pytest.mark.django_db(transaction=True)


def expire_the_form(tab) -> None:
    """Make the page's CSRF token stale, as a long-open tab or another tab's log-in does."""
    tab.context.add_cookies([{"name": "csrftoken", "value": "x" * 32, "url": tab.base}])


@pytest.mark.parametrize("language", ["es", "zh-hans"])
def test_an_expired_checkout_form_shows_the_shops_page_and_goes_back_with_what_was_typed(
    browser, live_server, language
):
    context, tab = phone_tab(browser, live_server, language=language)
    try:
        add_steam_card(tab)
        tab.goto(tab.base + "/checkout/")
        tab.fill("#id_email", "ana@example.com")
        expire_the_form(tab)
        tab.locator("[data-submit]").click()

        heading = {"es": "Este formulario caducó", "zh-hans": "此表单已过期"}[language]
        expect(tab.locator("h1")).to_have_text(heading)
        assert tab.locator("html").get_attribute("lang") == language
        expect(tab.locator(".site-header")).to_be_visible()
        assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert tab.evaluate("window.innerWidth") == PHONE["width"]  # the viewport meta, not 980 px
        screenshot(tab, f"csrf-failure-phone-{language}")

        tab.locator("[data-history-back]").click()
        expect(tab).to_have_url(re.compile(r"/checkout/$"))
        expect(tab.locator("#id_email")).to_have_value("ana@example.com")
        assert tab.console_errors == [] or all("403" in e for e in tab.console_errors), tab.console_errors
    finally:
        context.close()
