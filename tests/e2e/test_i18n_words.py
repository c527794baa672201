"""Every word a Spanish or Chinese shopper reads is in their language: categories and countries (issue 16)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from test_checkout_phone import phone_tab

from catalog.labels import CATEGORY_LABELS, KIND_LABELS

pytestmark = pytest.mark.django_db(transaction=True)
SHOP_LABELS = {str(label) for label in (*CATEGORY_LABELS.values(), *KIND_LABELS.values())} - {"eSIMs"}
ENGLISH_WORDS = sorted(SHOP_LABELS | {"Shopping", "Food", "United States", "Mobile top-up", "Gift card"})


def english_words_on(tab) -> list[str]:
    text = tab.locator("body").inner_text()
    return [word for word in ENGLISH_WORDS if re.search(rf"\b{re.escape(word)}\b", text)]


def test_the_english_pages_do_show_these_words(browser, live_server):
    context, tab = phone_tab(browser, live_server, language="en")
    try:
        tab.goto(tab.base + "/shop/us/brands/")
        assert len(english_words_on(tab)) >= 3  # the check below can see them when they are there
    finally:
        context.close()


@pytest.mark.parametrize("language", ["es", "zh-hans"])
def test_category_filters_badges_and_country_names_are_translated(browser, live_server, language):
    context, tab = phone_tab(browser, live_server, language=language)
    try:
        for path in ("/shop/us/", "/shop/us/brands/", "/shop/us/brands/steam/", "/shop/mx/brands/"):
            tab.goto(tab.base + path)
            assert english_words_on(tab) == [], (path, english_words_on(tab))
        # The checkout page too.
        tab.goto(tab.base + "/shop/us/brands/steam/")
        tab.locator(".denomination label").first.click()
        tab.locator("#quote button[name=add]").click()
        tab.goto(tab.base + "/checkout/")
        expect(tab.locator("h1")).to_be_visible()
        assert english_words_on(tab) == []
    finally:
        context.close()
