"""Orders for the e-mail tests: placed on the in-process sandbox and recorded as checkout records them."""

from __future__ import annotations

import json
import time
from pathlib import Path

from orders.models import Order, OrderItem
from orders.services import record_order_saved, record_upstream_order
from storefront.upstream import schemas
from storefront.upstream.client import EndUser
from storefront.upstream.factory import get_client

SHOPPER = EndUser(ip="203.0.113.7", user_agent="Mozilla/5.0 (test shopper)", country_code="US")
FIXTURES = Path(__file__).resolve().parents[1] / "contract" / "fixtures"


def place_order(*, email: str = "sam@example.com", lang: str = "en", brand: str = "Airbnb") -> Order:
    """Place an order on the sandbox as checkout does (row, creation event, POST, answer) and wait
    until it awaits payment."""
    order = Order.objects.create(
        email=email, country_code="US", coin="USDC", network="Solana", lang=lang,
        shopper_ip=SHOPPER.ip, shopper_user_agent=SHOPPER.user_agent,
    )
    OrderItem.objects.create(
        order=order, brand_name=brand, country_code="US", denomination="25 USD",
        localized_denomination="$25", beneficiary_account=email,
    )
    record_order_saved(order=order, source="checkout")
    body = {
        "email": email,
        "user": {"email": email, "has_accepted_newsletter": False, "full_name": "Sam Shopper"},
        "payment": {"type": "via", "payment_via": "USER_WALLET", "coin": "USDC", "network": "Solana"},
        "deliveries": [{"beneficiary_account": email, "brand_name": brand, "country_code": "US",
                        "denomination": "25 USD"}],
        "lang": lang,
    }
    upstream = get_client().create_order(body=body, end_user=SHOPPER)
    time.sleep(0.08)  # one sandbox step: Created -> WaitingForPayment
    upstream = get_client().get_order(order_id=upstream.order_id, end_user=SHOPPER)
    return record_upstream_order(order=order, upstream=upstream, source="checkout")


def live_answer(name: str, **overrides) -> schemas.Order:
    """Return a live-shaped order answer from tests/contract/fixtures (top-level keys overridden)."""
    data = json.loads((FIXTURES / name).read_text())
    data.update(overrides)
    return schemas.Order.model_validate(data)


def answer_for(order: Order, name: str, **overrides) -> schemas.Order:
    """Return a live fixture answer about `order` (its upstream id), in the state it names."""
    return live_answer(name, order_id=order.upstream_order_id, **overrides)
