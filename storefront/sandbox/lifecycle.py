"""Order states over time: automatic steps, the payment window and simulated events."""

from __future__ import annotations

import secrets
import string
from datetime import UTC, datetime
from decimal import ROUND_DOWN, Decimal

from .catalog import get_catalog
from .pricing import CENT
from .store import OrderRecord
from .wallets import payment_uri

CREATED = "Created"
WAITING_FOR_PAYMENT = "WaitingForPayment"
PAYMENT_STARTED = "PaymentStarted"
PARTIAL_PAYMENT_STARTED = "PartialPaymentStarted"
PAYMENT_RECEIVED = "PaymentReceived"
WAITING_FOR_DELIVERY = "WaitingForDelivery"
WAITING_FOR_MANUAL_ACTION = "WaitingForManualAction"
DONE = "Done"
EXPIRED = "Expired"
PAYMENT_FAILED = "PaymentFailed"
PAYMENT_SETUP_FAILED = "PaymentSetupFailed"
REFUNDED = "Refunded"

TERMINAL: frozenset[str] = frozenset({DONE, EXPIRED, PAYMENT_FAILED, PAYMENT_SETUP_FAILED, REFUNDED})
# States in which the payment window can still lapse.
EXPIRABLE: frozenset[str] = frozenset({CREATED, WAITING_FOR_PAYMENT, PARTIAL_PAYMENT_STARTED})

PAYMENT_STATES: dict[str, str] = {
    CREATED: "WalletCreated",
    WAITING_FOR_PAYMENT: "PaymentRequested",
    PAYMENT_STARTED: "PaymentRequested",
    PARTIAL_PAYMENT_STARTED: "PaymentRequested",
    PAYMENT_RECEIVED: "PaymentReceived",
    WAITING_FOR_DELIVERY: "PaymentReceived",
    WAITING_FOR_MANUAL_ACTION: "PaymentReceived",
    DONE: "PaymentReceived",
    EXPIRED: "Expired",
    PAYMENT_FAILED: "PaymentRequested",
    PAYMENT_SETUP_FAILED: "WalletCreated",
    REFUNDED: "PaymentReceived",
}

# Simulated events: the states each fits, and the state it leads to.
ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "pay": (frozenset({CREATED, WAITING_FOR_PAYMENT}), PAYMENT_STARTED),
    "partial": (frozenset({CREATED, WAITING_FOR_PAYMENT}), PARTIAL_PAYMENT_STARTED),
    "pay_rest": (frozenset({PARTIAL_PAYMENT_STARTED}), PAYMENT_STARTED),
    "late": (EXPIRABLE, EXPIRED),
    "expire": (EXPIRABLE, EXPIRED),
    "fail": (
        frozenset({CREATED, WAITING_FOR_PAYMENT, PARTIAL_PAYMENT_STARTED, PAYMENT_STARTED}),
        PAYMENT_FAILED,
    ),
    "resolve": (frozenset({WAITING_FOR_MANUAL_ACTION}), WAITING_FOR_DELIVERY),
    "refund": (frozenset({WAITING_FOR_MANUAL_ACTION}), REFUNDED),
}


class IllegalAction(Exception):
    """A simulated event that does not fit the order's state."""


def iso(ts: float) -> str:
    """Return a UTC timestamp in ISO-8601 with a Z suffix."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def trigger(record: OrderRecord) -> str:
    """Return the buyer email's local part, which picks special lifecycles."""
    return record.email.split("@", 1)[0].lower()


def next_automatic(state: str, record: OrderRecord) -> str | None:
    """Return the state an order moves to by itself one step after entering ``state``."""
    kind = trigger(record)
    if state == CREATED:
        return PAYMENT_SETUP_FAILED if kind == "setup-failed" else WAITING_FOR_PAYMENT
    if state == PAYMENT_STARTED:
        return PAYMENT_RECEIVED
    if state == PAYMENT_RECEIVED:
        return WAITING_FOR_MANUAL_ACTION if kind in ("manual", "refund") else WAITING_FOR_DELIVERY
    if state == WAITING_FOR_DELIVERY:
        return DONE
    if state == WAITING_FOR_MANUAL_ACTION and kind == "refund":
        return REFUNDED
    return None


