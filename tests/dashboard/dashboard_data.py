"""Orders for the dashboard's tests: many rows at once, in given states and days, with their events.

Not a conftest.py (tests/e2e imports `conftest` by name); tests import it by module name.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal

from dashboard.models import FunnelEvent
from orders.models import Order, OrderEvent, OrderItem
from orders.states import PAID_STATES, OrderState

S = OrderState
NOT_UPSTREAM = (S.SUBMITTING, S.SUBMIT_FAILED)


@contextmanager
def given_times(*models):
    """Let bulk_create keep the created_at (and updated_at) given, for rows dated in the past."""
    fields = [field for model in models for field in model._meta.fields
              if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False)]
    saved = [(field, field.auto_now_add, field.auto_now) for field in fields]
    for field in fields:
        field.auto_now_add = field.auto_now = False
    try:
        yield
    finally:
        for field, auto_now_add, auto_now in saved:
            field.auto_now_add, field.auto_now = auto_now_add, auto_now


def add_orders(
    *, count: int, state: str, created_at: datetime, coin: str = "USDC", amount: str = "10",
    country: str = "US", brand: str = "Steam", paid_after: timedelta = timedelta(minutes=4),
    delivered_after: timedelta = timedelta(minutes=2), **fields,
) -> None:
    """Create `count` orders in `state` placed at `created_at`, with an item and the events of their path."""
    with given_times(Order, OrderEvent):
        orders = Order.objects.bulk_create([
            Order(state=state, email=f"buyer{n}@example.com", country_code=country, coin=coin,
                  network="Solana", coin_amount=Decimal(amount), coin_amount_text=amount,
                  created_at=created_at, updated_at=created_at,
                  upstream_order_id=None if state in NOT_UPSTREAM else uuid.uuid4().hex,
                  upstream_state="" if state in NOT_UPSTREAM else state, **fields)
            for n in range(count)
        ], batch_size=2000)
        OrderItem.objects.bulk_create([
            OrderItem(order=o, brand_name=brand, country_code=country, denomination="10 USD",
                      face_value=Decimal(10), currency="USD", beneficiary_account=o.email)
            for o in orders
        ], batch_size=2000)
        paid_at, done_at = created_at + paid_after, created_at + paid_after + delivered_after
        events = []
        for o in orders:
            events.append(OrderEvent(order=o, from_state="", to_state=S.SUBMITTING, source="checkout",
                                     created_at=created_at))
            if state in PAID_STATES:
                events.append(OrderEvent(order=o, from_state=S.WAITING_FOR_PAYMENT,
                                         to_state=S.PAYMENT_RECEIVED, source="sync", created_at=paid_at))
            if state == S.DONE:
                events.append(OrderEvent(order=o, from_state=S.PAYMENT_RECEIVED, to_state=S.DONE,
                                         source="sync", created_at=done_at))
        OrderEvent.objects.bulk_create(events, batch_size=2000)


def add_checkouts(*, checked_out: int, validated: int, problems: dict[str, int], at: datetime) -> None:
    """Record checkouts as the checkout service does: some validated, the others stopped by problems."""
    rows = [FunnelEvent(step=FunnelEvent.Step.CHECKED_OUT, created_at=at) for _ in range(checked_out)]
    rows += [FunnelEvent(step=FunnelEvent.Step.VALIDATED, created_at=at) for _ in range(validated)]
    rows += [FunnelEvent(step=FunnelEvent.Step.STOPPED, problem_code=code, created_at=at)
             for code, n in problems.items() for _ in range(n)]
    with given_times(FunnelEvent):
        FunnelEvent.objects.bulk_create(rows, batch_size=2000)
