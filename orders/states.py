"""Order states and the transitions allowed between them, as data."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from storefront.upstream import schemas


class OrderState(models.TextChoices):
    # Local states: the order exists here but not (yet, or ever) upstream.
    SUBMITTING = "Submitting", _("Submitting")
    SUBMIT_FAILED = "SubmitFailed", _("Submit failed")
    # The upstream's states: the reference's twelve and Canceled, seen live.
    CREATED = "Created", _("Created")
    WAITING_FOR_PAYMENT = "WaitingForPayment", _("Waiting for payment")
    PAYMENT_STARTED = "PaymentStarted", _("Payment started")
    PARTIAL_PAYMENT_STARTED = "PartialPaymentStarted", _("Partial payment")
    PAYMENT_RECEIVED = "PaymentReceived", _("Payment received")
    WAITING_FOR_DELIVERY = "WaitingForDelivery", _("Waiting for delivery")
    WAITING_FOR_MANUAL_ACTION = "WaitingForManualAction", _("Needs manual action")
    DONE = "Done", _("Done")
    EXPIRED = "Expired", _("Expired")
    PAYMENT_FAILED = "PaymentFailed", _("Payment failed")
    PAYMENT_SETUP_FAILED = "PaymentSetupFailed", _("Payment setup failed")
    REFUNDED = "Refunded", _("Refunded")
    CANCELED = "Canceled", _("Canceled")


S = OrderState
UPSTREAM_STATES = frozenset(set(S) - {S.SUBMITTING, S.SUBMIT_FAILED})
# The upstream says which of its states are terminal (schemas, one home); SubmitFailed is ours.
TERMINAL_STATES = frozenset({S.SUBMIT_FAILED} | {S(state) for state in schemas.TERMINAL_ORDER_STATES})
# States in which the shopper can still pay, so the countdown runs.
PAYMENT_OPEN_STATES = frozenset({S.CREATED, S.WAITING_FOR_PAYMENT, S.PARTIAL_PAYMENT_STARTED})
# The upstream's payment state for a payment it saw after the window closed.
LATE_PAYMENT_STATE = "ExpiredAfterPaymentDetection"

_AFTER_PAYMENT = {S.PAYMENT_RECEIVED, S.WAITING_FOR_DELIVERY, S.WAITING_FOR_MANUAL_ACTION, S.DONE, S.REFUNDED}
# The states of an order whose payment arrived (Refunded included: it was paid, then given back).
PAID_STATES = frozenset(_AFTER_PAYMENT)
# A payment that arrives after expiry can still be accepted upstream: Expired is terminal for the
# shopper's window, but not for the goods. These are the moves of such a late payment.
LATE_PAYMENT_TRANSITIONS = frozenset(_AFTER_PAYMENT)
# A poll can miss intermediate states, so each state may jump to any later one the upstream reports.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTING: frozenset(UPSTREAM_STATES | {S.SUBMIT_FAILED}),
    S.CREATED: frozenset(
        {
            S.WAITING_FOR_PAYMENT,
            S.PAYMENT_STARTED,
            S.PARTIAL_PAYMENT_STARTED,
            S.EXPIRED,
            S.PAYMENT_FAILED,
            S.PAYMENT_SETUP_FAILED,
            S.CANCELED,
        }
        | _AFTER_PAYMENT
    ),
    S.WAITING_FOR_PAYMENT: frozenset(
        {S.PAYMENT_STARTED, S.PARTIAL_PAYMENT_STARTED, S.EXPIRED, S.PAYMENT_FAILED, S.CANCELED}
        | _AFTER_PAYMENT
    ),
    S.PARTIAL_PAYMENT_STARTED: frozenset(
        {S.PAYMENT_STARTED, S.EXPIRED, S.PAYMENT_FAILED, S.CANCELED} | _AFTER_PAYMENT
    ),
    S.PAYMENT_STARTED: frozenset({S.PAYMENT_FAILED, S.PARTIAL_PAYMENT_STARTED, S.CANCELED} | _AFTER_PAYMENT),
    S.PAYMENT_RECEIVED: frozenset(
        {S.WAITING_FOR_DELIVERY, S.WAITING_FOR_MANUAL_ACTION, S.DONE, S.REFUNDED, S.CANCELED}
    ),
    S.WAITING_FOR_DELIVERY: frozenset({S.WAITING_FOR_MANUAL_ACTION, S.DONE, S.REFUNDED, S.CANCELED}),
    S.WAITING_FOR_MANUAL_ACTION: frozenset({S.WAITING_FOR_DELIVERY, S.DONE, S.REFUNDED, S.CANCELED}),
    **{state: frozenset() for state in TERMINAL_STATES},
    S.EXPIRED: LATE_PAYMENT_TRANSITIONS,
}


# How a state is shown to staff: the colour of its label.
STATE_TONES: dict[str, str] = {
    S.SUBMITTING: "neutral",
    S.SUBMIT_FAILED: "bad",
    S.CREATED: "neutral",
    S.WAITING_FOR_PAYMENT: "info",
    S.PAYMENT_STARTED: "info",
    S.PARTIAL_PAYMENT_STARTED: "warn",
    S.PAYMENT_RECEIVED: "info",
    S.WAITING_FOR_DELIVERY: "info",
    S.WAITING_FOR_MANUAL_ACTION: "warn",
    S.DONE: "ok",
    S.EXPIRED: "neutral",
    S.PAYMENT_FAILED: "bad",
    S.PAYMENT_SETUP_FAILED: "bad",
    S.REFUNDED: "neutral",
    S.CANCELED: "neutral",
}


class IllegalTransition(Exception):
    """An order was asked to move to a state its current state does not lead to."""

    def __init__(self, from_state: str, to_state: str) -> None:
        super().__init__(f"an order cannot move from {from_state} to {to_state}")
        self.from_state = from_state
        self.to_state = to_state


def is_allowed(from_state: str, to_state: str) -> bool:
    """Return whether an order may move from one state to another."""
    return to_state in ALLOWED_TRANSITIONS.get(from_state, frozenset())


def is_late_payment(*, from_state: str, to_state: str, payment_state: str = "") -> bool:
    """Return whether a move (or the upstream's payment state) means a payment came after expiry."""
    return payment_state == LATE_PAYMENT_STATE or (
        from_state == S.EXPIRED and to_state in LATE_PAYMENT_TRANSITIONS
    )


def is_known_upstream_state(state: str) -> bool:
    """Return whether the shop knows an upstream order state (unknown ones are kept, not applied)."""
    return state in UPSTREAM_STATES
