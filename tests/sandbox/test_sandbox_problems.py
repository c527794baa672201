"""Every validation problem and HTTP-level error, reached from its documented input."""

from __future__ import annotations

import time

import pytest

from storefront.sandbox import validation
from storefront.sandbox.app import make_app
from storefront.sandbox.validation import PROBLEM_CODES


def gift(
    brand: str, denomination: str, country: str = "US", account: str = "buyer@example.com", **extra
) -> dict:
    return {
        "beneficiary_account": account,
        "brand_name": brand,
        "country_code": country,
        "denomination": denomination,
        **extra,
    }


def pay(coin: str = "USDC", network: str = "Solana", via: str = "USER_WALLET") -> dict:
    return {"type": "via", "payment_via": via, "coin": coin, "network": network}


AMAZON_200 = gift("Amazon.com", "range", product_value=200)

# code -> body overrides that trigger it.
NATURAL_INPUTS: dict[str, dict] = {
    "AMOUNT_LESS_THEN_MINIMUM_ALLOWED": {"deliveries": [gift("Everything Apple", "range", product_value=1)]},
    "MAXIMUM_AMOUNT_PER_ORDER_EXCEEDED": {"deliveries": [AMAZON_200] * 8},
    "PRODUCT_COUNT_EXCEEDED": {
        "deliveries": [{"kind": "giftcard", "quantity": 11, "deliverable": gift("Steam", "10 USD")}]
    },
    "MULTIPLE_LIMITED_PRODUCT_SAME_ORDER": {
        "deliveries": [gift("PlayStation Store", "25 USD"), gift("Razer Gold", "25 USD")]
    },
    "NOT_AVAILABLE_PRODUCT": {"deliveries": [gift("Nonexistent", "25 USD")]},
    "OUT_OF_STOCK": {"deliveries": [gift("Airbnb", "500 USD")]},
    "NOT_ACTIVE": {"deliveries": [gift("GameStop", "25 USD")]},
    "INVALID_BENEFICIARY_ACCOUNT": {"deliveries": [gift("AT&T", "25 USD", account="buyer@example.com")]},
    "NOT_ALLOWED_PAYMENT_VIA": {"payment": pay(via="CREDIT_CARD")},
    "UNSUPPORTED_PROTOCOL_COIN_COMBINATION": {"payment": pay(network="Bitcoin")},
    "FULLNAME_MISSING": {"payment": pay(coin="USDT", network="Tron")},
    "LOGIN_REQUIRED": {"deliveries": [gift("Vanilla Prepaid Mastercard", "50 USD")]},
    "DAILY_SPENDING_LIMIT_EXCEEDED": {"deliveries": [AMAZON_200] * 5 + [gift("Steam", "100 USD")]},
    "COUPON_NOT_FOUND": {"promo_code": "NOTFOUND"},
    "COUPON_NOT_ACTIVE": {"promo_code": "NOTACTIVE"},
    "COUPON_ALREADY_SPENT": {"promo_code": "SPENT"},
    "COUPON_MAX_USAGE_REACHED": {"promo_code": "MAXUSED"},
    "COUPON_EXPIRED": {"promo_code": "EXPIRED"},
    "COUPON_BELOW_MIN_AMOUNT": {"promo_code": "MIN100"},
    "COUPON_REQUIRES_LOGIN": {"promo_code": "MEMBERS"},
    "COUPON_NOT_VALID_FOR_USER": {"promo_code": "VIPUSER"},
    "COUPON_NOT_VALID_FOR_CATEGORY": {"promo_code": "BOOKSONLY"},
    "COUPON_NOT_VALID_FOR_KIND": {"promo_code": "ESIMONLY"},
    "COUPON_NOT_VALID_FOR_BRAND": {"promo_code": "AIRBNBONLY"},
    "COUPON_NOT_VALID_FOR_COUNTRY": {"promo_code": "GBONLY"},
    "COUPON_NOT_VALID_FOR_STORE": {"promo_code": "APPSTORE"},
    "KYC_MISSING": {"email": "kyc_missing@sandbox.test"},
    "KYC_PENDING": {"email": "kyc_pending@sandbox.test"},
    "VERIFICATION_REQUIRED": {"email": "verification_required@sandbox.test"},
}


def problem_codes(doc: dict) -> list[str]:
    return [p["problem"] for p in doc["problems"] or []]


def test_every_problem_code_has_a_documented_input():
    assert set(NATURAL_INPUTS) | {"MONTHLY_SPENDING_LIMIT_EXCEEDED"} == set(PROBLEM_CODES)


@pytest.mark.parametrize(("code", "overrides"), NATURAL_INPUTS.items(), ids=list(NATURAL_INPUTS))
def test_problem_is_reported_by_validation_and_blocks_creation(client, make_body, code, overrides):
    body = make_body(**overrides)
    validated = client.post("/v5/orders/validations", json=body)
    assert validated.status_code == 200
    assert code in problem_codes(validated.json())
    created = client.post("/v5/orders", json=body)
    assert created.status_code == 422
    # As live: the creation names the (first) problem and nothing else.
    assert created.json() == {"detail": problem_codes(validated.json())[0]}


