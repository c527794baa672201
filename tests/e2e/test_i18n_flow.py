"""Spanish and Chinese shoppers buy a gift card: every page reads in their language, the upstream hears it."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import CHROMIUM_FLAGS, screenshot  # noqa: F401 - the e2e conftest, imported by name
from django.utils import translation
from playwright.sync_api import expect

from orders.models import Order
from storefront.upstream.client import CryptorefillsClient
from storefront.upstream.factory import get_sandbox_app

pytestmark = pytest.mark.django_db(transaction=True)


def t(language: str, message: str) -> str:
    """Return `message` in `language`, insisting that it is translated."""
    with translation.override(language):
        text = translation.gettext(message)
    assert text != message, f"{message!r} is not translated to {language}"
    return text


@pytest.fixture
def sent_bodies(monkeypatch) -> list[dict]:
    """Record the order bodies sent upstream (validation and creation), from the live server's thread too."""
    sent: list[dict] = []
    for name in ("validate_order", "create_order"):
        original = getattr(CryptorefillsClient, name)

        def spy(self, *, body, end_user, _original=original):
            sent.append(body)
            return _original(self, body=body, end_user=end_user)

        monkeypatch.setattr(CryptorefillsClient, name, spy)
    return sent


@pytest.fixture
def shopper(browser, live_server):
    """Open a tab for a shopper whose browser speaks `locale`, with clipboard access for copy buttons."""
    contexts = []

    def open_tab(locale: str):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        tab = context.new_page()
        tab.base = live_server.url
        return tab

    yield open_tab
    for context in contexts:
        context.close()


def product_langs() -> list[str]:
    langs = []
    for _method, path, _headers in get_sandbox_app().request_log:
        url = urlsplit(path)
        if url.path.startswith("/v5/products/country/"):
            langs.append(parse_qs(url.query).get("lang", [""])[0])
    return langs


def buy_steam_10(page, *, language: str, prefix: str, denomination: str, price: str, name: str) -> Order:
    """From the Steam product page to the payment page for a $10 card, checking the text in `language`."""
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.locator("label", has_text=denomination).first.click()
    expect(page.locator("#coin-amount")).to_have_text(price)
    screenshot(page, f"i18n-{name}-product")
    page.locator("#quote button", has_text=t(language, "Add to cart")).click()

    expect(page).to_have_url(re.compile(rf"{prefix}/cart/$"))
    expect(page.get_by_role("heading", name=t(language, "Your cart"))).to_be_visible()
    expect(page.locator(".cart-line").first).to_contain_text(denomination)
    expect(page.locator("[data-cart-total]")).to_have_text(price)
    expect(page.locator(".messages")).to_contain_text(
        t(language, "%(brand)s was added to your cart.") % {"brand": "Steam"}
    )
    screenshot(page, f"i18n-{name}-cart")
    page.get_by_role("link", name=t(language, "Go to checkout")).click()

    expect(page).to_have_url(re.compile(rf"{prefix}/checkout/$"))
    expect(page.get_by_role("heading", name=t(language, "Checkout"), exact=True)).to_be_visible()
    expect(page.locator("body")).to_contain_text(t(language, "Your receipt and the order link go here."))
    page.fill("#id_email", "not-an-email")
    page.get_by_role("button", name=t(language, "Place order and get the payment address")).click()
    expect(page.locator("#field-email .errorlist")).to_be_visible()
    assert "Enter a valid email address" not in page.locator("#field-email .errorlist").inner_text()
    expect(page.locator("#id_email")).to_have_value("not-an-email")
    screenshot(page, f"i18n-{name}-checkout-error")
    page.fill("#id_email", "buyer@example.com")
    page.get_by_role("button", name=t(language, "Place order and get the payment address")).click()

    expect(page).to_have_url(re.compile(rf"{prefix}/orders/[\w-]+/$"))
    order = Order.objects.get()
    expect(page.locator("#coin-amount")).to_have_text(order.coin_amount_text)
    assert "," not in order.coin_amount_text
    expect(page.locator("#wallet-address")).to_have_text(order.wallet_address)
    expect(page.locator("body")).to_contain_text(t(language, "Amount to send, exactly"))
    expect(page.locator(".network-warning")).to_contain_text(
        t(
            language,
            "Send only %(coin)s on the %(network)s network. Coins sent on any other network, "
            "or any other coin, cannot be recovered automatically.",
        )
        % {"coin": order.coin, "network": order.network}
    )
    expect(page.locator(".order-private")).to_contain_text(
        t(
            language,
            "This page is private: anyone with its "
            "address can see your order and its codes. "
            "Bookmark it, but do not share it.",
        )
    )
    # A wallet takes the amount exactly as the upstream gave it, whatever the page language.
    copy = page.locator('[data-copy-target="#coin-amount"]')
    copy.click()
    expect(copy).to_have_text(t(language, "Copied"))
    assert page.evaluate("navigator.clipboard.readText()") == order.coin_amount_text
    screenshot(page, f"i18n-{name}-payment")
    return order


