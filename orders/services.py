"""Writes to orders: every state change is a compare-and-set plus an event row."""

from __future__ import annotations

import logging
from contextlib import nullcontext
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone

from storefront.upstream import schemas
from storefront.upstream.client import EndUser
from storefront.upstream.errors import UpstreamError
from storefront.upstream.factory import get_client

from .models import Order, OrderEvent
from .selectors import awaits_late_payment, orders_due_for_sync
from .states import (
    PAYMENT_OPEN_STATES,
    IllegalTransition,
    OrderState,
    is_allowed,
    is_known_upstream_state,
    is_late_payment,
)

logger = logging.getLogger(__name__)

# Sent inside the transaction of every state change (and of an order's creation) with `order` (its new
# state and fields set), `from_state` ("" on creation) and `to_state`: what a receiver writes commits
# or rolls back with the change itself (notifications: the outbox row of the e-mail it calls for).
order_changed = Signal()


def transition_order(
    *,
    order: Order,
    to_state: str,
    source: str,
    note: str = "",
    fields: dict[str, Any] | None = None,
    expect: dict[str, Any] | None = None,
) -> bool:
    """Move `order` to `to_state` and record the event; return False if another writer moved it first.

    The update only matches the state this process read (and the `expect` lookups, if given), so
    two writers racing on one order cannot both record a change, and a terminal state is never left.
    """
    if not is_allowed(order.state, to_state):
        raise IllegalTransition(order.state, to_state)
    fields = dict(fields or {})
    now = timezone.now()
    with transaction.atomic():
        moved = Order.objects.filter(pk=order.pk, state=order.state, **(expect or {})).update(
            state=to_state, updated_at=now, **fields
        )
        if not moved:
            order.refresh_from_db()
            return False
        from_state = order.state
        OrderEvent.objects.create(
            order=order, from_state=from_state, to_state=to_state, source=source, note=note
        )
        for name, value in fields.items():
            setattr(order, name, value)
        order.state = to_state
        order.updated_at = now
        order_changed.send(sender=Order, order=order, from_state=from_state, to_state=to_state)
    return True


def payment_window() -> timedelta:
    """Return how long the shopper has to pay from the upstream's window opening (no expires_at live)."""
    return timedelta(seconds=getattr(settings, "ORDERS_PAYMENT_WINDOW_SECONDS", 1800))


def window_closes_at(upstream: schemas.Order) -> datetime | None:
    """Return when an upstream order's payment window closes: its own expires_at, else derived."""
    if upstream.expires_at is not None:
        return upstream.expires_at
    opened = upstream.window_opened_at
    return opened + payment_window() if opened is not None else None


def upstream_payment_fields(upstream: schemas.Order) -> dict[str, Any]:
    """Return the Order fields an upstream order answer sets."""
    fields: dict[str, Any] = {
        "upstream_order_id": upstream.order_id,
        "upstream_state": upstream.order_state,
        "payment_state": upstream.payment_state or "",
        "synced_at": timezone.now(),
    }
    optional = {
        "coin_amount": upstream.coin_amount,
        "coin_amount_paid": upstream.sent_coin_amount,
        "coin_amount_due": upstream.amount_due,
        "wallet_address": upstream.wallet_address,
        "qr_text": upstream.qr_text,
        "expires_at": window_closes_at(upstream),
    }
    fields.update({name: value for name, value in optional.items() if value is not None})
    if upstream.coin_amount is not None:
        # Decimal keeps the upstream's digits ("25.40" stays "25.40"), so this is the text it sent.
        fields["coin_amount_text"] = format(upstream.coin_amount, "f")
    return fields


# How many times one answer is re-applied when another writer moves the order in between.
RECORD_ATTEMPTS = 5


class _LostRace(Exception):
    """Another writer changed the order between our read and our write; roll back and re-read."""


