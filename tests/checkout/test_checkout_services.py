"""Services: the order body, validation with the upstream, and placing an order exactly once."""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx
import pytest
from checkout_helpers import upstream_posts

from checkout import services
from checkout.order_body import CheckoutData, CheckoutLine, build_order_body
from orders.models import Order, OrderEvent
from orders.states import OrderState
from storefront.upstream import errors
from storefront.upstream.factory import get_client
from storefront.upstream.schemas import Problem

STEAM = CheckoutLine(
    brand_name="Steam",
    family="Steam",
    kind="giftcard",
    country_code="US",
    denomination="10 USD",
    localized_denomination="$10",
    product_value=None,
    face_value=Decimal(10),
    currency="USD",
    beneficiary_account="friend@example.com",
    quantity=2,
)
AMAZON = CheckoutLine(
    brand_name="Amazon.com",
    family="Amazon.com",
    kind="giftcard",
    country_code="US",
    denomination="range",
    localized_denomination="12 USD",
    product_value=Decimal("12"),
    face_value=Decimal(12),
    currency="USD",
    beneficiary_account="buyer@example.com",
)
ATT = CheckoutLine(
    brand_name="AT&T",
    family="AT&T",
    kind="mobile_recharge",
    country_code="US",
    denomination="15 USD",
    localized_denomination="$15",
    product_value=None,
    face_value=Decimal(15),
    currency="USD",
    beneficiary_account="+14155552671",
)


def _checkout(**overrides) -> CheckoutData:
    data = {"email": "buyer@example.com", "coin": "USDC", "network": "Solana", "lines": [STEAM, AMAZON, ATT]}
    return CheckoutData(**{**data, **overrides})


def _place(checkout=None, key=None, end_user=None):
    return services.place_order(
        checkout=checkout or _checkout(), idempotency_key=key or uuid.uuid4(), lang="en", end_user=end_user
    )


# -- the body ----------------------------------------------------------------------------------------


def test_the_body_has_one_delivery_per_unit_and_the_documented_fields():
    body = build_order_body(
        checkout=_checkout(full_name="Ada Lovelace", promo_code="SAVE10", accepted_newsletter=True), lang="es"
    )
    assert body["email"] == "buyer@example.com"
    assert body["user"] == {
        "email": "buyer@example.com",
        "has_accepted_newsletter": True,
        "full_name": "Ada Lovelace",
    }
    assert body["payment"] == {
        "type": "via",
        "payment_via": "USER_WALLET",
        "coin": "USDC",
        "network": "Solana",
    }
    assert body["promo_code"] == "SAVE10"
    assert body["lang"] == "es"
    assert body["acquisition"] == {"utm_source": "coinshelf"}
    assert len(body["deliveries"]) == 4
    assert body["deliveries"][0] == {
        "beneficiary_account": "friend@example.com",
        "brand_name": "Steam",
        "country_code": "US",
        "denomination": "10 USD",
    }
    assert body["deliveries"][2]["denomination"] == "range" and body["deliveries"][2]["product_value"] == 12
    assert body["deliveries"][3]["beneficiary_account"] == "+14155552671"


def test_the_body_leaves_out_empty_extras_and_never_uses_floats():
    line = CheckoutLine(**{**AMAZON.__dict__, "product_value": Decimal("12.50")})
    body = build_order_body(checkout=_checkout(lines=[line]), lang="en")
    assert "promo_code" not in body and "full_name" not in body["user"]
    assert body["user"]["has_accepted_newsletter"] is False
    assert body["deliveries"][0]["product_value"] == "12.50"


# -- validation --------------------------------------------------------------------------------------


def test_a_valid_order_has_no_problems(end_user):
    outcome = services.validate_checkout(checkout=_checkout(), lang="en", end_user=end_user)
    assert outcome.ok and outcome.result.coin_amount is not None


