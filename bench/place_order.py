"""Place an order on the shop's upstream and record it in the shop's database; print its token.

Run by bench/harness.py with the running shop's environment: `python bench/place_order.py [--pay]`.
With --pay, the sandbox is told the payment arrived and the order is followed to Done.
With `--count N`, N orders are placed in this one process (Django starts once, not N times) and
each is printed on its own line as "token upstream_order_id".
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "storefront.settings")

import django  # noqa: E402

django.setup()

from orders.models import Order, OrderItem  # noqa: E402
from orders.services import record_upstream_order  # noqa: E402
from storefront.upstream.client import EndUser  # noqa: E402
from storefront.upstream.factory import get_client  # noqa: E402

EMAIL = "bench@example.com"
SHOPPER = EndUser(ip="127.0.0.1", user_agent="bench", country_code="US")


def order_body(email: str) -> dict:
    """Return the upstream's order request for one $50 Airbnb card bought by `email`."""
    return {
        "email": email,
        "user": {"email": email, "has_accepted_newsletter": False},
        "payment": {"type": "via", "payment_via": "USER_WALLET", "coin": "USDC", "network": "Solana"},
        "deliveries": [
            {"beneficiary_account": email, "brand_name": "Airbnb", "country_code": "US",
             "denomination": "50 USD"}
        ],
        "lang": "en",
    }


def place_order(*, pay: bool, email: str = EMAIL) -> Order:
    """Create the order upstream and its row here, as checkout would."""
    order = Order.objects.create(
        email=email,
        country_code="US",
        coin="USDC",
        network="Solana",
        shopper_ip="127.0.0.1",
        shopper_user_agent="bench",
    )
    OrderItem.objects.create(
        order=order,
        brand_name="Airbnb",
        family="airbnb",
        kind="giftcard",
        country_code="US",
        denomination="50 USD",
        localized_denomination="$50",
        beneficiary_account=email,
    )
    client = get_client()
    record_upstream_order(
        order=order, upstream=client.create_order(body=order_body(email), end_user=SHOPPER), source="checkout"
    )
    if pay:
        for _ in range(100):
            upstream = client.get_order(order_id=order.upstream_order_id, end_user=SHOPPER)
            if upstream.order_state == "WaitingForPayment":
                client.simulate_payment(order_id=order.upstream_order_id, action="pay", end_user=SHOPPER)
            if upstream.order_state == "Done":
                record_upstream_order(order=order, upstream=upstream, source="sync")
                break
            time.sleep(0.2)
    return order


def main(argv: list[str]) -> None:
    pay = "--pay" in argv
    if "--count" not in argv:
        print(place_order(pay=pay).token)
        return
    # A buyer of their own for each: the sandbox, as live, caps what one e-mail may spend a day.
    for number in range(int(argv[argv.index("--count") + 1])):
        order = place_order(pay=pay, email=f"bench-{number}@example.com")
        print(order.token, order.upstream_order_id, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
