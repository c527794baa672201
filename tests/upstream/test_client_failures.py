"""Each failure path of the partner API client, against a mocked upstream (respx)."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
import respx

from storefront.upstream import errors, schemas
from storefront.upstream.client import ClientConfig, CryptorefillsClient, EndUser

API = "https://api.test"
ORDER_BODY = {"email": "a@b.co", "deliveries": []}
ORDER_JSON = {"order_id": "ord_1", "order_state": "WaitingForPayment", "coin_amount": "25.48"}


@pytest.fixture
def upstream():
    with respx.mock(base_url=API, assert_all_called=False) as mock:
        yield mock


@pytest.fixture
def client():
    config = ClientConfig(
        base_url=API,
        partner_id="partner-123",
        app_version="shop/9.9",
        site_url="https://site.test",
        timeout=httpx.Timeout(1.0),
        get_retries=2,
        backoff_seconds=0.001,
        max_backoff_seconds=0.01,
    )
    client = CryptorefillsClient(config)
    yield client
    client.close()


@pytest.fixture
def shopper():
    return EndUser(ip="198.51.100.4", user_agent="ShopperBrowser/1.0", country_code="gb")


def test_every_request_carries_partner_version_and_end_user_headers(upstream, client, shopper):
    route = upstream.get("/v3/payment_vias").respond(json=[])
    client.payment_vias(end_user=shopper)
    headers = route.calls.last.request.headers
    assert headers["X-Cr-Application"] == "partner-123"
    assert headers["X-Cr-Version"] == "shop/9.9"
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Forwarded-For"] == "198.51.100.4"
    assert headers["User-Agent"] == "ShopperBrowser/1.0"
    assert headers["X-Country-ISO-Code"] == "GB"


def test_connect_error_on_get_is_retried_then_raised(upstream, client, shopper):
    route = upstream.get("/v3/payment_vias").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(errors.UpstreamConnectionError):
        client.payment_vias(end_user=shopper)
    assert route.call_count == 3


def test_timeout_raises_upstream_timeout(upstream, client, shopper):
    upstream.get("/v5/orders/ord_1").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(errors.UpstreamTimeout):
        client.get_order(order_id="ord_1", end_user=shopper)


def test_server_error_then_success_on_get_is_retried(upstream, client, shopper):
    route = upstream.get("/v5/orders/ord_1").mock(
        side_effect=[
            httpx.Response(503, json={"status": 503, "detail": "BUSY"}),
            httpx.Response(200, json=ORDER_JSON),
        ]
    )
    order = client.get_order(order_id="ord_1", end_user=shopper)
    assert order.order_state == "WaitingForPayment"
    assert route.call_count == 2


def test_server_error_on_post_is_not_retried(upstream, client, shopper):
    route = upstream.post("/v5/orders").respond(500, json={"status": 500, "detail": "INTERNAL_ERROR"})
    with pytest.raises(errors.UpstreamServerError) as caught:
        client.create_order(body=ORDER_BODY, end_user=shopper)
    assert route.call_count == 1
    assert caught.value.status_code == 500
    assert caught.value.detail == "INTERNAL_ERROR"


def test_connect_error_on_post_is_not_retried(upstream, client, shopper):
    route = upstream.post("/v5/orders").mock(side_effect=httpx.ConnectError("reset"))
    with pytest.raises(errors.UpstreamConnectionError):
        client.create_order(body=ORDER_BODY, end_user=shopper)
    assert route.call_count == 1


def test_rate_limit_is_retried_and_then_reported(upstream, client, shopper):
    route = upstream.get("/v2/brands").respond(
        429, headers={"Retry-After": "0"}, json={"detail": "SLOW_DOWN"}
    )
    with pytest.raises(errors.UpstreamRateLimited) as caught:
        client.brands(country_code="US", end_user=shopper)
    assert route.call_count == 3
    assert caught.value.status_code == 429


def test_rate_limit_then_success_returns_the_answer(upstream, client, shopper):
    upstream.get("/v2/brands").mock(
        side_effect=[httpx.Response(429), httpx.Response(200, json={"country_code": "US", "categories": []})]
    )
    assert client.brands(country_code="US", end_user=shopper).country_code == "US"


def test_malformed_json_is_a_response_error(upstream, client, shopper):
    upstream.get("/v2/homepage").respond(
        200, content=b"{not json", headers={"Content-Type": "application/json"}
    )
    with pytest.raises(errors.UpstreamResponseError, match="malformed JSON"):
        client.homepage(country_code="US", end_user=shopper)


def test_schema_mismatch_is_a_response_error(upstream, client, shopper):
    upstream.get("/v5/orders/ord_1").respond(200, json={"order_state": "Done"})  # no order_id
    with pytest.raises(errors.UpstreamResponseError, match="validation error"):
        client.get_order(order_id="ord_1", end_user=shopper)


def test_unknown_fields_and_missing_optional_ones_are_tolerated(upstream, client, shopper):
    upstream.get("/v5/orders/ord_1").respond(200, json={**ORDER_JSON, "brand_new_field": {"x": 1}})
    order = client.get_order(order_id="ord_1", end_user=shopper)
    assert order.wallet_address is None
    assert order.model_extra["brand_new_field"] == {"x": 1}
    assert str(order.coin_amount) == "25.48"


def test_http_level_detail_is_parsed(upstream, client, shopper):
    upstream.post("/v5/orders/validations").respond(400, json={"status": 400, "detail": "SUSPENDED_COIN"})
    with pytest.raises(errors.UpstreamStatusError) as caught:
        client.validate_order(body=ORDER_BODY, end_user=shopper)
    assert caught.value.detail == "SUSPENDED_COIN"


def test_problems_list_of_an_error_body_is_parsed(upstream, client, shopper):
    upstream.post("/v5/orders").respond(
        422,
        json={
            "status": 422,
            "detail": "VALIDATION_FAILED",
            "problems": [
                {"problem": "OUT_OF_STOCK"},
                {"problem": "NOT_ALLOWED_PAYMENT_VIA", "moreDetails": ["USER_WALLET"]},
            ],
        },
    )
    with pytest.raises(errors.UpstreamStatusError) as caught:
        client.create_order(body=ORDER_BODY, end_user=shopper)
    assert caught.value.problem_codes == ["OUT_OF_STOCK", "NOT_ALLOWED_PAYMENT_VIA"]
    assert caught.value.problems[1].more_details == ["USER_WALLET"]


def test_client_error_on_get_is_not_retried(upstream, client, shopper):
    route = upstream.get("/v5/orders/nope").respond(404, json={"status": 404, "detail": "ORDER_NOT_FOUND"})
    with pytest.raises(errors.UpstreamStatusError):
        client.get_order(order_id="nope", end_user=shopper)
    assert route.call_count == 1


def test_stream_error_status_is_raised_before_any_event(upstream, client, shopper):
    upstream.get("/v5/orders/ord_1/subscribe").respond(404, json={"detail": "ORDER_NOT_FOUND"})
    with pytest.raises(errors.UpstreamStatusError) as caught:
        with client.subscribe_order(order_id="ord_1", end_user=shopper):
            pass
    assert caught.value.status_code == 404


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"detail": "LOGIN_REQUIRED"}, "LOGIN_REQUIRED"),
        ({"status": "400", "detail": "SUSPENDED_COIN", "moreDetails": {"coin": "USDT"}}, "SUSPENDED_COIN"),
        ({"status": 400, "detail": "SUSPENDED_NETWORK", "moreDetails": "Tron"}, "SUSPENDED_NETWORK"),
        ({"message": "Internal server error"}, "Internal server error"),
        ({"error": "Product not available"}, "Product not available"),
        ({"error": {"code": "NOT_ACTIVE", "message": "Brand inactive"}}, "NOT_ACTIVE"),
        ({"reason": "Too many requests"}, "Too many requests"),
        ({"detail": [{"loc": ["body", "email"], "msg": "field required"}]}, "field required"),
        ({"problems": [{"problem": "OUT_OF_STOCK"}]}, "OUT_OF_STOCK"),
        ("Bad Gateway", "Bad Gateway"),
        ("<html><body>502</body></html>", None),
        ({}, None),
    ],
)
def test_every_error_body_shape_gives_the_best_code_or_message(upstream, client, shopper, body, detail):
    kwargs = {"json": body} if isinstance(body, dict) else {"text": body}
    upstream.post("/v5/orders").respond(400, **kwargs)
    with pytest.raises(errors.UpstreamStatusError) as caught:
        client.create_order(body=ORDER_BODY, end_user=shopper)
    assert caught.value.detail == detail


def test_the_status_a_body_names_is_kept_as_text_and_more_details_either_form(upstream, client, shopper):
    upstream.post("/v5/orders").respond(400, json={"status": 400, "detail": "X", "moreDetails": "why"})
    with pytest.raises(errors.UpstreamStatusError) as caught:
        client.create_order(body=ORDER_BODY, end_user=shopper)
    assert (caught.value.upstream_status, caught.value.more_details) == ("400", "why")


def test_a_rate_limit_carries_its_retry_after_in_seconds(upstream, client, shopper):
    upstream.post("/v5/orders").respond(429, headers={"Retry-After": "12"}, json={"message": "slow down"})
    with pytest.raises(errors.UpstreamRateLimited) as caught:
        client.create_order(body=ORDER_BODY, end_user=shopper)
    assert caught.value.retry_after == 12
    assert caught.value.detail == "slow down"


def test_a_rate_limit_without_retry_after_has_none(upstream, client, shopper):
    upstream.post("/v5/orders").respond(429)
    with pytest.raises(errors.UpstreamRateLimited) as caught:
        client.create_order(body=ORDER_BODY, end_user=shopper)
    assert caught.value.retry_after is None


def test_retry_after_reads_seconds_and_http_dates():
    now = datetime(2026, 12, 1, 9, 0, 0, tzinfo=UTC)
    assert errors.parse_retry_after("30", now=now) == 30
    assert errors.parse_retry_after("Tue, 01 Dec 2026 09:00:45 GMT", now=now) == 45
    assert errors.parse_retry_after("Tue, 01 Dec 2026 08:00:00 GMT", now=now) == 0  # already past
    assert errors.parse_retry_after("soon", now=now) is None
    assert errors.parse_retry_after("nan", now=now) is None
    assert errors.parse_retry_after(None) is None


def test_a_retry_waits_as_long_as_retry_after_asks_within_the_cap(upstream, client, shopper, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr("storefront.upstream.client.time.sleep", waits.append)
    upstream.get("/v2/brands").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "0.005"}),
            httpx.Response(429, headers={"Retry-After": "Tue, 01 Dec 2099 09:00:45 GMT"}),
            httpx.Response(200, json={"country_code": "US", "categories": []}),
        ]
    )
    client.brands(country_code="US", end_user=shopper)
    assert waits == [0.005, client.config.max_backoff_seconds]


def test_an_unparseable_answer_is_logged_with_the_endpoint_and_the_models_error(
    upstream, client, shopper, caplog
):
    upstream.get("/v2/brands").respond(200, json={"categories": "not a list"})
    with pytest.raises(errors.UpstreamResponseError) as caught:
        client.brands(country_code="US", end_user=shopper)
    assert str(caught.value).startswith("GET /v2/brands: 1 validation error for BrandCatalog: categories")
    assert caught.value.endpoint == "GET /v2/brands"
    assert "GET /v2/brands: 1 validation error for BrandCatalog" in caplog.text


def test_one_bad_product_family_is_left_out_and_the_rest_kept(upstream, client, shopper):
    good = {"family": "Steam", "brand": "Steam", "products": []}
    upstream.get("/v5/products/country/US").respond(200, json=[{"family": "Broken"}, good])
    with schemas.collect_parse_report() as report:
        families = client.products(
            country_code="US", family_name="Steam", coin="USDC", lang="en", end_user=shopper
        )
    assert [f.brand for f in families] == ["Steam"]
    assert [(model, item) for model, item, _ in report.skipped] == [("families", "Broken")]


def test_a_homepage_of_unknown_shape_is_an_empty_feed(upstream, client, shopper):
    upstream.get("/v2/homepage").respond(200, json={"sections": "surprise"})
    assert client.homepage(country_code="US", end_user=shopper).sections == []


def test_a_missing_homepage_is_an_empty_feed_but_an_outage_still_raises(upstream, client, shopper):
    route = upstream.get("/v2/homepage").respond(404, json={"message": "Not Found"})
    assert client.homepage(country_code="US", end_user=shopper).sections == []
    route.respond(503)
    with pytest.raises(errors.UpstreamServerError):
        client.homepage(country_code="US", end_user=shopper)


def test_available_countries_follow_the_sites_redirect(client, shopper):
    with respx.mock(assert_all_called=True) as site:
        site.get("https://site.test/api/available-countries").respond(
            301, headers={"Location": "https://www.site.test/api/available-countries"}
        )
        site.get("https://www.site.test/api/available-countries").respond(
            200, json={"countries": [{"isoCode": "US", "name": "United States"}]}
        )
        assert [c.code for c in client.available_countries(end_user=shopper).countries] == ["US"]