def test_several_problems_come_back_at_once(end_user):
    outcome = services.validate_checkout(
        checkout=_checkout(email="kyc_missing@sandbox.test", promo_code="EXPIRED"),
        lang="en",
        end_user=end_user,
    )
    assert {p.code for p in outcome.problems} == {"KYC_MISSING", "COUPON_EXPIRED"}


def test_an_unsupported_pair_lists_the_supported_ones(end_user):
    outcome = services.validate_checkout(checkout=_checkout(network="Bitcoin"), lang="en", end_user=end_user)
    (problem,) = outcome.problems
    assert problem.code == "UNSUPPORTED_PROTOCOL_COIN_COMBINATION" and problem.field == "payment"
    # The live API says it in a sentence ("USDC is supported on: Solana, ..."): the shop keeps the names.
    assert problem.details.startswith("Supported networks: Solana, ")
    assert "Polygon (Matic)" in problem.details and "supported on" not in problem.details


def test_tron_without_a_full_name_is_refused_by_the_upstream_too(end_user):
    tron = {"coin": "USDT", "network": "Tron"}
    outcome = services.validate_checkout(checkout=_checkout(**tron), lang="en", end_user=end_user)
    assert [(p.code, p.field) for p in outcome.problems] == [("FULLNAME_MISSING", "full_name")]
    outcome = services.validate_checkout(
        checkout=_checkout(**tron, full_name="Ada Lovelace"), lang="en", end_user=end_user
    )
    assert outcome.ok


@pytest.mark.parametrize(
    "email, code",
    [
        ("suspended_coin@sandbox.test", "SUSPENDED_COIN"),
        ("suspended_network@sandbox.test", "SUSPENDED_NETWORK"),
    ],
)
def test_suspended_coin_and_network_answers_become_payment_problems(end_user, email, code):
    outcome = services.validate_checkout(checkout=_checkout(email=email), lang="en", end_user=end_user)
    assert [(p.code, p.field) for p in outcome.problems] == [(code, "payment")]


def test_an_upstream_error_during_validation_creates_nothing(db, end_user):
    outcome = services.validate_checkout(
        checkout=_checkout(email="http_500@sandbox.test"), lang="en", end_user=end_user
    )
    assert [p.code for p in outcome.problems] == ["UPSTREAM_ERROR"]
    assert not outcome.ok
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    "exc, code",
    [
        (httpx.ReadTimeout("slow"), "UPSTREAM_TIMEOUT"),
        (httpx.ConnectError("refused"), "UPSTREAM_UNREACHABLE"),
    ],
)
def test_a_validation_timeout_or_lost_connection_is_reported_as_such(db, monkeypatch, end_user, exc, code):
    http = get_client()._http

    def broken(method, url, **kwargs):
        raise exc

    monkeypatch.setattr(http, "request", broken)
    outcome = services.validate_checkout(checkout=_checkout(), lang="en", end_user=end_user)
    assert [p.code for p in outcome.problems] == [code]
    assert Order.objects.count() == 0


# -- placing the order -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_order_row_is_saved_before_the_upstream_call(monkeypatch, end_user):
    client = get_client()
    seen = {}
    real_create = client.create_order

    def spy(*, body, end_user):
        order = Order.objects.get()
        seen["state"] = order.state
        seen["items"] = list(order.items.values_list("position", "brand_name", "beneficiary_account"))
        return real_create(body=body, end_user=end_user)

    monkeypatch.setattr(client, "create_order", spy)
    placed = _place(end_user=end_user)
    assert seen["state"] == OrderState.SUBMITTING
    assert seen["items"] == [
        (0, "Steam", "friend@example.com"),
        (1, "Steam", "friend@example.com"),
        (2, "Amazon.com", "buyer@example.com"),
        (3, "AT&T", "+14155552671"),
    ]
    order = placed.order
    order.refresh_from_db()
    assert placed.placed and placed.created
    assert order.state in (OrderState.CREATED, OrderState.WAITING_FOR_PAYMENT)
    assert order.upstream_order_id and order.wallet_address and order.coin_amount_text
    assert (order.email, order.coin, order.network, order.country_code) == (
        "buyer@example.com",
        "USDC",
        "Solana",
        "US",
    )
    assert order.shopper_ip == end_user.ip and order.shopper_user_agent == end_user.user_agent
    assert order.events.filter(source="checkout", from_state=OrderState.SUBMITTING).exists()