def _apply_upstream_order(*, order: Order, upstream: schemas.Order, source: str) -> None:
    """Write one upstream answer: fields, the state change with its event, deliveries (one transaction)."""
    from .deliveries import record_deliveries

    fields = upstream_payment_fields(upstream)
    target = upstream.order_state
    known = is_known_upstream_state(target)
    if is_late_payment(from_state=order.state, to_state=target, payment_state=fields["payment_state"]):
        fields["late_payment"] = True
    if known and target != order.state and is_allowed(order.state, target):
        note = "The payment arrived after the window closed." if order.state == OrderState.EXPIRED else ""
        if not transition_order(order=order, to_state=target, source=source, note=note, fields=fields):
            raise _LostRace
    else:
        if not known and target != order.upstream_state:
            # Kept, shown to the shopper as it is, and put under "needs attention" for staff.
            logger.warning("order %s: unknown upstream state %r kept", order.reference, target)
            OrderEvent.objects.create(
                order=order, from_state=order.state, to_state=order.state, source=source,
                note=f"The upstream reports a state the shop does not know: {target}",
            )
        elif target != order.state:
            logger.info(
                "order %s: upstream state %s does not follow %s", order.reference, target, order.state
            )
        # The compare-and-set on the state keeps a concurrent transition from being overwritten.
        if not Order.objects.filter(pk=order.pk, state=order.state).update(**fields):
            raise _LostRace
        for name, value in fields.items():
            setattr(order, name, value)
    record_deliveries(order=order, deliveries=upstream.deliveries)


def record_upstream_order(*, order: Order, upstream: schemas.Order, source: str) -> Order:
    """Bring what the upstream says about an order into its row, all of it in one transaction.

    A writer that moved the order in between makes the attempt roll back; the order is re-read and
    the answer applied again to what it now is, a bounded number of times.
    """
    for _attempt in range(RECORD_ATTEMPTS):
        try:
            with transaction.atomic():
                _apply_upstream_order(order=order, upstream=upstream, source=source)
            return order
        except _LostRace:
            order.refresh_from_db()
    logger.warning("order %s: upstream answer not recorded after %d races", order.reference, RECORD_ATTEMPTS)
    return order


def record_order_saved(*, order: Order, source: str) -> OrderEvent:
    """Record the creation of an order row (before it is submitted upstream) as its first event."""
    with transaction.atomic():
        event = OrderEvent.objects.create(
            order=order, from_state="", to_state=order.state, source=source, note="Order saved."
        )
        order_changed.send(sender=Order, order=order, from_state="", to_state=order.state)
    return event


def refresh_interval() -> timedelta:
    """Return how old an order's upstream news may get before a poll asks again (and the lock's life)."""
    return timedelta(seconds=getattr(settings, "ORDERS_REFRESH_SECONDS", 3))


def expiry_grace() -> timedelta:
    """Return how long past the window an open order waits for the upstream before expiring on its own.

    The grace leaves room for a payment broadcast in the last seconds to be reported; an order
    expired locally would never take it in.
    """
    return timedelta(seconds=getattr(settings, "ORDERS_EXPIRY_GRACE_SECONDS", 60))


def late_payment_watch() -> timedelta:
    """Return how long after its window closed an expired order is still asked about (late payments)."""
    return timedelta(seconds=getattr(settings, "ORDERS_LATE_PAYMENT_WATCH_SECONDS", 86400))


def late_payment_check_interval() -> timedelta:
    """Return how often a recently expired order is asked about: seldom, it is not waiting for anyone."""
    return timedelta(seconds=getattr(settings, "ORDERS_LATE_PAYMENT_CHECK_SECONDS", 60))


def stuck_after() -> timedelta:
    """Return how long a paid order may wait for its delivery before staff see it as stuck."""
    return timedelta(seconds=getattr(settings, "ORDERS_STUCK_AFTER_SECONDS", 3600))


def submitting_timeout() -> timedelta:
    """Return how long an order may stay in Submitting before its submit counts as never confirmed."""
    return timedelta(seconds=getattr(settings, "ORDERS_SUBMITTING_TIMEOUT_SECONDS", 600))


