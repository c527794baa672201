"""Reads for e-mails: what is due, what an order was sent, and which orders an address placed."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from orders.models import Order
from orders.states import OrderState

from .models import OutboxEmail


def due_emails(*, now: datetime) -> QuerySet[OutboxEmail]:
    """Return the pending e-mails whose (next) attempt is due, oldest due first."""
    return OutboxEmail.objects.filter(
        status=OutboxEmail.Status.PENDING, next_attempt_at__lte=now
    ).order_by("next_attempt_at", "pk")


def abandoned_sends(*, now: datetime) -> QuerySet[OutboxEmail]:
    """Return e-mails a worker claimed and never reported on before its claim ran out."""
    return OutboxEmail.objects.filter(status=OutboxEmail.Status.SENDING, claimed_until__lt=now)


def lookup_window() -> timedelta:
    """Return how far back "find my orders" looks."""
    return timedelta(days=settings.NOTIFICATIONS_LOOKUP_DAYS)


def recent_orders_for_address(*, email: str, now: datetime | None = None) -> QuerySet[Order]:
    """Return the orders an address placed within the lookup window, newest first.

    Orders that never reached the upstream (Submitting, SubmitFailed) have nothing to go back to.
    """
    since = (now or timezone.now()) - lookup_window()
    return (
        Order.objects.filter(created_at__gte=since, email__iexact=email.strip())
        .exclude(state__in=(OrderState.SUBMITTING, OrderState.SUBMIT_FAILED))
        .order_by("-created_at")
    )