@pytest.mark.parametrize("code", PROBLEM_CODES)
def test_buyer_email_forces_any_problem(client, make_body, code):
    doc = client.post("/v5/orders/validations", json=make_body(email=f"{code.lower()}@sandbox.test")).json()
    assert code in problem_codes(doc)


def test_total_under_two_usd_is_below_minimum(client, make_body):
    body = make_body(
        deliveries=[gift("MTN", "range", country="NG", account="+2348031234567", product_value=100)]
    )
    assert problem_codes(client.post("/v5/orders/validations", json=body).json()) == [
        "AMOUNT_LESS_THEN_MINIMUM_ALLOWED"
    ]


def test_top_up_wants_an_e164_phone_and_gift_card_an_email(client, make_body):
    good = make_body(deliveries=[gift("Claro Credits", "100 MXN", country="MX", account="+5215512345678")])
    assert problem_codes(client.post("/v5/orders/validations", json=good).json()) == []
    bad = make_body(deliveries=[gift("Steam", "10 USD", account="+14155551234")])
    assert problem_codes(client.post("/v5/orders/validations", json=bad).json()) == [
        "INVALID_BENEFICIARY_ACCOUNT"
    ]


def test_monthly_limit_counts_orders_of_the_last_thirty_days(config, clock, make_client, make_body):
    app = make_app(config, clock=clock)
    big = make_body(deliveries=[AMAZON_200] * 5)
    with make_client(app) as http:
        for days_ago in (20, 10, 5):
            clock.now = time.time() - days_ago * 86400
            assert http.post("/v5/orders", json=big).status_code == 201
        clock.now = time.time()
        doc = http.post("/v5/orders/validations", json=make_body(deliveries=[AMAZON_200] * 3)).json()
    assert problem_codes(doc) == ["MONTHLY_SPENDING_LIMIT_EXCEEDED"]


def test_daily_limit_counts_earlier_orders_of_the_same_email(client, make_body):
    assert client.post("/v5/orders", json=make_body(deliveries=[AMAZON_200] * 4)).status_code == 201
    assert (
        problem_codes(client.post("/v5/orders/validations", json=make_body(deliveries=[AMAZON_200])).json())
        == []
    )
    doc = client.post("/v5/orders/validations", json=make_body(deliveries=[AMAZON_200, AMAZON_200])).json()
    assert problem_codes(doc) == ["DAILY_SPENDING_LIMIT_EXCEEDED"]
    other = client.post(
        "/v5/orders/validations", json=make_body(email="other@example.com", deliveries=[AMAZON_200])
    )
    assert problem_codes(other.json()) == []


@pytest.mark.parametrize(
    ("code", "overrides"),
    [
        ("SAVE10", {}),
        ("MIN100", {"deliveries": [gift("Steam", "100 USD")]}),
        ("BOOKSONLY", {"deliveries": [gift("Barnes & Noble", "25 USD")]}),
        ("ESIMONLY", {"deliveries": [gift("eSIM", "1 GB 3 days")]}),
        ("AIRBNBONLY", {"deliveries": [gift("Airbnb", "25 USD")]}),
        ("GBONLY", {"deliveries": [gift("Amazon.co.uk", "25 GBP", country="GB")]}),
    ],
)
def test_valid_coupons_take_ten_percent_off(client, make_body, code, overrides):
    plain = client.post("/v5/orders/validations", json=make_body(**overrides)).json()
    doc = client.post("/v5/orders/validations", json=make_body(promo_code=code, **overrides)).json()
    assert doc["problems"] is None and doc["coupon_code"] == code
    total = float(plain["coin_amount"])  # comparison only; the sandbox computes in Decimal
    assert doc["original_coin_amount"] == plain["coin_amount"]
    assert doc["coin_amount"] == f"{total - round(total * 0.10, 2):.2f}"


def test_several_problems_come_at_once(client, make_body):
    body = make_body(
        payment=pay(coin="USDT", network="Tron"),
        deliveries=[gift("GameStop", "25 USD"), gift("Airbnb", "500 USD")],
        promo_code="EXPIRED",
    )
    codes = problem_codes(client.post("/v5/orders/validations", json=body).json())
    assert {"FULLNAME_MISSING", "NOT_ACTIVE", "OUT_OF_STOCK", "COUPON_EXPIRED"} <= set(codes)


def test_validation_shape(client, make_body):
    body = make_body(
        payment=pay(network="POLYGON (MATIC)"),
        deliveries=[gift("Airbnb", "100 USD"), gift("Everything Apple", "range", product_value=12)],
    )
    doc = client.post("/v5/orders/validations", json=body).json()
    assert (doc["coin"], doc["coin_amount"], doc["original_coin_amount"]) == ("USDC", "114.13", "114.13")
    assert (doc["coupon_code"], doc["loyalty_summary"], doc["problems"]) == (None, None, None)
    delivery = doc["deliveries"][1]
    assert (delivery["delivery_state"], delivery["kind"]) == ("Created", "giftcard")
    assert delivery["deliverable"] == {
        "denomination": "12 USD",
        "localized_denomination": "$12",
        "family": "Everything Apple",
        "brand_name": "Everything Apple",
        "product_value": 12.0,
        "beneficiary_account": "buyer@example.com",
        "country_code": "US",
        "delivery_type": "by_email",
        "points": "10",
        "coin_amount": "12.23",
        "original_price": "12.23",
        "currency_code": "USD",
    }
    assert "product_value" not in doc["deliveries"][0]["deliverable"]


