"""Reads for the staff dashboard and the metrics: every figure an aggregate computed by the database.

Each read is one query whatever the number of orders (the medians read a bounded sample), on the
indexes of Order.created_at, Order(state, synced_at), OrderEvent(to_state, created_at) and
FunnelEvent(created_at, step).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import CharField, Count, DateField, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Cast, Coalesce, Substr, TruncDate
from django.utils import timezone

from notifications.models import OutboxEmail
from orders.models import Order, OrderEvent, OrderItem
from orders.selectors import any_attention_q, needs_attention_q, open_orders
from orders.services import stuck_after
from orders.states import PAID_STATES, OrderState

from .models import FunnelEvent

# Orders that never reached the upstream were not placed.
NOT_PLACED_STATES = (OrderState.SUBMITTING, OrderState.SUBMIT_FAILED)
# The medians read the latest orders of the period only, so their cost does not grow with the shop.
MEDIAN_SAMPLE = 1000
TOP = 5


def count_orders_by_state() -> dict[str, int]:
    """Return how many orders are in each state now."""
    rows = Order.objects.order_by().values("state").annotate(count=Count("pk"))
    return {row["state"]: row["count"] for row in rows}


def get_sync_lag_seconds(*, now: datetime | None = None) -> float:
    """Return the age of the last sync of the open order synced longest ago (never synced: since created)."""
    now = now or timezone.now()
    oldest = open_orders().aggregate(oldest=Min(Coalesce("synced_at", "created_at")))["oldest"]
    return max(0.0, (now - oldest).total_seconds()) if oldest else 0.0


def count_needs_attention(*, now: datetime | None = None) -> dict[str, int]:
    """Return, by reason (and "yes" for any), how many orders need staff now (the admin filter's reasons)."""
    stuck_before = (now or timezone.now()) - stuck_after()
    reasons = needs_attention_q(stuck_before=stuck_before)
    counts = {name: Count("pk", filter=condition) for name, condition in reasons.items()}
    anything = any_attention_q(stuck_before=stuck_before)
    counts["yes"] = Count("pk")
    # The WHERE keeps the few orders needing attention, so each reason is tested on those only.
    return Order.objects.filter(anything).order_by().aggregate(**counts)


def count_failed_emails() -> int:
    """Return how many e-mails of the outbox failed for good (staff may resend them)."""
    return OutboxEmail.objects.filter(status=OutboxEmail.Status.FAILED).count()


def count_outbox_backlog() -> int:
    """Return how many e-mails wait to be sent (pending, or being sent now)."""
    return OutboxEmail.objects.filter(
        status__in=(OutboxEmail.Status.PENDING, OutboxEmail.Status.SENDING)
    ).count()


def _day_of(field: str):
    """Return the date of a datetime field, computed by the database itself.

    On SQLite, Django's TruncDate calls a Python function per row (200 ms over 30,000 orders);
    SQLite stores datetimes as UTC text, so with TIME_ZONE UTC the date is the first ten characters.
    """
    if connection.vendor == "sqlite" and settings.TIME_ZONE == "UTC":
        return Cast(Substr(Cast(field, CharField()), 1, 10), DateField())
    return TruncDate(field)


@dataclass(frozen=True)
class DayOfCoin:
    day: date
    coin: str
    orders: int
    paid_volume: Decimal


def get_daily_orders(*, start: datetime) -> list[DayOfCoin]:
    """Return, per day since `start` and coin, the orders placed and the amount of those paid."""
    rows = (
        Order.objects.filter(created_at__gte=start)
        .exclude(state__in=NOT_PLACED_STATES)
        .annotate(day=_day_of("created_at"))
        .order_by()
        .values("day", "coin")
        .annotate(orders=Count("pk"), paid=Sum("coin_amount", filter=Q(state__in=PAID_STATES)))
    )
    return [
        DayOfCoin(
            day=row["day"], coin=row["coin"], orders=row["orders"], paid_volume=row["paid"] or Decimal(0)
        )
        for row in rows
    ]


@dataclass(frozen=True)
class Funnel:
    checked_out: int
    validated: int
    placed: int
    paid: int
    delivered: int
    problems: list[tuple[str, int]]


def get_funnel(*, start: datetime) -> Funnel:
    """Return the purchase funnel since `start` (checkouts by when they were sent, orders by when placed)
    and the problem codes that stopped most checkouts and placements."""
    events = FunnelEvent.objects.filter(created_at__gte=start).order_by()
    steps = events.aggregate(
        checked_out=Count("pk", filter=Q(step=FunnelEvent.Step.CHECKED_OUT)),
        validated=Count("pk", filter=Q(step=FunnelEvent.Step.VALIDATED)),
    )
    orders = (
        Order.objects.filter(created_at__gte=start)
        .exclude(state__in=NOT_PLACED_STATES)
        .order_by()
        .aggregate(
            placed=Count("pk"),
            paid=Count("pk", filter=Q(state__in=PAID_STATES)),
            delivered=Count("pk", filter=Q(state=OrderState.DONE)),
        )
    )
    problems = (
        events.filter(step=FunnelEvent.Step.STOPPED)
        .values("problem_code")
        .annotate(count=Count("pk"))
        .order_by("-count", "problem_code")[:TOP]
    )
    return Funnel(**steps, **orders, problems=[(row["problem_code"], row["count"]) for row in problems])


@dataclass(frozen=True)
class Ranked:
    name: str
    count: int
    volume: Decimal


def get_top_brands(*, start: datetime) -> list[Ranked]:
    """Return the brands with the most paid items since `start`, with their face value."""
    rows = (
        OrderItem.objects.filter(order__created_at__gte=start, order__state__in=PAID_STATES)
        .order_by()
        .values("brand_name")
        .annotate(count=Count("pk"), volume=Sum(Coalesce("product_value", "face_value")))
        .order_by("-count", "brand_name")[:TOP]
    )
    return [
        Ranked(name=row["brand_name"], count=row["count"], volume=row["volume"] or Decimal(0)) for row in rows
    ]


def get_top_countries(*, start: datetime) -> list[Ranked]:
    """Return the countries with the largest paid amount since `start` (stablecoins, summed as units)."""
    rows = (
        Order.objects.filter(created_at__gte=start, state__in=PAID_STATES)
        .order_by()
        .values("country_code")
        .annotate(count=Count("pk"), volume=Sum("coin_amount"))
        .order_by("-volume", "country_code")[:TOP]
    )
    return [
        Ranked(name=row["country_code"], count=row["count"], volume=row["volume"] or Decimal(0))
        for row in rows
    ]


@dataclass(frozen=True)
class Medians:
    placed_to_paid: timedelta | None
    paid_to_delivered: timedelta | None
    sample: int


def _entered_paid() -> Q:
    # The move into the paid states; a poll may jump from waiting straight to Done.
    return Q(to_state__in=PAID_STATES) & ~Q(from_state__in=PAID_STATES)


def _median(durations: list[timedelta]) -> timedelta | None:
    return statistics.median(durations) if durations else None


def get_median_times(*, start: datetime) -> Medians:
    """Return the median time from placed to paid (the latest MEDIAN_SAMPLE payments since `start`)
    and from paid to delivered (the latest MEDIAN_SAMPLE deliveries): two queries, bounded rows."""
    paid_at = OrderEvent.objects.filter(_entered_paid(), order=OuterRef("order")).order_by("created_at")
    delivered = (
        OrderEvent.objects.filter(to_state=OrderState.DONE, created_at__gte=start)
        .annotate(paid_at=Subquery(paid_at.values("created_at")[:1]))
        .order_by("-created_at")
        .values_list("created_at", "paid_at")[:MEDIAN_SAMPLE]
    )
    paid = (
        OrderEvent.objects.filter(_entered_paid(), created_at__gte=start)
        .order_by("-created_at")
        .values_list("created_at", "order__created_at")[:MEDIAN_SAMPLE]
    )
    to_paid = [paid_at - placed_at for paid_at, placed_at in paid]
    to_delivered = [done_at - paid_at for done_at, paid_at in delivered if paid_at is not None]
    return Medians(
        placed_to_paid=_median(to_paid), paid_to_delivered=_median(to_delivered),
        sample=max(len(to_paid), len(to_delivered)),
    )
