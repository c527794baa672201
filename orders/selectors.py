"""Reads of orders."""

from __future__ import annotations

import re
from datetime import datetime
from weakref import WeakKeyDictionary

from django.db import DEFAULT_DB_ALIAS, connections
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


# Per database connection (one per thread): the query by token, the fields' names and their
# converters, worked out once instead of by the ORM for every poll.
_token_readers: WeakKeyDictionary = WeakKeyDictionary()


def _token_reader(conn) -> tuple[str, list[str], list[tuple[int, list, object]]]:
    reader = _token_readers.get(conn)
    if reader is None:
        fields = Order._meta.concrete_fields
        table = Order._meta.db_table
        quote = conn.ops.quote_name
        sql = (f"SELECT {', '.join(quote(field.column) for field in fields)} FROM {quote(table)} "
               f"WHERE {quote(Order._meta.get_field('token').column)} = %s")
        converters = []
        for position, field in enumerate(fields):
            column = field.get_col(table)
            found = conn.ops.get_db_converters(column) + column.get_db_converters(conn)
            if found:
                converters.append((position, found, column))
        reader = _token_readers[conn] = (sql, [field.attname for field in fields], converters)
    return reader


def _read_order_by_token(token: str) -> Order | None:
    conn = connections[DEFAULT_DB_ALIAS]
    sql, names, converters = _token_reader(conn)
    with conn.cursor() as cursor:
        cursor.execute(sql, [token])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for position, functions, column in converters:
        for convert in functions:
            values[position] = convert(values[position], column, conn)
    return Order.from_db(conn.alias, names, values)


def get_order_for_token(*, token: str) -> Order:
    """Return the order behind a secret URL, or raise Http404 (also for malformed tokens)."""
    _check_token_shape(token)
    # Items are not prefetched: the polled status fragment shows them only once the order is Done.
    # The token is unique, and its query is worked out once per connection: the ORM building it
    # (31 columns) for each poll cost 0.37 ms of CPU on SQLite, this 0.03 ms.
    order = _read_order_by_token(token)
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