def test_a_top_up_delivered_by_email_wants_an_email(client, make_body):
    by_email = gift("Lycamobile Bundle", "50 USD")
    assert (
        client.post("/v5/orders/validations", json=make_body(deliveries=[by_email])).json()["problems"]
        is None
    )
    to_phone = gift("Lycamobile Bundle", "23 USD")
    doc = client.post("/v5/orders/validations", json=make_body(deliveries=[to_phone])).json()
    assert problem_codes(doc) == ["INVALID_BENEFICIARY_ACCOUNT"]


def test_an_order_under_the_networks_threshold_is_below_minimum(client, make_body):
    body = make_body(payment=pay(network="Ethereum"), deliveries=[gift("Razer Gold", "5 USD")])
    (problem,) = client.post("/v5/orders/validations", json=body).json()["problems"]
    assert problem == {
        "problem": "AMOUNT_LESS_THEN_MINIMUM_ALLOWED",
        "moreDetails": {"network": "Ethereum", "threshold": "9.873210000000000", "coin": "USDC"},
    }
    on_solana = make_body(deliveries=[gift("Razer Gold", "5 USD")])
    assert client.post("/v5/orders/validations", json=on_solana).json()["problems"] is None


def test_unsupported_pair_names_the_supported_networks_in_words(client, make_body):
    doc = client.post("/v5/orders/validations", json=make_body(payment=pay(network="Bitcoin"))).json()
    (problem,) = doc["problems"]
    assert problem["moreDetails"] == "USDC is supported on: Solana, Ethereum, Base, Arbitrum, Polygon (Matic)"
    doc = client.post("/v5/orders/validations", json=make_body(payment=pay(coin="DOGE"))).json()
    assert doc["problems"][0]["moreDetails"] == "Supported coins: USDC, USDT"


def test_not_allowed_payment_via_lists_allowed_kinds(client, make_body):
    doc = client.post("/v5/orders/validations", json=make_body(payment=pay(via="CARD"))).json()
    assert doc["problems"] == [
        {"problem": "NOT_ALLOWED_PAYMENT_VIA", "moreDetails": {"allowed": ["USER_WALLET"]}}
    ]


def test_rate_limited_email_answers_429_with_retry_after(client, make_body):
    response = client.post("/v5/orders/validations", json=make_body(email="rate_limited@sandbox.test"))
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "2" and response.headers["X-RateLimit-Remaining"] == "0"
    assert response.json() == {"status": 429, "detail": "TOO_MANY_REQUESTS"}


@pytest.mark.parametrize(
    ("overrides", "detail"),
    [
        ({"payment": pay(coin="EURC", network="Base")}, "SUSPENDED_COIN"),
        ({"payment": pay(coin="USDT", network="Arbitrum")}, "SUSPENDED_NETWORK"),
        ({"email": "suspended_coin@sandbox.test"}, "SUSPENDED_COIN"),
        ({"email": "suspended_network@sandbox.test"}, "SUSPENDED_NETWORK"),
    ],
)
@pytest.mark.parametrize("path", ["/v5/orders/validations", "/v5/orders"])
def test_suspensions_are_http_level_errors(client, make_body, overrides, detail, path):
    response = client.post(path, json=make_body(**overrides))
    assert response.status_code == 400
    assert response.json()["detail"] == detail and response.json()["status"] == 400
    assert response.json()["moreDetails"]


@pytest.mark.parametrize("path", ["/v5/orders/validations", "/v5/orders"])
def test_http_500_email_answers_internal_error(client, make_body, path):
    response = client.post(path, json=make_body(email="http_500@sandbox.test"))
    assert response.status_code == 500
    assert response.json() == {
        "status": 500,
        "detail": "INTERNAL_ERROR",
        "moreDetails": "Forced by http_500@ buyer email.",
    }


def test_slow_email_delays_the_answer(client, make_body, monkeypatch):
    monkeypatch.setattr(validation, "SLOW_SECONDS", 0.2)
    started = time.monotonic()
    response = client.post("/v5/orders/validations", json=make_body(email="slow@sandbox.test"))
    assert response.status_code == 200 and time.monotonic() - started >= 0.2


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"[1, 2]",
        b'{"email": "a@b.co", "payment": {"coin": "USDC"}, "deliveries": []}',
        b'{"payment": {}}',
    ],
)
def test_malformed_bodies_are_bad_requests(client, content):
    response = client.post(
        "/v5/orders/validations", content=content, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "BAD_REQUEST"
