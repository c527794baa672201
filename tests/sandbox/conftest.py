"""Fixtures for the sandbox upstream: a fresh in-process app and an httpx client on it."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from storefront.sandbox.app import SandboxApp, make_app
from storefront.sandbox.config import SandboxConfig

BUYER = "buyer@example.com"


class FakeClock:
    """A wall clock that tests move by hand."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def base_body() -> dict:
    """Return a valid order body: one $25 Amazon.com gift card (a range product) paid in USDC on Solana."""
    return {
        "email": BUYER,
        "user": {"email": BUYER, "has_accepted_newsletter": False},
        "payment": {"type": "via", "payment_via": "USER_WALLET", "coin": "USDC", "network": "Solana"},
        "deliveries": [
            {
                "beneficiary_account": BUYER,
                "brand_name": "Amazon.com",
                "country_code": "US",
                "denomination": "range",
                "product_value": 25,
            }
        ],
        "lang": "en",
    }


@pytest.fixture
def make_body() -> Callable[..., dict]:
    """Return a builder of order bodies: base_body() with top-level keys replaced."""

    def build(**overrides: object) -> dict:
        body = copy.deepcopy(base_body())
        body.update(copy.deepcopy(overrides))
        return body

    return build


@pytest.fixture
def config(tmp_path) -> SandboxConfig:
    return SandboxConfig(
        db_path=tmp_path / "db" / "s.sqlite3", step_seconds=0.05, sse_poll_seconds=0.01, sse_max_seconds=5
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(config) -> SandboxApp:
    return make_app(config)


def client_for(app: SandboxApp) -> httpx.Client:
    """Return an httpx client talking to the app in-process."""
    return httpx.Client(
        transport=httpx.WSGITransport(app=app),
        base_url="http://sandbox.test",
        headers={"X-Cr-Application": "test"},
    )


@pytest.fixture
def make_client() -> Callable[[SandboxApp], httpx.Client]:
    """Return the function building an in-process client for an app."""
    return client_for


@pytest.fixture
def client(sandbox) -> Iterator[httpx.Client]:
    with client_for(sandbox) as http:
        yield http


@pytest.fixture
def create_order(client, make_body) -> Callable[..., dict]:
    """Return a function creating an order (201 expected) from body overrides."""

    def create(**overrides: object) -> dict:
        response = client.post("/v5/orders", json=make_body(**overrides))
        assert response.status_code == 201, response.text
        return response.json()

    return create


@pytest.fixture
def wait_for_state(client) -> Callable[[str, str], dict]:
    """Return a function polling an order until it reaches a state (2 s at most)."""

    def wait(order_id: str, state: str) -> dict:
        deadline = time.monotonic() + 2
        while True:
            order = client.get(f"/v5/orders/{order_id}").json()
            if order["order_state"] == state or time.monotonic() > deadline:
                assert order["order_state"] == state
                return order
            time.sleep(0.02)

    return wait
