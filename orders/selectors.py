"""Reads of orders."""

from __future__ import annotations

import re
from datetime import datetime

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.http import Http404

from .models import LATE_PAYMENT, PAID_UNDELIVERED_STATES, UNKNOWN_UPSTREAM_STATE, Order
from .states import TERMINAL_STATES, OrderState

# What secrets.token_urlsafe produces; anything else (NUL bytes, other alphabets) never reaches the
# database, where PostgreSQL would refuse it with an error instead of finding nothing.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def has_token_shape(token: object) -> bool:
    """Return whether `token` could be an order's secret token."""
    return isinstance(token, str) and TOKEN_SHAPE.fullmatch(token) is not None


def _check_token_shape(token: str) -> None:
    if not has_token_shape(token):
        raise Http404


def _by_token_sql() -> str:
    quote = connection.ops.quote_name
    token_column = Order._meta.get_field("token").column
    return f"SELECT * FROM {quote(Order._meta.db_table)} WHERE {quote(token_column)} = %s"


def get_order_for_token(*, token: str) -> Order:
    """Return the order behind a secret URL, or raise Http404 (also for malformed tokens)."""
    _check_token_shape(token)
    # Items are not prefetched: the polled status fragment shows them only once the order is Done.
    # The token is unique, and the query is written out: the ORM compiling it (31 columns) took
    # 0.31 ms of a polled status answer, the raw query 0.12 ms.
    order = next(iter(Order.objects.raw(_by_token_sql(), [token])), None)
    if order is None:
        raise Http404
    return order


def _open_q() -> Q:
    return ~Q(state__in=TERMINAL_STATES) & ~Q(upstream_order_id=None) & ~Q(state=OrderState.SUBMITTING)


def _late_payment_watch_q(*, since: datetime) -> Q:
    """Expired orders whose window closed after `since`: a late payment may still turn them Done."""
    closed_recently = Q(expires_at__gte=since) | Q(expires_at=None, created_at__gte=since)
    return Q(state=OrderState.EXPIRED) & ~Q(upstream_order_id=None) & closed_recently


def _not_synced_since(cutoff: datetime) -> Q:
    return Q(synced_at__isnull=True) | Q(synced_at__lt=cutoff)


def open_orders() -> QuerySet[Order]:
    """Return orders the upstream may still move (known upstream, not terminal)."""
    return Order.objects.filter(_open_q())


def orders_due_for_sync(*, cutoff: datetime, late_cutoff: datetime | None = None,
                        watch_since: datetime | None = None) -> QuerySet[Order]:
    """Return open orders last synced before `cutoff` (never synced first), and the recently expired
    ones (window closed after `watch_since`) last synced before `late_cutoff`, asked about less often
    unless a late payment was seen."""
    due = _open_q() & _not_synced_since(cutoff)
    if late_cutoff is not None and watch_since is not None:
        watched = _late_payment_watch_q(since=watch_since)
        # One whose late payment was seen is on its way (Expired -> Done): asked as often as open ones.
        due |= watched & Q(late_payment=True) & _not_synced_since(cutoff)
        due |= watched & _not_synced_since(late_cutoff)
    return Order.objects.filter(due).order_by(F("synced_at").asc(nulls_first=True), "pk")


def awaits_late_payment(order: Order, *, watch_since: datetime) -> bool:
    """Return whether an expired order's window closed recently enough to keep asking about it."""
    closed = order.expires_at or order.created_at
    return (
        order.state == OrderState.EXPIRED
        and bool(order.upstream_order_id)
        and closed is not None
        and closed >= watch_since
    )


def needs_attention_q(*, stuck_before: datetime) -> dict[str, Q]:
    """Return, by reason, the filters of orders staff should look at (money in, goods not out...).

    stuck: paid but not delivered since `stuck_before`; partial: part of the payment arrived;
    late: a payment came after the window; unknown: the upstream reports a state the shop does not
    know; manual: the upstream waits for a person; failed: the order never reached the upstream.
    Each is led by Order.may_need_attention, which every reason implies (orders.models), so that each
    reads its partial index (the few candidates) instead of every order.
    """
    reasons = {
        "stuck": Q(state__in=PAID_UNDELIVERED_STATES, updated_at__lt=stuck_before),
        "partial": Q(state=OrderState.PARTIAL_PAYMENT_STARTED),
        "late": LATE_PAYMENT,
        "unknown": UNKNOWN_UPSTREAM_STATE,
        "manual": Q(state=OrderState.WAITING_FOR_MANUAL_ACTION),
        "failed": Q(state=OrderState.SUBMIT_FAILED),
    }
    return {name: Q(may_need_attention=True) & condition for name, condition in reasons.items()}


def any_attention_q(*, stuck_before: datetime) -> Q:
    """Return the filter of orders that need attention for any reason (led by the candidates' index)."""
    combined = Q(pk__in=[])
    for condition in needs_attention_q(stuck_before=stuck_before).values():
        combined |= condition
    return Q(may_need_attention=True) & combined
