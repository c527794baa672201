"""Writes for e-mails: enqueue in the caller's transaction, claim one at a time, send, retry, resend."""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from orders.models import Order
from storefront.ratelimit import hit

from .compose import compose_email, shop_language
from .hooks import note_enqueued
from .kinds import EmailKind, kind_for_change
from .models import OutboxEmail
from .selectors import abandoned_sends, due_emails

logger = logging.getLogger(__name__)
Status = OutboxEmail.Status

ABANDONED_NOTE = (
    "The worker sending this e-mail stopped before it reported back: it may or may not have arrived. "
    "It is not sent again by itself (at most once); resend it if the shopper did not get it."
)


def enqueue_order_email(*, order: Order, to_state: str) -> OutboxEmail | None:
    """Record the e-mail an order entering `to_state` calls for (at most one per order and kind).

    Runs inside the state change's transaction, so the change and its e-mail commit together.
    """
    kind = kind_for_change(
        to_state=to_state, has_payment_address=bool(order.wallet_address), late_payment=order.late_payment
    )
    if kind is None:
        return None
    email, created = OutboxEmail.objects.get_or_create(
        order=order, kind=kind, defaults={"to": order.email, "lang": shop_language(order.lang)}
    )
    return email if created else None


def request_order_links(*, email: str, language: str) -> OutboxEmail | None:
    """Queue the e-mail listing an address's recent orders, unless that address asked too often.

    Whether the address has orders is decided by the worker, later: the page that asks does the same
    work for every address, so neither its answer nor its timing tells who is a customer.
    """
    address = email.strip()
    limit, window = settings.RATE_LIMITS["find_orders_address"]
    if not hit(scope="find_orders_address", key=address.lower(), limit=limit, window_seconds=window):
        logger.info("find my orders: an address asked more than %d times in %d s; not sent", limit, window)
        return None
    with transaction.atomic():
        row = OutboxEmail.objects.create(kind=EmailKind.ORDER_LINKS, to=address, lang=language)
        note_enqueued()
    return row


def retry_delay(attempts: int) -> timedelta:
    """Return how long to wait after the `attempts`-th failed attempt: doubling, capped."""
    base = settings.NOTIFICATIONS_RETRY_BASE_SECONDS
    return timedelta(seconds=min(settings.NOTIFICATIONS_RETRY_MAX_SECONDS, base * 2 ** max(0, attempts - 1)))


def claim_due_email(*, now: datetime) -> OutboxEmail | None:
    """Claim the e-mail due longest, so that no other worker or web process sends it too.

    PostgreSQL: SKIP LOCKED passes over rows another worker is claiming. Elsewhere: a
    compare-and-set on status and attempts, so of two claimants reading the same row one wins.
    """
    lease = now + timedelta(seconds=settings.NOTIFICATIONS_CLAIM_SECONDS)
    due = due_emails(now=now)
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            email = due.select_for_update(skip_locked=True).first()
            if email is None:
                return None
            email.attempts += 1
            OutboxEmail.objects.filter(pk=email.pk).update(
                status=Status.SENDING, claimed_until=lease, attempts=email.attempts, updated_at=now
            )
    else:
        for email in due[:50]:
            claimed = OutboxEmail.objects.filter(
                pk=email.pk, status=Status.PENDING, attempts=email.attempts, resends=email.resends
            ).update(status=Status.SENDING, claimed_until=lease, attempts=email.attempts + 1, updated_at=now)
            if claimed:
                email.attempts += 1
                break
        else:
            return None
    email.status, email.claimed_until = Status.SENDING, lease
    return email


def _finish(email: OutboxEmail, **fields) -> None:
    """Record the outcome of a claimed e-mail (only while the claim is still this worker's)."""
    fields.setdefault("claimed_until", None)
    OutboxEmail.objects.filter(pk=email.pk, status=Status.SENDING, attempts=email.attempts).update(
        updated_at=timezone.now(), **fields
    )
    for name, value in fields.items():
        setattr(email, name, value)


def is_permanent(exc: Exception) -> bool:
    """Return whether the mail server refused for good (a 5xx, every recipient refused)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return True
    return isinstance(exc, smtplib.SMTPResponseException) and 500 <= exc.smtp_code < 600


def deliver_email(*, email: OutboxEmail, now: datetime | None = None) -> str:
    """Send one claimed e-mail and record the outcome; return its new status.

    A refusal for now (server down, 4xx) puts it back with a growing delay; one for good, or the
    last attempt, marks it failed for staff to see.
    """
    now = now or timezone.now()
    message = compose_email(email, now=now)
    if isinstance(message, str):
        _finish(email, status=Status.SKIPPED, last_error=message)
        return Status.SKIPPED
    try:
        message.send()
    except Exception as exc:  # noqa: BLE001 - every backend has its own errors; all are recorded
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if is_permanent(exc) or email.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
            logger.warning("e-mail %s (%s) failed for good: %s", email.pk, email.kind, error)
            _finish(email, status=Status.FAILED, last_error=error)
            return Status.FAILED
        logger.info("e-mail %s (%s) attempt %d failed, retried later: %s",
                    email.pk, email.kind, email.attempts, error)
        retry_at = now + retry_delay(email.attempts)
        _finish(email, status=Status.PENDING, last_error=error, next_attempt_at=retry_at)
        return Status.PENDING
    _finish(email, status=Status.SENT, sent_at=timezone.now(), last_error="")
    return Status.SENT


def give_up_abandoned_sends(*, now: datetime | None = None) -> int:
    """Mark failed the e-mails whose sender stopped mid-send; return how many.

    Sending again could deliver twice, so staff decide (the admin shows them, with a resend button).
    """
    return abandoned_sends(now=now or timezone.now()).update(
        status=Status.FAILED, claimed_until=None, last_error=ABANDONED_NOTE, updated_at=timezone.now()
    )


def send_due_emails(*, limit: int | None = None, now: datetime | None = None) -> int:
    """Send the e-mails that are due; return how many were sent.

    Stops at the first refusal for now: while the mail server is down, one attempt per pass is
    enough, and the others keep their attempts for when it is back.
    """
    now = now or timezone.now()
    give_up_abandoned_sends(now=now)
    sent, tried = 0, 0
    while limit is None or tried < limit:
        email = claim_due_email(now=now)
        if email is None:
            break
        tried += 1
        status = deliver_email(email=email, now=now)
        sent += status == Status.SENT
        if status == Status.PENDING:
            break
    return sent


def resend_email(*, email: OutboxEmail) -> bool:
    """Send an e-mail again (staff's resend): due now, with a new Message-ID; False while it is sending."""
    moved = OutboxEmail.objects.filter(pk=email.pk).exclude(status=Status.SENDING).update(
        status=Status.PENDING, attempts=0, resends=email.resends + 1, next_attempt_at=timezone.now(),
        last_error="", updated_at=timezone.now(),
    )
    if moved:
        note_enqueued()
    return bool(moved)
