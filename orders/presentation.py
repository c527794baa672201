"""How each order state is told to the shopper: what happened, and what happens next."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from storefront.sandbox.simulate import SimulateAction, actions_for

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
        _("Send exactly the amount shown here to the payment address shown here. "
          "The payment timer starts in a moment."),
        "info",
    ),
    S.WAITING_FOR_PAYMENT: StateCopy(
        _("Waiting for your payment"),
        _(
            "Send exactly the amount shown here to the payment address shown here before the timer runs out. "
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
    S.CANCELED: StateCopy(
        _("This order was canceled"),
        _(
            "No codes were issued for it. If you sent coins, contact support with your order reference "
            "and the transaction hash; otherwise you can place a new order."
        ),
        "neutral",
    ),
}


def displayable_image_url(url: str) -> str:
    """Return an upstream image URL (a barcode) if the page may load it, else "".

    The Content-Security-Policy allows only the shop itself, data: URIs and CSP_IMG_HOSTS; in sandbox
    mode nothing may leave the machine, so only the shop's own (relative) URLs are shown.
    """
    if url.startswith("data:image/") or (url.startswith("/") and not url.startswith("//")):
        return url
    if settings.SANDBOX_MODE:
        return ""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    allowed = {host.rstrip("/") for host in getattr(settings, "CSP_IMG_HOSTS", [])}
    return url if parts.scheme == "https" and origin in allowed else ""


def delivered_item(item) -> dict:
    """Return what the order page shows of one delivered item: its fields, and its barcode if loadable."""
    delivered = item.delivered_secrets()
    code = delivered.get("pin_code", "")
    barcode = delivered.get("barcode_image_url", "")
    barcode_src = displayable_image_url(barcode)
    return {
        "item": item,
        "delivered": delivered,
        "is_link": code.startswith(("https://", "http://")),
        "barcode_src": barcode_src,
        # An image the policy would block is offered as a link (live mode only: the sandbox stays local).
        "barcode_link": barcode if not barcode_src and not settings.SANDBOX_MODE
        and barcode.startswith("https://") else "",
    }


def copy_for(state: str) -> StateCopy:
    """Return the shopper-facing words for a state."""
    return STATE_COPY.get(state, STATE_COPY[S.SUBMITTING])


# The upstream's payment states in words, for the shopper and for staff. A state not listed here is
# shown as the upstream spells it.
PAYMENT_STATE_WORDS: dict[str, Promise] = {
    "WalletCreated": _("Payment address created"),
    "PaymentRequested": _("Waiting for the payment"),
    "PaymentStarted": _("Payment seen, not yet confirmed"),
    "PartialPaymentReceived": _("Part of the payment received"),
    "PaymentReceived": _("Payment received"),
    "PaymentCompleted": _("Payment complete"),
    "ExpiredAfterPaymentDetection": _("Payment seen after the window closed"),
    "Expired": _("Window closed without a payment"),
    "PaymentFailed": _("Payment failed"),
    "Refunded": _("Refunded"),
}


def payment_state_words(payment_state: str) -> str:
    """Return the upstream's payment state in words ("" when there is none)."""
    return str(PAYMENT_STATE_WORDS.get(payment_state, payment_state))


# Button labels of the sandbox's simulated events (the events themselves are the sandbox's).
SIMULATE_LABELS: dict[str, Promise] = {
    SimulateAction.PAY: _("Pay in full"),
    SimulateAction.PARTIAL: _("Pay part"),
    SimulateAction.PAY_REST: _("Pay the rest"),
    SimulateAction.LATE: _("Pay after expiry"),
    SimulateAction.EXPIRE: _("Let it expire"),
    SimulateAction.FAIL: _("Fail the payment"),
    SimulateAction.CANCEL: _("Cancel"),
    SimulateAction.RESOLVE: _("Resolve (deliver)"),
    SimulateAction.REFUND: _("Refund"),
}


def simulate_buttons(upstream_state: str) -> list[tuple[str, str]]:
    """Return (action, label) for each simulated event that fits an order in this upstream state."""
    return [(str(action), str(SIMULATE_LABELS.get(action, action))) for action in actions_for(upstream_state)]
