"""How each order state is told to the shopper: what happened, and what happens next."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .states import OrderState as S


@dataclass(frozen=True)
class StateCopy:
    headline: Promise
    next_step: Promise
    tone: str  # info, warn, ok, bad, neutral: the colour of the status card


STATE_COPY: dict[str, StateCopy] = {
    S.SUBMITTING: StateCopy(
        _("We are placing your order"),
        _("This takes a few seconds. The payment details appear here as soon as the order is placed."),
        "info",
    ),
    S.SUBMIT_FAILED: StateCopy(
        _("We could not place your order"),
        _(
            "Nothing was charged and no payment address was created. "
            "Please go back to your cart and try again."
        ),
        "bad",
    ),
    S.CREATED: StateCopy(
        _("Your order is placed"),
        _("Send the exact amount below to the address below. We are getting the payment window ready."),
        "info",
    ),
    S.WAITING_FOR_PAYMENT: StateCopy(
        _("Waiting for your payment"),
        _(
            "Send the exact amount below to the address below before the timer runs out. "
            "This page updates by itself once your payment is seen."
        ),
        "info",
    ),
    S.PAYMENT_STARTED: StateCopy(
        _("Payment seen, waiting for confirmation"),
        _(
            "Your transaction is on its way. Once the network confirms it we deliver your order. "
            "No need to send anything else."
        ),
        "info",
    ),
    S.PARTIAL_PAYMENT_STARTED: StateCopy(
        _("Part of the payment arrived"),
        _(
            "We received less than the order amount. Send the rest to the same address, "
            "on the same network, before the timer runs out."
        ),
        "warn",
    ),
    S.PAYMENT_RECEIVED: StateCopy(
        _("Payment received"),
        _("Your payment is confirmed. We are preparing your order now."),
        "info",
    ),
    S.WAITING_FOR_DELIVERY: StateCopy(
        _("Paid: delivering your order"),
        _(
            "Your codes are being issued. This usually takes under a minute "
            "and they will appear on this page."
        ),
        "info",
    ),
    S.WAITING_FOR_MANUAL_ACTION: StateCopy(
        _("Paid: our team is checking your order"),
        _(
            "Your payment is safe. A person needs to look at this order "
            "(a verification or a supplier issue). "
            "We will email you; this page updates as soon as it moves on."
        ),
        "warn",
    ),
    S.DONE: StateCopy(
        _("Your order is complete"),
        _(
            "Codes, redemption links and eSIM details are below; top-ups go straight to the phone. "
            "Keep codes private: anyone who has one can use it."
        ),
        "ok",
    ),
    S.EXPIRED: StateCopy(
        _("The payment window has closed"),
        _(
            "This order expired before a full payment arrived. If you sent nothing, there is nothing to do: "
            "place a new order. If you did send coins, contact support with your transaction hash."
        ),
        "neutral",
    ),
    S.PAYMENT_FAILED: StateCopy(
        _("The payment failed"),
        _(
            "The payment was rejected or failed on-chain. If coins left your wallet, contact support "
            "with your transaction hash; otherwise you can place a new order."
        ),
        "bad",
    ),
    S.PAYMENT_SETUP_FAILED: StateCopy(
        _("We could not set up the payment"),
        _(
            "No payment address could be created for this order, so do not send anything. "
            "Please place a new order, or choose another coin or network."
        ),
        "bad",
    ),
    S.REFUNDED: StateCopy(
        _("Your payment was refunded"),
        _(
            "The coins were sent back to you. "
            "Contact support with your order reference if you have questions."
        ),
        "neutral",
    ),
}


def copy_for(state: str) -> StateCopy:
    """Return the shopper-facing words for a state."""
    return STATE_COPY.get(state, STATE_COPY[S.SUBMITTING])


# The simulated events the sandbox offers in each state, with their button labels.
SIMULATE_ACTIONS: dict[str, Promise] = {
    "pay": _("Pay in full"),
    "partial": _("Pay part"),
    "pay_rest": _("Pay the rest"),
    "late": _("Pay after expiry"),
    "expire": _("Let it expire"),
    "fail": _("Fail the payment"),
    "resolve": _("Resolve (deliver)"),
    "refund": _("Refund"),
}
SIMULATE_BY_STATE: dict[str, tuple[str, ...]] = {
    S.CREATED: ("pay", "partial", "late", "expire", "fail"),
    S.WAITING_FOR_PAYMENT: ("pay", "partial", "late", "expire", "fail"),
    S.PARTIAL_PAYMENT_STARTED: ("pay_rest", "late", "expire", "fail"),
    S.PAYMENT_STARTED: ("fail",),
    S.WAITING_FOR_MANUAL_ACTION: ("resolve", "refund"),
}
