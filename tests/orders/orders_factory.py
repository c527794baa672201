"""Orders for tests: placed on the in-process sandbox and recorded the way checkout records them.

Not a conftest.py: tests/e2e imports `conftest` by name, and a second conftest module would shadow it.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from pathlib import Path

import pytest

from orders.models import Order, OrderItem
from orders.services import record_upstream_order
from storefront.upstream import schemas
from storefront.upstream.client import EndUser
from storefront.upstream.factory import get_client, get_sandbox_app

# Test modules take the fixtures with `from orders_factory import *`.
__all__ = [
    "LIVE_FIXTURES", "cart_order", "live_answer", "make_order", "order", "place_order", "streams_opened",
    "upstream_calls", "wait_until_fixture",
]

LIVE_FIXTURES = Path(__file__).resolve().parents[1] / "contract" / "fixtures"


def live_answer(name: str, **overrides) -> schemas.Order:
    """Return a live-shaped order answer from tests/contract/fixtures (top-level keys overridden)."""
    data = json.loads((LIVE_FIXTURES / name).read_text())
    data.update(overrides)
    return schemas.Order.model_validate(data)


def cart_order(**fields) -> Order:
    """Return an order row as checkout saves it for the fixtures' cart: Amazon.com $25 (a range
    product) and Steam $10 (a fixed one), for jane.doe@example.com, in USDC on Solana."""
    email = "jane.doe@example.com"
    order = Order.objects.create(
        **{"email": email, "country_code": "US", "coin": "USDC", "network": "Solana", **fields}
    )
    common = {
        "order": order, "kind": "giftcard", "country_code": "US", "currency": "USD",
        "beneficiary_account": email,
    }
    OrderItem.objects.bulk_create([
        OrderItem(position=0, brand_name="Amazon.com", family="Amazon.com", denomination="range",
                  product_value=Decimal(25), face_value=Decimal(25), **common),
        OrderItem(position=1, brand_name="Steam", family="Steam", denomination="10 USD",
                  localized_denomination="$10", face_value=Decimal(10), **common),
    ])
    return order


def order_body(*, email: str, coin: str, network: str, brand: str, country: str, denomination: str) -> dict:
    """Return an order body as checkout sends it."""
    return {
        "email": email,
        "user": {"email": email, "has_accepted_newsletter": False, "full_name": "Test Shopper"},
        "payment": {"type": "via", "payment_via": "USER_WALLET", "coin": coin, "network": network},
        "deliveries": [
            {
                "beneficiary_account": email,
                "brand_name": brand,
                "country_code": country,
                "denomination": denomination,
            }
        ],
        "lang": "en",
    }


def place_order(
    *,
    email: str = "shopper@example.com",
    coin: str = "USDC",
    network: str = "Solana",
    brand: str = "Airbnb",
    country: str = "US",
    denomination: str = "25 USD",
    wait_for_payment: bool = True,
) -> Order:
    """Create an order on the sandbox and its row here; by default wait until it awaits payment."""
    end_user = EndUser(ip="203.0.113.7", user_agent="Mozilla/5.0 (test shopper)", country_code=country)
    order = Order.objects.create(
        email=email,
        country_code=country,
        coin=coin,
        network=network,
        shopper_ip=end_user.ip,
        shopper_user_agent=end_user.user_agent,
    )
    OrderItem.objects.create(
        order=order,
        brand_name=brand,
        country_code=country,
        denomination=denomination,
        beneficiary_account=email,
    )
    body = order_body(
        email=email, coin=coin, network=network, brand=brand, country=country, denomination=denomination
    )
    upstream = get_client().create_order(body=body, end_user=end_user)
    if wait_for_payment:
        time.sleep(0.08)  # one sandbox step: Created -> WaitingForPayment
        upstream = get_client().get_order(order_id=upstream.order_id, end_user=end_user)
    return record_upstream_order(order=order, upstream=upstream, source="checkout")


@pytest.fixture
def order(db) -> Order:
    return place_order()


@pytest.fixture
def make_order(db):
    return place_order


@pytest.fixture
def upstream_calls():
    """Return a function counting the sandbox requests whose path starts with a prefix."""
    log = get_sandbox_app().request_log

    def count(prefix: str = "/v5/orders/") -> int:
        return sum(1 for method, path, _headers in log if method == "GET" and path.startswith(prefix))

    return count


def streams_opened() -> float:
    """Return how many upstream order streams this process has opened, as its metrics count them."""
    from storefront.metrics import UPSTREAM_CALLS

    return UPSTREAM_CALLS.labels("GET /v5/orders/{id}/subscribe", "2xx")._value.get()


def wait_until(predicate, *, timeout: float = 5.0, interval: float = 0.05) -> bool:
    """Poll `predicate` until it is true or the timeout passes; return its last answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


@pytest.fixture(name="wait_until")
def wait_until_fixture():
    return wait_until
