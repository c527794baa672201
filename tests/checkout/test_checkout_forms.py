"""Checkout form rules that need no upstream: phones, the Tron full-name rule, paused payment options."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from checkout.cart import CartLine
from checkout.forms import CheckoutForm
from checkout.phones import normalize_phone
from checkout.selectors import CartItem, PaymentOption
from storefront.upstream.schemas import Product

OPTIONS = [
    PaymentOption("USDC", "Solana", False),
    PaymentOption("USDC", "Tron", False),
    PaymentOption("USDT", "Arbitrum", True),
    PaymentOption("EURC", "Base", True),
]


def _item(line_id, *, kind="giftcard", country="US", delivery="by_email"):
    line = CartLine(
        id=line_id,
        country_code=country,
        family="brand",
        product_id=f"{country}-brand-25",
        denomination="25 USD",
        product_value=None,
        quantity=1,
    )
    product = Product(
        product_id=line.product_id,
        brand_name="Brand",
        kind=kind,
        country_code=country,
        denomination="25 USD",
        localized_denomination="$25",
        face_value=Decimal(25),
        currency="USD",
        coin_amount=Decimal("25.48"),
        delivery_type=delivery,
    )
    return CartItem(line=line, product=product, unit_coin_amount=Decimal("25.48"))


GIFT = _item("aaaa1111")
TOPUP_IT = _item("bbbb2222", kind="mobile_recharge", country="IT", delivery="by_phone")


def _form(**data):
    base = {
        "idempotency_key": str(uuid.uuid4()),
        "email": "buyer@example.com",
        "payment": "USDC|Solana",
        "beneficiary_aaaa1111": "",
        "beneficiary_bbbb2222": "0340 123 4567",
    }
    return CheckoutForm({**base, **data}, items=[GIFT, TOPUP_IT], payment_options=OPTIONS)


@pytest.mark.parametrize(
    "raw, country, e164",
    [
        ("0340 123 4567", "IT", "+393401234567"),
        ("340 123 4567", "IT", "+393401234567"),
        ("06 1234 5678", "IT", "+390612345678"),
        ("(415) 555-2671", "US", "+14155552671"),
        ("+1 415 555 2671", "US", "+14155552671"),
        ("0803 123 4567", "NG", "+2348031234567"),
    ],
)
def test_phones_are_parsed_in_the_items_country_and_normalized_to_e164(raw, country, e164):
    assert normalize_phone(raw, country_code=country) == e164


@pytest.mark.parametrize("raw", ["12", "not a phone", "+39 12", ""])
def test_a_phone_that_cannot_be_dialled_is_refused(raw):
    with pytest.raises(ValidationError, match="not a valid phone number for United States"):
        normalize_phone(raw, country_code="US")


def test_a_phone_from_another_country_is_refused_for_a_top_up():
    with pytest.raises(ValidationError, match="for Italy, so it needs a phone number from Italy"):
        normalize_phone("+1 415 555 2671", country_code="IT")


def test_the_normalized_phone_is_shown_back_in_the_form():
    form = _form()
    assert form.is_valid(), form.errors
    assert form.cleaned_data["beneficiary_bbbb2222"] == "+393401234567"
    assert form["beneficiary_bbbb2222"].value() == "+393401234567"


def test_a_bad_phone_keeps_what_was_typed():
    form = _form(beneficiary_bbbb2222="0340 12")
    assert not form.is_valid()
    assert "not a valid phone number" in form.errors["beneficiary_bbbb2222"][0]
    assert form["beneficiary_bbbb2222"].value() == "0340 12"


def test_a_gift_card_without_a_recipient_goes_to_the_buyer():
    form = _form()
    assert form.is_valid()
    data = form.checkout_data()
    assert data.lines[0].beneficiary_account == "buyer@example.com"
    assert data.lines[1].beneficiary_account == "+393401234567"


def test_a_bad_recipient_email_is_refused():
    form = _form(beneficiary_aaaa1111="friend@")
    assert not form.is_valid()
    assert "beneficiary_aaaa1111" in form.errors


def test_tron_needs_the_full_name():
    form = _form(payment="USDC|Tron")
    assert not form.is_valid()
    assert form.errors["full_name"] == ["Payments on Tron need your full name, as on your ID."]
    form = _form(payment="USDC|Tron", full_name="  Ada   Lovelace ")
    assert form.is_valid(), form.errors
    assert form.checkout_data().full_name == "Ada Lovelace"
    assert (form.checkout_data().coin, form.checkout_data().network) == ("USDC", "Tron")


def test_other_networks_do_not_need_the_full_name():
    assert _form(payment="USDC|Solana", full_name="").is_valid()


@pytest.mark.parametrize("payment", ["USDT|Arbitrum", "EURC|Base"])
def test_a_paused_coin_or_network_cannot_be_chosen(payment):
    form = _form(payment=payment)
    assert not form.is_valid()
    assert "paused" in form.errors["payment"][0]


def test_an_unknown_payment_option_is_refused():
    assert "payment" in _form(payment="BTC|Lightning").errors


def test_newsletter_is_off_unless_ticked():
    form = _form()
    assert form.is_valid() and form.checkout_data().accepted_newsletter is False
    form = _form(accepted_newsletter="on")
    assert form.is_valid() and form.checkout_data().accepted_newsletter is True
    unbound = CheckoutForm(items=[GIFT], payment_options=OPTIONS)
    assert "checked" not in str(unbound["accepted_newsletter"])


def test_promo_codes_are_trimmed_and_upper_cased():
    form = _form(promo_code="  save10 ")
    assert form.is_valid() and form.checkout_data().promo_code == "SAVE10"


def test_a_missing_idempotency_key_is_refused():
    assert "idempotency_key" in _form(idempotency_key="").errors


def test_renewing_the_key_keeps_everything_typed():
    form = _form(email="buyer@example.com", promo_code="SAVE10")
    form.is_valid()
    old = form["idempotency_key"].value()
    form.renew_idempotency_key()
    assert form["idempotency_key"].value() != old
    assert form["promo_code"].value() == "SAVE10"
