"""Numbers and dates read naturally in each language; what a shopper copies into a wallet stays exact."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import formats, timezone, translation
from sandbox_products import AMAZON_RANGE, STEAM_10

from catalog.templatetags.catalog_tags import amount
from orders import payment
from orders.models import Order, OrderItem
from orders.states import OrderState
from storefront.upstream.client import EndUser

pytestmark = pytest.mark.django_db

WALLET = "7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU"
PLACED_AT = datetime(2026, 3, 5, 14, 30, tzinfo=UTC)


@pytest.fixture
def open_order() -> Order:
    """An order for 25 USD of Amazon.com (a custom amount) waiting for its 25.48 USDC, 15.24 already in."""
    order = Order.objects.create(
        email="shopper@example.com",
        country_code="US",
        coin="USDC",
        network="Solana",
        state=OrderState.PARTIAL_PAYMENT_STARTED,
        upstream_order_id="sb-1",
        coin_amount=Decimal("25.48"),
        coin_amount_text="25.48",
        coin_amount_paid=Decimal("15.24"),
        coin_amount_due=Decimal("10.24"),
        wallet_address=WALLET,
        expires_at=timezone.now() + timedelta(minutes=20),
    )
    Order.objects.filter(pk=order.pk).update(created_at=PLACED_AT)
    OrderItem.objects.create(
        order=order,
        brand_name="Amazon.com",
        family="Amazon.com",
        country_code="US",
        denomination="range",
        localized_denomination="25 USD",
        product_value=Decimal("25"),
        face_value=Decimal("25"),
        currency="USD",
        beneficiary_account="shopper@example.com",
    )
    order.refresh_from_db()
    return order


def pick(product: dict, *, quantity: int = 1, amount: str = "") -> dict:
    """Return what the product page's pick form posts with "Add to cart" for a sandbox product."""
    return {
        "country": product["country"],
        "family": product["family"],
        "product": product["product_id"],
        "quantity": quantity,
        "amount": amount,
        "coin": "",
        "add": "1",
    }


def copied_values(page: str) -> dict[str, str]:
    """Return what each copy button of a page puts on the clipboard, by its target or attribute."""
    values = {}
    for target in re.findall(r'data-copy-target="#([\w-]+)"', page):
        element = re.search(rf'id="{target}"[^>]*>([^<]*)<', page)
        values[target] = html.unescape(element.group(1).strip())
    for index, text in enumerate(re.findall(r'data-copy="([^"]*)"', page)):
        values[f"data-copy-{index}"] = html.unescape(text)
    return values


@pytest.mark.parametrize("prefix", ["/es", "/zh-hans", ""])
def test_payment_page_copies_machine_exact_amounts_and_address(client, open_order, prefix):
    page = client.get(f"{prefix}/orders/{open_order.token}/").content.decode()
    assert copied_values(page) == {
        "coin-amount-due": "10.24",
        "coin-amount": "25.48",
        "wallet-address": WALLET,
    }
    assert "25,48" not in page and "10,24" not in page and "15,24" not in page


def test_payment_qr_code_carries_the_same_payload_in_every_language(client, open_order):
    end_user = EndUser(ip="127.0.0.1", user_agent="test", country_code="US")
    english_uri = payment.build_payment_uri(open_order, end_user=end_user)
    assert "10.24" in english_uri or "10240000" in english_uri  # the rest still due, never "10,24"
    for language in ("es", "zh-hans"):
        with translation.override(language):
            assert payment.build_payment_uri(open_order, end_user=end_user) == english_uri
            title = translation.gettext("QR code to pay this order")
        page = client.get(f"/{language}/orders/{open_order.token}/").content.decode()
        assert str(payment.qr_svg(english_uri, title=title)) in page


@pytest.mark.parametrize(
    ("prefix", "language", "month"),
    [("/es", "es", "marzo"), ("/zh-hans", "zh-hans", "3月"), ("", "en", "March")],
)
def test_order_date_is_written_in_the_page_language(client, open_order, prefix, language, month):
    page = client.get(f"{prefix}/orders/{open_order.token}/").content.decode()
    with translation.override(language):
        when = formats.date_format(PLACED_AT, "DATETIME_FORMAT")
    assert month in when and when in page


def test_cart_amounts_use_the_language_decimal_separator(client):
    # Two $10 Steam cards at 10.19 USDC each, posted as the product page's pick form posts them.
    client.post("/cart/add/", pick(STEAM_10, quantity=2))
    english = client.get("/cart/").content.decode()
    spanish = client.get("/es/cart/").content.decode()
    chinese = client.get("/zh-hans/cart/").content.decode()
    assert "20.38" in english and "10.19" in english
    assert "20,38" in spanish and "10,19" in spanish and "20.38" not in spanish
    assert "20.38" in chinese


def test_product_page_prices_use_the_language_decimal_separator(client):
    assert "10,19 USDC" in client.get("/es/shop/us/brands/steam/").content.decode()
    assert "10.19 USDC" in client.get("/zh-hans/shop/us/brands/steam/").content.decode()


def test_product_page_form_values_stay_machine_readable_in_spanish(client):
    page = client.get(
        "/es/shop/us/brands/amazon-com/",
        {"product": AMAZON_RANGE["product_id"], "amount": "40", "coin": "USDC"},
    ).content.decode()
    assert re.search(r'<input[^>]*name="amount"[^>]*value="40"', page)  # posted back as typed
    assert f'value="{AMAZON_RANGE["product_id"]}" data-range checked' in page
    assert "40,76" in page  # while the price the shopper reads is written the Spanish way


@pytest.mark.parametrize(("language", "expected"), [("en", "4.50"), ("es", "4,50"), ("zh-hans", "4.50")])
def test_amount_filter_keeps_the_upstream_digits_in_the_language_notation(language, expected):
    with translation.override(language):
        assert amount(Decimal("4.50")) == expected
        assert amount("25") == "25"
        assert amount(Decimal("1E+2")) == "100"
