"""Catalog data and pricing arithmetic."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storefront.sandbox import pricing
from storefront.sandbox.catalog import get_catalog, slugify
from storefront.sandbox.catalog_data import COUNTRIES, COUNTRY_CURRENCY


def test_countries_are_233_unique_codes():
    assert len(COUNTRIES) == 233 and len(dict(COUNTRIES)) == 233


def test_every_product_country_is_a_supported_country():
    catalog = get_catalog()
    assert set(catalog.brands) == set(COUNTRY_CURRENCY)
    assert all(catalog.is_country(code) for code in catalog.brands)


@pytest.mark.parametrize(
    ("usd", "coin", "expected"),
    [("25", "USDC", "25.48"), ("25", "USDT", "25.60"), ("100", "USDC", "101.90"), ("0.065", "USDC", "0.07")],
)
def test_coin_amount_is_usd_plus_fee_rounded_to_cents(usd, coin, expected):
    assert pricing.coin_amount(Decimal(usd), coin) == Decimal(expected)


def test_local_currencies_convert_to_usd():
    assert pricing.to_usd(Decimal("200"), "MXN") == Decimal("11.7000")


def test_catalog_has_special_brands():
    catalog = get_catalog()
    flags = [flag for brands in catalog.brands.values() for brand in brands for flag in brand.flags]
    assert flags.count("paused") == 1 and flags.count("login") == 1
    assert {b.name for bs in catalog.brands.values() for b in bs if "limited" in b.flags} >= {
        "PlayStation Store",
        "Razer Gold",
    }


def test_slugify_makes_url_safe_families():
    assert slugify("AT&T México") == "at-t-mexico"
    assert slugify("Everything Apple") == "everything-apple"


def test_simulate_actions_are_offered_by_the_state_they_fit():
    from storefront.sandbox.simulate import SIMULATE_ACTIONS, actions_for

    assert actions_for("WaitingForPayment") == ("pay", "partial", "late", "expire", "fail", "cancel")
    assert actions_for("PartialPaymentStarted") == ("pay_rest", "late", "expire", "fail", "cancel")
    assert actions_for("OnHold") == ("resolve", "refund")
    assert actions_for("Done") == ()
    assert "cancel" in SIMULATE_ACTIONS


def test_families_are_display_names_and_brand_ids_stable():
    catalog = get_catalog()
    lycamobile = catalog.find_family("US", "lycamobile")
    assert [b.name for b in lycamobile] == ["Lycamobile Credits", "Lycamobile Bundle"]
    (amazon,) = catalog.find_family("US", "Amazon.com")
    assert (amazon.slug, amazon.categories) == (
        "amazon-com",
        ("e-commerce", "entertainment", "books_learning"),
    )
    assert amazon.brand_id == get_catalog().find_brand("US", "amazon.com").brand_id