@pytest.mark.django_db
def test_the_same_key_makes_exactly_one_upstream_order(end_user):
    key = uuid.uuid4()
    first = _place(key=key, end_user=end_user)
    second = _place(key=key, end_user=end_user)
    assert second.order.pk == first.order.pk and not second.created
    assert Order.objects.count() == 1
    assert upstream_posts("/v5/orders") == 1


@pytest.mark.django_db
def test_a_lost_race_on_the_key_returns_the_winners_order(monkeypatch, end_user):
    key = uuid.uuid4()
    winner = _place(key=key, end_user=end_user)
    monkeypatch.setattr(services, "find_order_by_key", _none_then_real())
    again = _place(key=key, end_user=end_user)
    assert again.order.pk == winner.order.pk and not again.created
    assert upstream_posts("/v5/orders") == 1


def _none_then_real():
    real = services.find_order_by_key
    calls = {"n": 0}

    def fake(*, idempotency_key):
        calls["n"] += 1
        return None if calls["n"] == 1 else real(idempotency_key=idempotency_key)

    return fake


@pytest.mark.django_db
@pytest.mark.parametrize(
    "exc, failure",
    [
        (errors.UpstreamTimeout("POST /v5/orders timed out"), "timeout"),
        (errors.UpstreamConnectionError("refused"), "unreachable"),
        (errors.UpstreamServerError(500, detail="INTERNAL_ERROR"), "error"),
        (errors.UpstreamResponseError("not JSON"), "error"),
    ],
)
def test_an_upstream_failure_marks_the_order_and_is_not_retried(monkeypatch, end_user, exc, failure):
    calls = []

    def fail(*, body, end_user):
        calls.append(body)
        raise exc

    monkeypatch.setattr(get_client(), "create_order", fail)
    placed = _place(end_user=end_user)
    order = Order.objects.get()
    assert placed.failure == failure and not placed.placed
    assert order.state == OrderState.SUBMIT_FAILED
    assert "cannot have been paid" in order.failure_reason and "Not retried" in order.failure_reason
    assert OrderEvent.objects.filter(
        order=order, to_state=OrderState.SUBMIT_FAILED, source="checkout"
    ).exists()
    assert len(calls) == 1


@pytest.mark.django_db
def test_a_refusal_at_creation_comes_back_as_problems(monkeypatch, end_user):
    def refuse(*, body, end_user):
        raise errors.UpstreamStatusError(
            422, detail="VALIDATION_FAILED", problems=[Problem(problem="OUT_OF_STOCK")]
        )

    monkeypatch.setattr(get_client(), "create_order", refuse)
    placed = _place(end_user=end_user)
    assert [p.code for p in placed.problems] == ["OUT_OF_STOCK"] and placed.failure == ""
    order = Order.objects.get()
    assert order.state == OrderState.SUBMIT_FAILED
    assert "OUT_OF_STOCK" in order.failure_reason


@pytest.mark.django_db
def test_the_real_422_of_the_sandbox_is_understood(end_user):
    placed = _place(checkout=_checkout(email="kyc_pending@sandbox.test"), end_user=end_user)
    assert [p.code for p in placed.problems] == ["KYC_PENDING"]
    assert Order.objects.get().state == OrderState.SUBMIT_FAILED


def test_find_order_by_key_ignores_garbage(db):
    assert services.find_order_by_key(idempotency_key="not-a-uuid") is None
    assert services.find_order_by_key(idempotency_key=None) is None
