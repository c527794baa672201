"""The partner API client against the sandbox upstream, in-process and over real HTTP."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from wsgiref.simple_server import make_server

import httpx
import pytest

from storefront.management.commands.sandbox_upstream import ThreadingWSGIServer
from storefront.sandbox.app import make_app
from storefront.sandbox.config import SandboxConfig
from storefront.upstream import errors, schemas
from storefront.upstream.client import ClientConfig, CryptorefillsClient
from storefront.upstream.factory import get_client, get_sandbox_app

PROBLEM_CODES = [
    "AMOUNT_LESS_THEN_MINIMUM_ALLOWED",
    "MAXIMUM_AMOUNT_PER_ORDER_EXCEEDED",
    "DAILY_SPENDING_LIMIT_EXCEEDED",
    "MONTHLY_SPENDING_LIMIT_EXCEEDED",
    "PRODUCT_COUNT_EXCEEDED",
    "MULTIPLE_LIMITED_PRODUCT_SAME_ORDER",
    "NOT_AVAILABLE_PRODUCT",
    "OUT_OF_STOCK",
    "NOT_ACTIVE",
    "INVALID_BENEFICIARY_ACCOUNT",
    "NOT_ALLOWED_PAYMENT_VIA",
    "UNSUPPORTED_PROTOCOL_COIN_COMBINATION",
    "LOGIN_REQUIRED",
    "COUPON_REQUIRES_LOGIN",
    "COUPON_NOT_FOUND",
    "COUPON_NOT_ACTIVE",
    "COUPON_ALREADY_SPENT",
    "COUPON_MAX_USAGE_REACHED",
    "COUPON_EXPIRED",
    "COUPON_BELOW_MIN_AMOUNT",
    "COUPON_NOT_VALID_FOR_USER",
    "COUPON_NOT_VALID_FOR_CATEGORY",
    "COUPON_NOT_VALID_FOR_KIND",
    "COUPON_NOT_VALID_FOR_BRAND",
    "COUPON_NOT_VALID_FOR_COUNTRY",
    "COUPON_NOT_VALID_FOR_STORE",
    "KYC_MISSING",
    "KYC_PENDING",
    "VERIFICATION_REQUIRED",
    "FULLNAME_MISSING",
]


class SandboxUnderTest:
    """A client wired to a sandbox, and a way to read what the sandbox received."""

    def __init__(self, client: CryptorefillsClient, read_log, partner_id: str) -> None:
        self.client = client
        self.read_log = read_log
        self.partner_id = partner_id


@pytest.fixture(params=["in_process", "http"])
def sandbox(request, tmp_path):
    if request.param == "in_process":
        yield SandboxUnderTest(get_client(), lambda: get_sandbox_app().request_log, "sandbox-partner")
        return
    app = make_app(SandboxConfig(db_path=tmp_path / "http.sqlite3", step_seconds=0.05))
    server = make_server("127.0.0.1", 0, app, server_class=ThreadingWSGIServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    client = CryptorefillsClient(
        ClientConfig(
            base_url=url,
            partner_id="partner-over-http",
            app_version="shop-test/1",
            site_url=url,
            timeout=httpx.Timeout(5.0),
        )
    )

    def read_log():
        entries = httpx.get(f"{url}/sandbox/requests", headers={"X-Cr-Application": "x"}).json()
        return [(e["method"], e["path"], e["headers"]) if isinstance(e, dict) else tuple(e) for e in entries]

    yield SandboxUnderTest(client, read_log, "partner-over-http")
    client.close()
    server.shutdown()
    server.server_close()


def order_body(email: str = "buyer@example.com", **overrides) -> dict:
    body = {
        "email": email,
        "user": {"email": email, "has_accepted_newsletter": False},
        "payment": {"type": "via", "payment_via": "USER_WALLET", "coin": "USDC", "network": "Solana"},
        "deliveries": [
            {
                "beneficiary_account": email,
                "brand_name": "Airbnb",
                "country_code": "US",
                "denomination": "100 USD",
            },
            {
                "beneficiary_account": email,
                "brand_name": "Everything Apple",
                "country_code": "US",
                "denomination": "range",
                "product_value": 12,
            },
        ],
        "lang": "en",
    }
    body.update(overrides)
    return body


def wait_for_state(client, order_id, end_user, states, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        order = client.get_order(order_id=order_id, end_user=end_user)
        if order.order_state in states:
            return order
        time.sleep(0.05)
    raise AssertionError(f"order never reached {states}, last {order.order_state}")


def test_payment_vias_list_usdc_and_usdt_on_every_network_with_suspensions(sandbox, end_user):
    vias = sandbox.client.payment_vias(end_user=end_user)
    wallet = next(v for v in vias if v.name == "USER_WALLET")
    coins = {c.name: c for c in wallet.currencies}
    for coin in ("USDC", "USDT"):
        names = {n.name for n in coins[coin].networks}
        assert {"Solana", "Ethereum", "Base", "Arbitrum", "Polygon (Matic)"} <= names
    assert "Tron" in {n.name for n in coins["USDT"].networks}
    solana = next(n for n in coins["USDC"].networks if n.name == "Solana")
    assert solana.smart_contract.address == "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"
    assert next(n for n in coins["USDT"].networks if n.name == "Arbitrum").is_suspended
    assert coins["EURC"].is_suspended
    offered = {c.name for c in schemas.offered_currencies(vias)}
    assert offered == {"USDC", "USDT"}
    assert solana.threshold > 0


def test_brands_homepage_products_and_price_are_parsed(sandbox, end_user):
    catalog = sandbox.client.brands(country_code="US", end_user=end_user)
    brands = catalog.unique_brands()
    assert {b.kind for b in brands} == {"giftcard", "mobile_recharge"}
    assert {b.shop_kind for b in brands} == {"giftcard", "mobile_recharge", "esim"}
    assert any(b.is_out_of_stock for b in brands)
    assert next(b for b in brands if b.family == "Amazon.com").slug == "amazon-com"
    homepage = sandbox.client.homepage(country_code="US", end_user=end_user)
    assert {s.name for s in homepage.sections} >= {"popular", "featured"}

    families = sandbox.client.products(
        country_code="US", family_name="Airbnb", coin="USDC", lang="en", end_user=end_user
    )
    products = schemas.family_products(families)
    hundred = next(p for p in products if p.denomination == "100 USD")
    assert hundred.coin_amount > Decimal("100") and hundred.value == Decimal("100")
    assert hundred.brand_name == "Airbnb"
    apple = schemas.family_products(
        sandbox.client.products(
            country_code="US", family_name="Everything Apple", coin="USDC", lang="es", end_user=end_user
        )
    )
    assert apple[0].is_range and apple[0].value_range.min == Decimal("2")
    assert apple[0].order_denomination == "range"

    price = sandbox.client.price(
        brand_name="Everything Apple",
        country_code="US",
        face_value=Decimal("12"),
        coin="USDT",
        end_user=end_user,
    )
    assert price.coin == "USDT" and Decimal("12") < price.coin_amount < Decimal("13")


def test_available_countries_are_the_233_of_the_reference(sandbox, end_user):
    countries = sandbox.client.available_countries(end_user=end_user).countries
    assert len(countries) == 233
    assert ("XK", "Kosovo") in [(c.code, c.name) for c in countries]


def test_every_request_carries_partner_version_and_end_user_headers(sandbox, end_user):
    sandbox.client.homepage(country_code="US", end_user=end_user)
    method, path, headers = sandbox.read_log()[-1]
    headers = {k.lower(): v for k, v in headers.items()}
    assert path.startswith("/v2/homepage")
    assert headers["x-cr-application"] == sandbox.partner_id
    assert headers["x-cr-version"]
    assert headers["x-forwarded-for"] == end_user.ip
    assert headers["user-agent"] == end_user.user_agent
    assert headers["x-country-iso-code"] == "US"


def test_a_valid_order_validates_without_problems(sandbox, end_user):
    result = sandbox.client.validate_order(body=order_body(), end_user=end_user)
    assert result.problems == []
    assert result.coin_amount > Decimal("112")


@pytest.mark.parametrize("code", PROBLEM_CODES)
def test_each_problem_code_is_reachable_from_the_buyer_email(sandbox, end_user, code):
    result = sandbox.client.validate_order(
        body=order_body(email=f"{code.lower()}@sandbox.test"), end_user=end_user
    )
    assert code in [p.problem for p in result.problems]


@pytest.mark.parametrize("code", ["SUSPENDED_COIN", "SUSPENDED_NETWORK"])
def test_http_level_suspensions_come_as_detail(sandbox, end_user, code):
    with pytest.raises(errors.UpstreamStatusError) as caught:
        sandbox.client.validate_order(
            body=order_body(email=f"{code.lower()}@sandbox.test"), end_user=end_user
        )
    assert caught.value.detail == code


def test_created_order_carries_address_amount_qr_and_when_its_window_opened(sandbox, end_user):
    order = sandbox.client.create_order(body=order_body(), end_user=end_user)
    assert order.order_id
    assert order.wallet_address and order.coin_amount > 0
    assert order.qr_text.startswith("solana:")
    assert order.expires_at is None  # as live: the window is the shop's setting
    assert abs(order.window_opened_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert order.sent_coin_amount == 0
    assert order.buyer_email == "buyer@example.com"


def test_an_order_is_driven_to_done_with_codes(sandbox, end_user):
    order = sandbox.client.create_order(body=order_body(), end_user=end_user)
    wait_for_state(sandbox.client, order.order_id, end_user, {"WaitingForPayment"})
    sandbox.client.simulate_payment(order_id=order.order_id, action="pay", end_user=end_user)
    done = wait_for_state(sandbox.client, order.order_id, end_user, {"Done"})
    assert all(d.is_delivered and d.deliverable.pin_code for d in done.deliveries)
    assert done.payment_state in schemas.PAYMENT_COMPLETED_STATES


@pytest.mark.parametrize(
    ("email", "actions", "terminal"),
    [
        ("buyer@example.com", ["expire"], "Expired"),
        ("buyer@example.com", ["fail"], "PaymentFailed"),
        ("setup-failed@sandbox.test", [], "PaymentSetupFailed"),
        ("refund@sandbox.test", ["pay"], "Refunded"),
        ("manual@sandbox.test", ["pay", "WAIT:WaitingForManualAction", "refund"], "Refunded"),
        ("buyer@example.com", ["partial", "WAIT:PartialPaymentStarted", "pay_rest"], "Done"),
        ("buyer@example.com", ["cancel"], "Canceled"),
        ("buyer@example.com", ["late"], "Done"),
    ],
)
def test_an_order_reaches_each_terminal_state(sandbox, end_user, email, actions, terminal):
    order = sandbox.client.create_order(body=order_body(email=email), end_user=end_user)
    if actions:
        wait_for_state(sandbox.client, order.order_id, end_user, {"WaitingForPayment"})
    for action in actions:
        if action.startswith("WAIT:"):
            wait_for_state(sandbox.client, order.order_id, end_user, {action[5:]})
        else:
            sandbox.client.simulate_payment(order_id=order.order_id, action=action, end_user=end_user)
    final = wait_for_state(sandbox.client, order.order_id, end_user, {terminal})
    assert final.is_terminal


def test_the_stream_sends_each_change_and_stops_at_a_terminal_state(sandbox, end_user):
    order = sandbox.client.create_order(body=order_body(), end_user=end_user)
    wait_for_state(sandbox.client, order.order_id, end_user, {"WaitingForPayment"})
    seen: list[str] = []
    with sandbox.client.subscribe_order(order_id=order.order_id, end_user=end_user) as events:
        for event in events:
            if event.event == "stop":
                break
            state = httpx.Response(200, content=event.data).json()["order_state"]
            seen.append(state)
            if state == "WaitingForPayment" and len(seen) == 1:
                sandbox.client.simulate_payment(order_id=order.order_id, action="pay", end_user=end_user)
    # Lifecycle steps are faster than the stream's polling here, so middle states may be merged.
    assert seen[0] == "WaitingForPayment"
    assert seen[-1] == "Done"
    assert len(seen) >= 2
