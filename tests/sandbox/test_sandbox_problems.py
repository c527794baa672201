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


AMAZON_200 = gift("Amazon", "200 USD")

# code -> body overrides that trigger it.
NATURAL_INPUTS: dict[str, dict] = {
    "AMOUNT_LESS_THEN_MINIMUM_ALLOWED": {"deliveries": [gift("Everything Apple", "range", product_value=1)]},
    "MAXIMUM_AMOUNT_PER_ORDER_EXCEEDED": {"deliveries": [AMAZON_200] * 8},
    "PRODUCT_COUNT_EXCEEDED": {
        "deliveries": [{"kind": "giftcard", "quantity": 11, "deliverable": gift("Amazon", "25 USD")}]
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
    "DAILY_SPENDING_LIMIT_EXCEEDED": {"deliveries": [AMAZON_200] * 5 + [gift("Amazon", "100 USD")]},
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
    return [p["problem"] for p in doc["problems"]]


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
    doc = created.json()
    assert (doc["status"], doc["detail"]) == (422, "VALIDATION_FAILED")
    assert code in problem_codes(doc)


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
    bad = make_body(deliveries=[gift("Amazon", "25 USD", account="+14155551234")])
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
        ("MIN100", {"deliveries": [gift("Amazon", "100 USD")]}),
        ("BOOKSONLY", {"deliveries": [gift("Barnes & Noble", "25 USD")]}),
        ("ESIMONLY", {"deliveries": [gift("eSIM USA", "1 GB 7 days")]}),
        ("AIRBNBONLY", {"deliveries": [gift("Airbnb", "25 USD")]}),
        ("GBONLY", {"deliveries": [gift("Amazon", "25 GBP", country="GB")]}),
    ],
)
def test_valid_coupons_take_ten_percent_off(client, make_body, code, overrides):
    plain = client.post("/v5/orders/validations", json=make_body(**overrides)).json()
    doc = client.post("/v5/orders/validations", json=make_body(promo_code=code, **overrides)).json()
    assert doc["problems"] == []
    total = float(plain["coin_amount"])  # comparison only; the sandbox computes in Decimal
    assert doc["summary"]["discount"] == f"{total * 0.10:.2f}"
    assert doc["coin_amount"] == f"{total - float(doc['summary']['discount']):.2f}"


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
    assert (doc["coin"], doc["network"], doc["coin_amount"]) == ("USDC", "Polygon (Matic)", "114.13")
    assert doc["deliveries"][1] == {
        "brand_name": "Everything Apple",
        "country_code": "US",
        "denomination": "range",
        "product_value": "12",
        "beneficiary_account": "buyer@example.com",
        "coin_amount": "12.23",
    }
    assert doc["summary"] == {
        "subtotal": "112.00",
        "fee": "2.13",
        "discount": "0.00",
        "coin_amount": "114.13",
        "coin": "USDC",
    }
    assert doc["problems"] == []


def test_unsupported_pair_lists_supported_pairs(client, make_body):
    doc = client.post("/v5/orders/validations", json=make_body(payment=pay(coin="DOGE"))).json()
    (problem,) = doc["problems"]
    assert {"coin": "USDC", "network": "Solana"} in problem["moreDetails"]
    assert {"coin": "USDT", "network": "Arbitrum"} not in problem["moreDetails"]


def test_not_allowed_payment_via_lists_allowed_kinds(client, make_body):
    doc = client.post("/v5/orders/validations", json=make_body(payment=pay(via="CARD"))).json()
    assert doc["problems"] == [{"problem": "NOT_ALLOWED_PAYMENT_VIA", "moreDetails": ["USER_WALLET"]}]


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