def end_user_for_order(order: Order) -> EndUser:
    """Return the shopper who placed `order`, for calls made on their behalf in the background."""
    return EndUser(
        ip=order.shopper_ip or "0.0.0.0",
        user_agent=order.shopper_user_agent,
        country_code=order.country_code,
    )


def refresh_order_from_upstream(*, order: Order, source: str) -> Order:
    """Ask the upstream about `order` and record the answer; UpstreamError when it cannot be asked."""
    upstream = get_client().get_order(order_id=order.upstream_order_id, end_user=end_user_for_order(order))
    return record_upstream_order(order=order, upstream=upstream, source=source)


def keeps_updating(order: Order, *, now: datetime | None = None) -> bool:
    """Return whether the order page should keep refreshing itself: the order may still move for the
    shopper (open, or expired with a late payment seen that the upstream may still deliver)."""
    if not order.is_terminal:
        return True
    now = now or timezone.now()
    payment_seen = order.late_payment or bool(order.coin_amount_paid)
    return payment_seen and awaits_late_payment(order, watch_since=now - late_payment_watch())


def expire_order_if_lapsed(*, order: Order, now: datetime | None = None) -> bool:
    """Expire an open order whose payment window (plus grace) has passed; return whether it moved."""
    now = now or timezone.now()
    if order.state not in PAYMENT_OPEN_STATES or order.expires_at is None:
        return False
    if now < order.expires_at + expiry_grace():
        return False
    return transition_order(
        order=order,
        to_state=OrderState.EXPIRED,
        source=OrderEvent.Source.EXPIRY,
        note="The payment window passed without word from the upstream.",
    )


def is_stale(order: Order, *, now: datetime | None = None, interval: timedelta | None = None) -> bool:
    """Return whether nobody has asked the upstream about `order` within the refresh interval."""
    now = now or timezone.now()
    return order.synced_at is None or now - order.synced_at >= (interval or refresh_interval())


def take_refresh_lock(order: Order) -> bool:
    """Return whether this process may ask the upstream about `order` now (once per refresh interval).

    The lock lives in the shared cache and outlives the call, so pollers and sync workers in any
    number of processes ask at most once per order per interval between them.
    """
    lock_seconds = max(1, int(refresh_interval().total_seconds()))
    return cache.add(f"orders:refresh:{order.pk}", 1, timeout=lock_seconds)


def refresh_order_if_stale(*, order: Order, source: str = OrderEvent.Source.POLL) -> Order:
    """Bring upstream news into a watched order when its row is stale, then apply a lapsed window.

    A per-order cache lock that outlives the call means any number of pollers, in any number of
    processes sharing the cache, ask the upstream at most once per order per refresh interval.
    """
    now = timezone.now()
    interval = refresh_interval()
    if order.is_terminal:
        if not awaits_late_payment(order, watch_since=now - late_payment_watch()):
            return order
        if not order.late_payment:
            interval = late_payment_check_interval()
    if order.upstream_order_id and is_stale(order, now=now, interval=interval):
        if take_refresh_lock(order):
            try:
                refresh_order_from_upstream(order=order, source=source)
            except UpstreamError as exc:
                logger.warning("order %s: upstream refresh failed: %s", order.reference, exc)
    expire_order_if_lapsed(order=order)
    return order


def claim_order_for_sync(*, cutoff: datetime) -> Order | None:
    """Claim the open order least recently synced before `cutoff`, so no other worker takes it now.

    Recently expired orders are claimed too, less often, so a late payment is seen.

    PostgreSQL: SKIP LOCKED passes over rows another worker is claiming. Elsewhere: a
    compare-and-set on synced_at, so of two workers reading the same row only one claims it.
    """
    now = timezone.now()
    candidates = orders_due_for_sync(
        cutoff=cutoff, late_cutoff=now - late_payment_check_interval(), watch_since=now - late_payment_watch()
    )
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            order = candidates.select_for_update(skip_locked=True, of=("self",)).first()
            if order is not None:
                Order.objects.filter(pk=order.pk).update(synced_at=now)
                order.synced_at = now
            return order
    for order in candidates[:50]:
        if Order.objects.filter(pk=order.pk, synced_at=order.synced_at).update(synced_at=now):
            order.synced_at = now
            return order
    return None


