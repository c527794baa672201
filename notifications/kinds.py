"""Which order e-mails exist, which change of an order calls for each, and in which states each stays true.

One table, read by the hook that enqueues (in the state change's transaction) and by the worker
that sends (which skips an e-mail the order has outrun: no payment address for a closed order).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from orders.states import OrderState as S


class EmailKind(models.TextChoices):
    PLACED = "placed", _("Order placed")
    DELIVERED = "delivered", _("Order delivered")
    PARTIAL_PAYMENT = "partial_payment", _("Partial payment")
    EXPIRED = "expired", _("Expired")
    PAYMENT_FAILED = "payment_failed", _("Payment failed")
    PAYMENT_SETUP_FAILED = "payment_setup_failed", _("Payment setup failed")
    REFUNDED = "refunded", _("Refunded")
    CANCELED = "canceled", _("Canceled")
    MANUAL_REVIEW = "manual_review", _("Manual review")
    # Not about one order: the links to an address's recent orders ("find my orders").
    ORDER_LINKS = "order_links", _("Links to my orders")


K = EmailKind
# The state an order enters -> the e-mail that tells the shopper. Submitting and SubmitFailed send
# nothing: the shopper is on the checkout page when they happen, and nothing exists upstream.
KIND_FOR_STATE: dict[str, str] = {
    S.CREATED: K.PLACED,
    S.WAITING_FOR_PAYMENT: K.PLACED,
    S.PARTIAL_PAYMENT_STARTED: K.PARTIAL_PAYMENT,
    S.WAITING_FOR_MANUAL_ACTION: K.MANUAL_REVIEW,
    S.DONE: K.DELIVERED,
    S.EXPIRED: K.EXPIRED,
    S.PAYMENT_FAILED: K.PAYMENT_FAILED,
    S.PAYMENT_SETUP_FAILED: K.PAYMENT_SETUP_FAILED,
    S.REFUNDED: K.REFUNDED,
    S.CANCELED: K.CANCELED,
}
# An e-mail still tells the truth while its order is in one of these states; past them it is skipped.
STATES_FOR_KIND: dict[str, frozenset[str]] = {
    K.PLACED: frozenset({S.CREATED, S.WAITING_FOR_PAYMENT}),
    K.PARTIAL_PAYMENT: frozenset({S.PARTIAL_PAYMENT_STARTED}),
    K.MANUAL_REVIEW: frozenset({S.WAITING_FOR_MANUAL_ACTION}),
    **{kind: frozenset({state}) for state, kind in KIND_FOR_STATE.items()
       if kind not in (K.PLACED, K.PARTIAL_PAYMENT, K.MANUAL_REVIEW)},
}
# The kinds that report a problem and say what to do ("needs you"); they share one template.
NEEDS_YOU_KINDS = frozenset(STATES_FOR_KIND) - {K.PLACED, K.DELIVERED}


def kind_for_change(*, to_state: str, has_payment_address: bool, late_payment: bool) -> str | None:
    """Return the e-mail an order entering `to_state` calls for, or None.

    "Placed" waits for the payment address (the upstream may answer Created without one); an
    expiry after which a late payment was seen is not news yet: the upstream may still deliver.
    """
    kind = KIND_FOR_STATE.get(to_state)
    if kind == K.PLACED and not has_payment_address:
        return None
    if kind == K.EXPIRED and late_payment:
        return None
    return kind


def is_still_true(*, kind: str, state: str) -> bool:
    """Return whether an order e-mail of `kind` still fits an order now in `state`."""
    return state in STATES_FOR_KIND.get(kind, frozenset())