def set_paid(record: OrderRecord, paid: Decimal) -> None:
    """Record how much has been paid and refresh what is due and the payment URI."""
    doc = record.doc
    total = Decimal(doc["coin_amount"])
    due = max(total - paid, Decimal(0))
    doc["coin_amount_paid"] = format(paid, "f")
    doc["coin_amount_due"] = format(due, "f") if due else "0"
    if due and "qr_text" in doc:
        doc["qr_text"] = payment_uri(doc["coin"], doc["network"], doc["wallet_address"], due)


def _code(alphabet: str, groups: int, size: int) -> str:
    return "-".join("".join(secrets.choice(alphabet) for _ in range(size)) for _ in range(groups))


def _deliverable(delivery: dict) -> dict:
    deliverable = {"beneficiary_account": delivery["beneficiary_account"], "pin_code": None}
    if delivery["kind"] == "esim":
        deliverable["esim_activation_code"] = (
            f"LPA:1$smdp.sandbox.test${_code(string.ascii_uppercase + string.digits, 4, 5)}"
        )
        deliverable["esim_iccid"] = "8901" + "".join(secrets.choice(string.digits) for _ in range(15))
    elif delivery["kind"] == "giftcard":
        brand = get_catalog().find_brand(delivery["country_code"], delivery["brand_name"])
        if brand is not None and "url" in brand.flags:
            deliverable["pin_code"] = f"https://redeem.sandbox.test/{secrets.token_urlsafe(12)}"
        else:
            deliverable["pin_code"] = _code(string.ascii_uppercase + string.digits, 4, 4)
    return deliverable


def enter_state(record: OrderRecord, state: str, at: float, step: float) -> None:
    """Move the order into ``state`` at time ``at`` and schedule its next automatic move."""
    doc = record.doc
    doc["order_state"] = state
    doc["payment_state"] = PAYMENT_STATES[state]
    if state == DONE:
        for delivery in doc["deliveries"]:
            delivery["delivery_state"] = "Completed"
            delivery["deliverable"] = _deliverable(delivery)
    following = next_automatic(state, record)
    record.next_state = following
    record.next_due = at + step if following else None


def advance(record: OrderRecord, now: float, step: float) -> bool:
    """Apply every transition due by ``now``; return whether anything changed."""
    changed = False
    while record.doc["order_state"] not in TERMINAL:
        candidates = []
        if record.next_state and record.next_due is not None:
            candidates.append((record.next_due, record.next_state))
        if record.doc["order_state"] in EXPIRABLE:
            candidates.append((record.expires_ts, EXPIRED))
        if not candidates:
            break
        due, state = min(candidates)
        if due > now:
            break
        enter_state(record, state, due, step)
        changed = True
    return changed


def simulate(record: OrderRecord, action: str, now: float, step: float) -> None:
    """Apply a simulated event (payment, expiry, manual decision) to the order."""
    advance(record, now, step)
    allowed, target = ACTIONS[action]
    state = record.doc["order_state"]
    if state not in allowed:
        raise IllegalAction(f"{action!r} does not fit an order in state {state}.")
    total = Decimal(record.doc["coin_amount"])
    if action in ("pay", "pay_rest"):
        set_paid(record, total)
    elif action == "partial":
        set_paid(record, (total / 2).quantize(CENT, rounding=ROUND_DOWN))
    elif action in ("late", "expire"):
        record.expires_ts = now
        record.doc["expires_at"] = iso(now)
        if action == "late":
            set_paid(record, total)
            record.doc["late_payment"] = True
    enter_state(record, target, now, step)