def sync_open_orders(*, limit: int | None = None) -> int:
    """Refresh every open order not synced within the refresh interval (and the recently expired ones
    not synced within the late-payment interval); return how many were asked about."""
    cutoff = timezone.now() - refresh_interval()
    count = 0
    while limit is None or count < limit:
        order = claim_order_for_sync(cutoff=cutoff)
        if order is None:
            break
        # A poller that just took the lock is asking already; its answer is recorded all the same.
        if take_refresh_lock(order):
            try:
                refresh_order_from_upstream(order=order, source=OrderEvent.Source.SYNC)
            except UpstreamError as exc:
                logger.warning("order %s: sync failed: %s", order.reference, exc)
            count += 1
        expire_order_if_lapsed(order=order)
    return count


def expire_lapsed_orders() -> int:
    """Expire open orders past their window (plus grace) that no sync reached; return how many."""
    deadline = timezone.now() - expiry_grace()
    lapsed = Order.objects.filter(state__in=PAYMENT_OPEN_STATES, expires_at__lt=deadline)
    return sum(expire_order_if_lapsed(order=order) for order in lapsed)


UNCONFIRMED_SUBMIT_NOTE = (
    "The submit was never confirmed: the order stayed in Submitting for over {seconds} s without an "
    "upstream order id (most likely the process placing it stopped between saving the row and "
    "recording the answer to POST /v5/orders). The upstream may or may not hold an order; no payment "
    "address was shown to the shopper, so it cannot have been paid. Not retried."
)
STUCK_SUBMIT_BATCH = 100


def fail_unconfirmed_submit(*, order: Order) -> bool:
    """Mark an order whose submit was never confirmed SubmitFailed; return whether this call moved it.

    The compare-and-set also requires that no upstream order id has arrived, so a checkout that
    records its answer first keeps the order.
    """
    note = UNCONFIRMED_SUBMIT_NOTE.format(seconds=int(submitting_timeout().total_seconds()))
    return transition_order(
        order=order,
        to_state=OrderState.SUBMIT_FAILED,
        source=OrderEvent.Source.SYNC,
        note=note,
        fields={"failure_reason": note},
        expect={"upstream_order_id": None},
    )


def fail_stuck_submissions(*, now: datetime | None = None) -> int:
    """Fail the orders left in Submitting past the timeout with no upstream order id; return how many.

    Several workers may run this at once. PostgreSQL: SKIP LOCKED leaves each batch to the worker
    that locked it. Elsewhere: each order's compare-and-set lets only one worker record the change.
    """
    deadline = (now or timezone.now()) - submitting_timeout()
    stuck = Order.objects.filter(
        state=OrderState.SUBMITTING, upstream_order_id=None, created_at__lt=deadline
    ).order_by("pk")
    skip_locked = connection.features.has_select_for_update_skip_locked
    failed, after = 0, 0
    while True:
        # Keyset pages: an order one pass could not move is not read again by the same pass.
        page = stuck.filter(pk__gt=after)
        if skip_locked:
            page = page.select_for_update(skip_locked=True, of=("self",))
        # The locks live as long as this transaction; without SKIP LOCKED no outer one is needed.
        with transaction.atomic() if skip_locked else nullcontext():
            batch = list(page[:STUCK_SUBMIT_BATCH])
            failed += sum(fail_unconfirmed_submit(order=order) for order in batch)
        if len(batch) < STUCK_SUBMIT_BATCH:
            return failed
        after = batch[-1].pk


def simulate_order_payment(*, order: Order, action: str, end_user: EndUser) -> Order:
    """Drive a sandbox order (one of the sandbox's simulate actions) and record the answer."""
    upstream = get_client().simulate_payment(
        order_id=order.upstream_order_id, action=action, end_user=end_user
    )
    return record_upstream_order(order=order, upstream=upstream, source=OrderEvent.Source.SIMULATE)
