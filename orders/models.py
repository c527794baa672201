"""The persisted record of every order, its items and its history."""

from __future__ import annotations

import secrets
import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from .states import PAYMENT_OPEN_STATES, TERMINAL_STATES, UPSTREAM_STATES, OrderState, is_known_upstream_state


def new_token() -> str:
    """Return the secret of an order's URL: 256 random bits."""
    return secrets.token_urlsafe(32)


def new_reference() -> str:
    """Return a short reference a shopper can read out to support."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "SF-" + "".join(secrets.choice(alphabet) for _ in range(8))


# Paid, not yet delivered: an order that stays here too long is stuck.
PAID_UNDELIVERED_STATES = frozenset(
    {OrderState.PAYMENT_STARTED, OrderState.PAYMENT_RECEIVED, OrderState.WAITING_FOR_DELIVERY}
)
# The states in which an order needs staff (stuck ones only after a while: orders.selectors).
ATTENTION_STATES = PAID_UNDELIVERED_STATES | {
    OrderState.PARTIAL_PAYMENT_STARTED, OrderState.WAITING_FOR_MANUAL_ACTION, OrderState.SUBMIT_FAILED
}
# The reasons of orders.selectors.needs_attention_q that no index on state finds, defined once.
LATE_PAYMENT = models.Q(late_payment=True) | models.Q(state=OrderState.EXPIRED, coin_amount_paid__gt=0)
UNKNOWN_UPSTREAM_STATE = ~models.Q(upstream_state="") & ~models.Q(upstream_state__in=sorted(UPSTREAM_STATES))
# Every order that needs attention for some reason, and a few more (paid ones not stuck yet). The
# lists are sorted so the generated column's definition, hence the migration, is the same every run.
MAY_NEED_ATTENTION = models.Q(state__in=sorted(ATTENTION_STATES)) | LATE_PAYMENT | UNKNOWN_UPSTREAM_STATE


class Order(models.Model):
    reference = models.CharField(_("reference"), max_length=16, unique=True, default=new_reference)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    idempotency_key = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    state = models.CharField(
        _("state"), max_length=32, choices=OrderState.choices, default=OrderState.SUBMITTING
    )
    upstream_order_id = models.CharField(
        _("upstream order id"), max_length=64, null=True, blank=True, unique=True
    )
    # The order state as the upstream last spelled it, kept even when the shop does not know it.
    upstream_state = models.CharField(_("upstream state"), max_length=64, blank=True)

    email = models.EmailField(_("email"))
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    accepted_newsletter = models.BooleanField(default=False)
    promo_code = models.CharField(max_length=64, blank=True)
    country_code = models.CharField(_("country"), max_length=2)
    lang = models.CharField(max_length=10, default="en")

    coin = models.CharField(_("coin"), max_length=16)
    network = models.CharField(_("network"), max_length=32)
    # The exact text the upstream gave, shown as is; the Decimal twin is for sums and filters.
    coin_amount_text = models.CharField(max_length=40, blank=True)
    coin_amount = models.DecimalField(_("amount"), max_digits=30, decimal_places=9, null=True, blank=True)
    coin_amount_paid = models.DecimalField(max_digits=30, decimal_places=9, null=True, blank=True)
    coin_amount_due = models.DecimalField(max_digits=30, decimal_places=9, null=True, blank=True)
    wallet_address = models.CharField(_("wallet address"), max_length=128, blank=True)
    qr_text = models.TextField(blank=True)
    payment_state = models.CharField(_("payment state"), max_length=64, blank=True)
    # Set when a payment arrived after the window closed (Expired moved on, or the upstream said so).
    late_payment = models.BooleanField(_("late payment"), default=False)
    # The upstream's expires_at if it ever sends one, else its window opening plus the shop's window.
    expires_at = models.DateTimeField(null=True, blank=True)

    # Kept so background refreshes can speak for the same shopper the order was placed by.
    shopper_ip = models.GenericIPAddressField(null=True, blank=True)
    shopper_user_agent = models.CharField(max_length=512, blank=True)
    failure_reason = models.TextField(blank=True)

    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    synced_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # MAY_NEED_ATTENTION, computed and stored by the database itself on every write (it cannot fall
    # behind a state change), for its partial index: the "needs attention" filters then read the few
    # candidates instead of testing every order. A partial index on the condition itself would not
    # do: SQLite matches one only against a query's literal values, and Django binds parameters.
    may_need_attention = models.GeneratedField(
        expression=models.Case(models.When(MAY_NEED_ATTENTION, then=True), default=False),
        output_field=models.BooleanField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "synced_at"]),
            # The dashboard's paid orders of a period (top brands and countries, the funnel).
            models.Index(fields=["state", "created_at"]),
            # The dashboard's and the admin's "needs attention" counts and filters.
            models.Index(fields=["may_need_attention"], condition=models.Q(may_need_attention=True),
                         name="orders_order_attention_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_terminal(self) -> bool:
        return self.state in TERMINAL_STATES

    @property
    def is_payment_open(self) -> bool:
        return self.state in PAYMENT_OPEN_STATES

    @property
    def has_unknown_upstream_state(self) -> bool:
        """Return whether the upstream last reported a state the shop does not know."""
        return bool(self.upstream_state) and not is_known_upstream_state(self.upstream_state)


class OrderItem(models.Model):
    order = models.ForeignKey(Order, related_name="items", on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)
    brand_name = models.CharField(_("brand"), max_length=120)
    family = models.CharField(max_length=120, blank=True)
    kind = models.CharField(max_length=32, default="giftcard")
    country_code = models.CharField(max_length=2)
    denomination = models.CharField(max_length=64)
    localized_denomination = models.CharField(max_length=64, blank=True)
    product_value = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    face_value = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=8, blank=True)
    beneficiary_account = models.CharField(_("beneficiary"), max_length=254)
    # The upstream's id of this delivery, once it has answered (deliveries are matched by it).
    upstream_delivery_id = models.CharField(max_length=64, blank=True)
    delivery_state = models.CharField(max_length=32, blank=True)
    # What was delivered (code or redemption link, serial, security code, barcode, redeem
    # instructions), encrypted at rest (orders.codes).
    code_ciphertext = models.TextField(blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.brand_name} {self.localized_denomination or self.denomination}"

    def delivered_secrets(self) -> dict[str, str]:
        """Return the delivered fields (code, serial, security code...), decrypted ({} before delivery)."""
        from .codes import open_secrets

        return open_secrets(self.code_ciphertext)

    @property
    def is_redemption_link(self) -> bool:
        code = self.delivered_secrets().get("pin_code", "")
        return code.startswith(("https://", "http://"))


class OrderEvent(models.Model):
    class Source(models.TextChoices):
        CHECKOUT = "checkout", _("checkout")
        SYNC = "sync", _("sync worker")
        POLL = "poll", _("status poll")
        STREAM = "stream", _("stream")
        EXPIRY = "expiry", _("expiry clock")
        STAFF = "staff", _("staff")
        SIMULATE = "simulate", _("sandbox simulation")

    order = models.ForeignKey(Order, related_name="events", on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)
    # Blank for the event that records the order's creation.
    from_state = models.CharField(max_length=32, choices=OrderState.choices, blank=True)
    to_state = models.CharField(max_length=32, choices=OrderState.choices)
    source = models.CharField(max_length=16, choices=Source.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        # The dashboard reads the latest payments and deliveries, newest first (a bounded sample).
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"
