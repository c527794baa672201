"""Every live-shaped fixture, served over HTTP by the stand-in, read through the shop's own client.

Each test asserts what the shop relies on from that answer, in the terms a shopper would check:
a brand listed once, its labels, a range's bounds, a face value, problems explained, codes shown.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from standin import ORDER_ID, fixture_json, malformed_brand_id

from storefront.upstream import errors, schemas
from storefront.upstream.client import EndUser

SHOPPER = EndUser(ip="203.0.113.7", user_agent="Mozilla/5.0 (contract)", country_code="US")
CREATED_AT = datetime(2026, 8, 29, 14, 5, 45, tzinfo=UTC)  # 1788012345


def _products(client, family: str) -> list[schemas.Product]:
    families = client.products(
        country_code="US", family_name=family, coin="USDC", lang="en", end_user=SHOPPER
    )
    return schemas.family_products(families)


def _order(client, standin, fixture: str) -> schemas.Order:
    standin.order_fixture = fixture
    return client.get_order(order_id=ORDER_ID, end_user=SHOPPER)


# -- requests ---------------------------------------------------------------------------------------


def test_every_call_names_the_partner_and_the_end_user(standin_client, live_standin):
    standin_client.brands(country_code="US", end_user=SHOPPER)
    headers = {k.lower(): v for k, v in live_standin.requests[-1].headers.items()}
    assert headers["x-cr-application"] == "contract-partner"
    assert headers["x-forwarded-for"] == "203.0.113.7"
    assert headers["x-country-iso-code"] == "US"


# -- brands -----------------------------------------------------------------------------------------


def test_amazon_is_found_once_though_listed_in_two_categories(standin_client):
    catalog = standin_client.brands(country_code="US", end_user=SHOPPER)
    names = [brand.brand for brand in catalog.unique_brands()]
    assert names.count("Amazon.com") == 1
    assert len(names) == len(set(names))
    listed_in = [c.category for c in catalog.categories if any(b.brand == "Amazon.com" for b in c.brands)]
    assert len(listed_in) >= 2


def test_brand_labels_are_kept_as_the_upstream_wrote_them(standin_client):
    brands = {b.brand: b for b in standin_client.brands(country_code="US", end_user=SHOPPER).unique_brands()}
    assert (brands["Amazon.com"].min, brands["Amazon.com"].max) == ("$5", "$500")
    assert (brands["eSIM"].min, brands["eSIM"].max) == ("1 GB 3 days", "50 GB 90 days")


def test_brand_slugs_round_trip_and_esims_are_filed_as_esims(standin_client):
    brands = standin_client.brands(country_code="US", end_user=SHOPPER).unique_brands()
    by_slug = {b.slug: b for b in brands}
    assert by_slug["amazon-com"].family == "Amazon.com"
    esim = by_slug["esim"]
    assert (esim.kind, esim.category, esim.shop_kind) == ("mobile_recharge", "e-sim", "esim")
    lycamobile = [b.brand for b in brands if b.slug == "lycamobile"]
    assert lycamobile == ["Lycamobile Credits", "Lycamobile Bundle"]


def test_a_malformed_brand_is_left_out_and_reported_and_the_rest_shown(standin_client, live_standin):
    live_standin.brands_fixture = "brands_us_one_malformed.json"
    malformed_id = malformed_brand_id()
    with schemas.collect_parse_report() as report:
        catalog = standin_client.brands(country_code="US", end_user=SHOPPER)
    assert {item_id for _, item_id, _ in report.skipped} == {malformed_id}
    assert any("brand" in reason for _, _, reason in report.skipped)
    names = {b.brand for b in catalog.unique_brands()}
    assert {"Amazon.com", "Steam", "eSIM", "Lycamobile Credits"} <= names


# -- products and prices ----------------------------------------------------------------------------


def test_amazon_is_a_range_from_5_to_500_ordered_as_range(standin_client):
    product = _products(standin_client, "Amazon.com")[0]
    assert product.is_range
    assert (product.value_range.min, product.value_range.max) == (Decimal(5), Decimal(500))
    assert product.value is None
    assert product.currency == "USD"
    assert product.order_denomination == "range"
    assert product.brand_name == "Amazon.com"


def test_steam_is_a_fixed_10_usd_product_with_its_coin_amount(standin_client):
    product = _products(standin_client, "Steam")[0]
    assert not product.is_range
    assert product.value == Decimal(10)
    assert product.order_denomination == "10 USD"
    assert product.coin_amount == Decimal("11.26")
    assert product.label == "$10"


def test_every_fixed_face_value_form_reads_as_a_number(standin_client):
    values = [p.value for p in _products(standin_client, "Steam")]
    assert values == [Decimal(10), Decimal(20), Decimal(50), Decimal(100)]


def test_the_family_brings_its_html_texts_and_terms(standin_client):
    (family,) = standin_client.products(
        country_code="US", family_name="Amazon.com", coin="USDC", lang="en", end_user=SHOPPER
    )
    assert family.product_tc
    assert family.rich_description.description
    assert family.rich_description.how_to_redeem


def test_esims_are_mobile_recharge_in_e_sim_and_filed_as_esims(standin_client):
    products = _products(standin_client, "eSIM")
    assert products
    assert {(p.kind, p.category, p.shop_kind) for p in products} == {("mobile_recharge", "e-sim", "esim")}
    assert products[0].label == "1 GB 3 days"


def test_lycamobile_brands_each_keep_their_own_delivery_type(standin_client):
    products = _products(standin_client, "Lycamobile")
    assert {p.brand_name for p in products} == {"Lycamobile Credits", "Lycamobile Bundle"}
    assert {p.delivery_type for p in products} == {"by_phone", "by_email"}
    by_email = [p for p in products if not p.delivered_by_phone]
    assert len(by_email) == 1


def test_a_family_name_is_matched_whatever_its_case(standin_client):
    assert _products(standin_client, "amazon.com")


def test_the_price_of_a_range_amount_is_its_coin_amount(standin_client):
    price = standin_client.price(
        brand_name="Amazon.com", country_code="US", face_value=Decimal(100), coin="USDC", end_user=SHOPPER
    )
    assert price.coin_amount == Decimal("101.48")
    assert price.range.min == Decimal(5)


# -- validation and errors --------------------------------------------------------------------------


def test_a_valid_order_has_no_problems(standin_client):
    result = standin_client.validate_order(body={"email": "jane.doe@example.com"}, end_user=SHOPPER)
    assert result.is_valid
    assert result.problems == []
    assert result.deliveries[0].deliverable.brand_name == "Amazon.com"


def test_an_empty_problems_list_is_valid_too():
    assert schemas.ValidationResult.model_validate(fixture_json("validation_ok_empty_list.json")).is_valid


def test_problems_carry_more_details_as_object_or_text(standin_client):
    result = standin_client.validate_order(body={"email": "problems@example.com"}, end_user=SHOPPER)
    assert not result.is_valid
    details = {p.problem: p.more_details for p in result.problems}
    assert isinstance(details["KYC_MISSING"], dict)
    assert "reason" in details["KYC_MISSING"]
    assert isinstance(details["UNSUPPORTED_PROTOCOL_COIN_COMBINATION"], str)


@pytest.mark.parametrize(
    ("fixture", "status", "detail"),
    [
        ("error_detail_422.json", 422, "LOGIN_REQUIRED"),
        ("error_status_detail.json", 400, "SUSPENDED_COIN"),
        ("error_status_detail_number.json", 400, "SUSPENDED_NETWORK"),
        ("error_message.json", 500, "Internal server error"),
        ("error_error.json", 400, "Product not available in this country"),
        ("error_reason.json", 429, "Too many requests, please retry later"),
    ],
)
def test_every_error_body_gives_its_code_or_message(standin_client, live_standin, fixture, status, detail):
    live_standin.override("POST", "/v5/orders", status=status, fixture=fixture, headers={"Retry-After": "7"})
    with pytest.raises(errors.UpstreamStatusError) as caught:
        standin_client.create_order(body={"email": "jane.doe@example.com"}, end_user=SHOPPER)
    assert caught.value.status_code == status
    assert caught.value.detail == detail
    if status == 429:
        assert isinstance(caught.value, errors.UpstreamRateLimited)
        assert caught.value.retry_after == 7


def test_an_error_with_more_details_keeps_them(standin_client, live_standin):
    live_standin.override("POST", "/v5/orders", status=400, fixture="error_status_detail_number.json")
    with pytest.raises(errors.UpstreamStatusError) as caught:
        standin_client.create_order(body={}, end_user=SHOPPER)
    assert caught.value.more_details == "Tron is temporarily suspended"
    assert caught.value.upstream_status == "400"


# -- orders -----------------------------------------------------------------------------------------


def test_a_new_order_waits_for_payment_with_a_window_from_its_request_time(standin_client, live_standin):
    order = standin_client.create_order(body={"email": "jane.doe@example.com"}, end_user=SHOPPER)
    assert (order.order_state, order.payment_state) == ("WaitingForPayment", "WalletCreated")
    assert order.expires_at is None
    # The stand-in serves its orders as created when it started, so their windows are open.
    assert order.window_opened_at == order.payment_requested_at
    assert order.window_opened_at.timestamp() == pytest.approx(live_standin.started, abs=1)
    assert order.amount_due == Decimal("36.63")
    assert order.qr_text.startswith("solana:")
    assert order.buyer_email == "jane.doe@example.com"
    assert [d.id for d in order.deliveries] and all(d.id for d in order.deliveries)


def test_a_partial_payment_leaves_the_rest_due(standin_client, live_standin):
    order = _order(standin_client, live_standin, "order_partial.json")
    assert order.sent_coin_amount > 0
    assert order.amount_due == order.coin_amount - order.sent_coin_amount


@pytest.mark.parametrize(
    "fixture", ["order_done.json", "order_done_docs_spelling.json", "order_late_done.json"]
)
def test_a_done_order_shows_every_delivered_field(standin_client, live_standin, fixture):
    order = _order(standin_client, live_standin, fixture)
    assert order.order_state == "Done"
    assert order.is_terminal
    amazon = order.deliveries[0]
    assert amazon.is_delivered
    assert set(amazon.deliverable.delivered()) == set(schemas.DELIVERED_FIELDS)
    assert amazon.deliverable.pin_serial == "6021934857"
    assert "<" in amazon.deliverable.redeem_instructions  # HTML, for the sanitizer


def test_a_done_order_pays_in_either_spelling(standin_client, live_standin):
    for fixture in ("order_done.json", "order_done_docs_spelling.json"):
        assert _order(standin_client, live_standin, fixture).payment_state in schemas.PAYMENT_COMPLETED_STATES


def test_a_late_payment_after_expiry_is_done(standin_client, live_standin):
    order = _order(standin_client, live_standin, "order_late_done.json")
    assert (order.order_state, order.payment_state) == ("Done", "ExpiredAfterPaymentDetection")


@pytest.mark.parametrize("fixture", ["order_canceled.json", "order_cancelled_spelling.json"])
def test_a_cancelled_order_is_canceled_and_terminal(standin_client, live_standin, fixture):
    order = _order(standin_client, live_standin, fixture)
    assert order.order_state == "Canceled"
    assert order.is_terminal


def test_an_expired_order_is_terminal_without_codes(standin_client, live_standin):
    order = _order(standin_client, live_standin, "order_expired.json")
    assert order.order_state == "Expired"
    assert order.is_terminal
    assert not any(d.deliverable.delivered() for d in order.deliveries)


def test_an_unknown_state_is_kept_as_sent(standin_client, live_standin):
    order = _order(standin_client, live_standin, "order_unknown_state.json")
    assert order.order_state == "OnHold"
    assert not order.is_terminal


@pytest.mark.parametrize(
    "value", ["1788012345", 1788012345, 1788012345.0, "1788012345.000", 1788012345000, "2026-08-29T14:05:45Z"]
)
def test_timestamps_read_in_every_form_the_upstream_sends(value):
    raw = copy.deepcopy(fixture_json("order_created.json"))
    raw["created_at"] = raw["payment_requested_at"] = value
    order = schemas.Order.model_validate(raw)
    assert order.created_at == CREATED_AT
    assert order.window_opened_at == CREATED_AT


def test_fractional_timestamps_keep_their_fraction():
    order = schemas.Order.model_validate(fixture_json("order_done.json"))
    assert order.created_at.timestamp() == pytest.approx(1788012345.482)
    assert order.updated_at.timestamp() == pytest.approx(1788012986.75)


def test_the_stream_sends_the_order_in_each_message_and_stops(standin_client):
    with standin_client.subscribe_order(order_id=ORDER_ID, end_user=SHOPPER) as events:
        received = list(events)
    assert [e.event for e in received][-1] == "stop"
    states = [
        schemas.Order.model_validate(json.loads(e.data)).order_state for e in received if e.event == "message"
    ]
    assert states == ["WaitingForPayment", "PaymentStarted", "Done"]


# -- payment vias and countries ---------------------------------------------------------------------


def test_only_user_wallet_stablecoins_are_offered_with_their_open_networks(standin_client):
    offered = schemas.offered_currencies(standin_client.payment_vias(end_user=SHOPPER))
    assert {c.name for c in offered} <= {"USDC", "USDT"}
    assert "USDC" in {c.name for c in offered}
    usdc = next(c for c in offered if c.name == "USDC")
    solana = next(n for n in usdc.networks if n.name == "Solana")
    assert solana.threshold > 0
    assert solana.smart_contract.address == "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"
    assert all(not n.is_suspended for c in offered for n in c.networks)


def test_available_countries_give_codes_and_names_kosovo_included(standin_client):
    countries = {c.code: c.name for c in standin_client.available_countries(end_user=SHOPPER).countries}
    assert countries["US"] == "United States"
    assert "XK" in countries


def test_a_bare_list_of_countries_is_read_too():
    bare = fixture_json("available_countries.json")["countries"]
    assert [c.code for c in schemas.CountryList.model_validate(bare).countries][:2] == ["US", "ES"]


def test_an_answer_that_does_not_parse_names_the_endpoint_and_the_models_error(standin_client, live_standin):
    live_standin.override("GET", f"/v5/orders/{ORDER_ID}", status=200, fixture="brands_us.json")
    with pytest.raises(errors.UpstreamResponseError) as caught:
        standin_client.get_order(order_id=ORDER_ID, end_user=SHOPPER)
    assert f"GET /v5/orders/{ORDER_ID}" in str(caught.value)
    assert "2 validation errors for Order: order_id: Field required" in str(caught.value)


def test_the_stand_in_answers_400_without_a_family_as_live(standin_client, live_standin):
    with pytest.raises(errors.UpstreamStatusError) as caught:
        standin_client._get("/v5/products/country/US", list, end_user=SHOPPER)
    assert caught.value.status_code == 400


def test_the_stand_in_serves_only_what_it_has(live_standin):
    assert httpx.get(f"{live_standin.base_url}/v9/unknown").status_code == 404
