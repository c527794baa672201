"""The catalog's forms: amounts typed by shoppers, range checks and search filters."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog.forms import BrandSearchForm, ProductChoiceForm, parse_amount, suggested_amount
from storefront.upstream.schemas import Product, ProductRange


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("25", Decimal("25")), (" 12.5 ", Decimal("12.5")), ("12,5", Decimal("12.5")),
        ("1,000", Decimal("1000")), ("1,000.50", Decimal("1000.50")),
        ("abc", None), ("", None), ("1e3", None), ("Infinity", None), ("NaN", None),
    ],
)
def test_parse_amount(raw, expected):
    assert parse_amount(raw) == expected


@pytest.mark.parametrize(
    ("low", "high", "step", "expected"),
    [("2", "500", "1", "25"), ("50", "50000", "1", "50"), ("10", "150", "5", "25"), ("3", "100", "7", "31"),
     ("1", "10", "1", "10")],
)
def test_suggested_amount_is_inside_the_range_and_on_its_step(low, high, step, expected):
    value_range = ProductRange(min=Decimal(low), max=Decimal(high), step_size=Decimal(step))
    assert suggested_amount(value_range) == Decimal(expected)


# As the live API sends them: a range product has no denomination; a fixed one's price is a string.
RANGE = Product(
    product_id="r", is_dynamic=True,
    face_value={"currency_code": "EUR", "amount": {"type": "range", "min": "10.00", "max": "150.00"}},
    range=ProductRange(min=Decimal("10"), max=Decimal("150"), currency="EUR", step_size=Decimal("5")),
)
FIXED = Product(
    product_id="f", denomination="25 EUR", localized_denomination="25 €",
    face_value={"currency_code": "EUR", "amount": {"type": "fixed", "price": "25"}},
)


def choose(**data) -> ProductChoiceForm:
    form = ProductChoiceForm({"coin": "USDC", **data}, products=[FIXED, RANGE])
    form.is_valid()
    return form


def test_a_fixed_denomination_needs_no_amount():
    form = choose(product="f", amount="whatever")
    assert form.is_valid()
    assert form.cleaned_data["face_value"] == Decimal("25")


def test_a_range_amount_on_the_step_is_accepted():
    form = choose(product="r", amount="35")
    assert form.is_valid()
    assert form.cleaned_data["face_value"] == Decimal("35")


@pytest.mark.parametrize(
    ("amount", "message"),
    [("5", "The smallest amount is 10 EUR."), ("155", "The largest amount is 150 EUR."),
     ("12", "Choose an amount in steps of 5 EUR from 10, for example 25."), ("ten", "as a number")],
)
def test_a_range_amount_off_limits_is_refused_with_a_clear_message(amount, message):
    form = choose(product="r", amount=amount)
    assert not form.is_valid()
    assert message in form.errors["amount"][0]
    assert form.cleaned_data["product_obj"] is RANGE
    assert form.cleaned_data["face_value"] is None


def test_search_form_drops_filters_that_are_not_on_offer():
    form = BrandSearchForm({"q": "  Steam  ", "kind": "weapons", "category": "gaming"},
                           kinds=("giftcard",), categories=("gaming",))
    filters = form.filters()
    assert (filters.query, filters.kind, filters.category) == ("Steam", "", "gaming")


def test_categories_are_offered_by_readable_names_known_or_humanized():
    form = BrandSearchForm({}, kinds=("giftcard", "esim"), categories=("e-commerce", "e-sim", "pet_supplies"))
    assert form.fields["category"].choices[1:] == [
        ("e-commerce", "Online shopping"), ("e-sim", "eSIMs"), ("pet_supplies", "Pet supplies")]
    assert form.fields["kind"].choices[1:] == [("giftcard", "Gift cards"), ("esim", "eSIMs")]


def test_the_product_choice_shows_each_products_label():
    assert ProductChoiceForm(products=[FIXED, RANGE]).fields["product"].choices == [
        ("f", "25 €"), ("r", "10 - 150 EUR")]


def test_search_query_is_cut_to_a_sane_length():
    form = BrandSearchForm({"q": "x" * 500}, kinds=(), categories=())
    assert len(form.filters().query) == 80