def test_spanish_shopper_is_guessed_and_buys_in_spanish(shopper, sent_bodies):
    page = shopper("es-ES")
    page.goto(page.base + "/")
    expect(page).to_have_url(re.compile(r"/es/shop/es/$"))  # Spain, in Spanish, from Accept-Language
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("body")).to_contain_text("Tu billetera, tus llaves")
    screenshot(page, "i18n-es-home")

    page.goto(page.base + "/es/shop/us/brands/steam/")
    order = buy_steam_10(page, language="es", prefix="/es", denomination="10 US$", price="10,19", name="es")

    expect(page.locator("#status-headline")).to_have_text(
        re.compile("Esperando tu pago|Tu pedido se realizó")
    )
    expect(page.locator(".pay-troubles summary")).to_have_text(
        "¿Enviaste de menos, tarde o en la red equivocada?"
    )
    assert order.lang == "es"
    assert [body["lang"] for body in sent_bodies] == ["es", "es"]
    assert product_langs() and set(product_langs()) == {"es"}


def test_chinese_shopper_switches_language_and_buys_in_chinese(shopper, sent_bodies):
    page = shopper("en-US")
    page.goto(page.base + "/shop/us/brands/steam/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.select_option("#language-select", "zh-hans")
    page.locator("#language-submit").click()  # the select alone changes nothing (WCAG 3.2.2)
    # The switcher keeps the shopper on the same product page.
    expect(page).to_have_url(re.compile(r"/zh-hans/shop/us/brands/steam/$"))
    order = buy_steam_10(
        page, language="zh-hans", prefix="/zh-hans", denomination="10 美元", price="10.19", name="zh"
    )

    expect(page.locator(".pay-troubles summary")).to_have_text(
        t("zh-hans", "Sent too little, too late, or on the wrong network?")
    )
    assert order.lang == "zh"
    assert [body["lang"] for body in sent_bodies] == ["zh", "zh"]
    assert set(product_langs()) == {"en", "zh"}  # English before the switch, Chinese after

    # Back to English from the secret order page: the same order, in English.
    page.select_option("#language-select", "en")
    page.locator("#language-submit").click()  # the select alone changes nothing (WCAG 3.2.2)
    expect(page).to_have_url(re.compile(rf"^{re.escape(page.base)}/orders/{order.token}/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("body")).to_contain_text("Amount to send, exactly")


def test_switcher_keeps_an_htmx_search_when_changing_language(shopper):
    page = shopper("en-US")
    page.goto(page.base + "/shop/us/brands/")
    page.fill("#id_q", "ama")
    page.locator("#id_q").press("Enter")
    expect(page).to_have_url(re.compile(r"/shop/us/brands/\?.*q=ama"))
    page.select_option("#language-select", "es")
    page.locator("#language-submit").click()  # the select alone changes nothing (WCAG 3.2.2)
    expect(page).to_have_url(re.compile(r"/es/shop/us/brands/\?.*q=ama"))
    expect(page.locator("#id_q")).to_have_value("ama")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    screenshot(page, "i18n-es-brands-search")
