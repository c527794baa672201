"""Reads of orders."""

from __future__ import annotations

import re
from datetime import datetime

from django.db.models import F, Q, QuerySet
from django.http import Http404

from .models import Order
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


def get_order_for_token(*, token: str) -> Order:
    """Return the order behind a secret URL, or raise Http404 (also for malformed tokens)."""
    _check_token_shape(token)
    # Items are not prefetched: the polled status fragment shows them only once the order is Done.
    order = Order.objects.filter(token=token).first()
    if order is None:
        raise Http404
    return order


async def aget_order_for_token(*, token: str) -> Order:
    """Return the order behind a secret URL, or raise Http404 (async views)."""
    _check_token_shape(token)
    order = await Order.objects.filter(token=token).afirst()
    if order is None:
        raise Http404
    return order


def open_orders() -> QuerySet[Order]:
    """Return orders the upstream may still move (known upstream, not terminal)."""
    return (
        Order.objects.exclude(state__in=TERMINAL_STATES)
        .exclude(upstream_order_id=None)
        .exclude(state=OrderState.SUBMITTING)
    )


def orders_due_for_sync(*, cutoff: datetime) -> QuerySet[Order]:
    """Return open orders last synced before `cutoff` (never synced first)."""
    return (
        open_orders()
        .filter(Q(synced_at__isnull=True) | Q(synced_at__lt=cutoff))
        .order_by(F("synced_at").asc(nulls_first=True), "pk")
    )


def needs_attention_q() -> Q:
    """Return the filter of orders staff should look at: money in, goods not out, or nothing sent."""
    return (
        Q(state=OrderState.PARTIAL_PAYMENT_STARTED)
        | Q(state=OrderState.WAITING_FOR_MANUAL_ACTION)
        | Q(state=OrderState.SUBMIT_FAILED)
        | Q(state=OrderState.EXPIRED) & (Q(late_payment=True) | Q(coin_amount_paid__gt=0))
    )
