"""The outbox: one row per e-mail the shop owes someone, written in the transaction that causes it."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.models import Order

from .kinds import EmailKind


class OutboxEmail(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("skipped")

    # Null for the e-mails about an address rather than one order ("find my orders").
    order = models.ForeignKey(
        Order, related_name="emails", on_delete=models.CASCADE, null=True, blank=True
    )
    kind = models.CharField(_("kind"), max_length=32, choices=EmailKind.choices)
    to = models.EmailField(_("recipient"))
    lang = models.CharField(_("language"), max_length=10, default="en")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # How often staff asked for it again; part of the Message-ID, so a resend is a new message.
    resends = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    # While a worker sends, the row is its own until then; a later claim must not take it.
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        ordering = ["created_at", "id"]
        constraints = [
            # At most one e-mail per order and kind, whatever the number of writers.
            models.UniqueConstraint(
                fields=["order", "kind"],
                condition=Q(order__isnull=False),
                name="one_email_per_order_and_kind",
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to}"
