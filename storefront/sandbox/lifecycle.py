"""Order states over time: automatic steps, the payment window and simulated events.

Orders are stored as the live API's order document plus a private part (`PRIVATE`) that the
answers never show: the order's language and whether a payment arrived after expiry.
"""

from __future__ import annotations

import secrets
import string
from decimal import ROUND_DOWN, Decimal

from storefront.upstream.schemas import TERMINAL_ORDER_STATES

from . import localization
from .catalog import BY_PHONE, get_catalog
from .config import SandboxConfig
from .pricing import CENT
from .simulate import ACTION_STATES, SimulateAction
from .store import OrderRecord
from .wallets import payment_uri

CREATED = "Created"
WAITING_FOR_PAYMENT = "WaitingForPayment"
PAYMENT_STARTED = "PaymentStarted"
PARTIAL_PAYMENT_STARTED = "PartialPaymentStarted"
PAYMENT_RECEIVED = "PaymentReceived"
WAITING_FOR_DELIVERY = "WaitingForDelivery"
WAITING_FOR_MANUAL_ACTION = "WaitingForManualAction"
ON_HOLD = "OnHold"  # a state the reference does not list: the shop must keep and show it
DONE = "Done"
EXPIRED = "Expired"
PAYMENT_FAILED = "PaymentFailed"
PAYMENT_SETUP_FAILED = "PaymentSetupFailed"
REFUNDED = "Refunded"
CANCELED = "Canceled"

# The upstream's terminal states, from the one place the shop defines them. Expired is among them,
# but an order paid after expiry still moves on to Done (see `advance`).
TERMINAL: frozenset[str] = TERMINAL_ORDER_STATES
# States in which the payment window can still lapse.
EXPIRABLE: frozenset[str] = frozenset({CREATED, WAITING_FOR_PAYMENT, PARTIAL_PAYMENT_STARTED})

LATE_PAYMENT_STATE = "ExpiredAfterPaymentDetection"
PAYMENT_STATES: dict[str, str] = {
    CREATED: "WalletCreated",
    WAITING_FOR_PAYMENT: "WalletCreated",
    PAYMENT_STARTED: "PaymentRequested",
    PARTIAL_PAYMENT_STARTED: "PartialPaymentReceived",
    PAYMENT_RECEIVED: "PaymentCompleted",
    WAITING_FOR_DELIVERY: "PaymentCompleted",
    WAITING_FOR_MANUAL_ACTION: "PaymentCompleted",
    ON_HOLD: "PaymentCompleted",
    DONE: "PaymentCompleted",
    EXPIRED: "Expired",
    PAYMENT_FAILED: "PaymentFailed",
    PAYMENT_SETUP_FAILED: "WalletCreated",
    REFUNDED: "PaymentCompleted",
    CANCELED: "WalletCreated",
}
# Each delivery's state while its order is in a state (the order's own name where not listed).
DELIVERY_STATES: dict[str, str] = {
    CREATED: WAITING_FOR_PAYMENT,
    PAYMENT_STARTED: WAITING_FOR_PAYMENT,
    PARTIAL_PAYMENT_STARTED: WAITING_FOR_PAYMENT,
    PAYMENT_RECEIVED: WAITING_FOR_DELIVERY,
}

# Where each simulated event leads.
TARGETS: dict[SimulateAction, str] = {
    SimulateAction.PAY: PAYMENT_STARTED,
    SimulateAction.PARTIAL: PARTIAL_PAYMENT_STARTED,
    SimulateAction.PAY_REST: PAYMENT_STARTED,
    SimulateAction.LATE: EXPIRED,
    SimulateAction.EXPIRE: EXPIRED,
    SimulateAction.FAIL: PAYMENT_FAILED,
    SimulateAction.CANCEL: CANCELED,
    SimulateAction.RESOLVE: WAITING_FOR_DELIVERY,
    SimulateAction.REFUND: REFUNDED,
}
ACTIONS: tuple[str, ...] = tuple(action.value for action in SimulateAction)

PRIVATE = "_sandbox"


class IllegalAction(Exception):
    """A simulated event that does not fit the order's state."""


def epoch(ts: float) -> str:
    """Return a timestamp as the live API sends it: epoch seconds in a string."""
    return str(int(ts))


def public(doc: dict) -> dict:
    """Return the order document without its private part, as the API answers it."""
    return {key: value for key, value in doc.items() if key != PRIVATE}


def is_final(doc: dict) -> bool:
    """Return whether the order will move no further (an order paid after expiry still will)."""
    late = doc["payment_state"] == LATE_PAYMENT_STATE
    return doc["order_state"] in TERMINAL and not (doc["order_state"] == EXPIRED and late)


def trigger(record: OrderRecord) -> str:
    """Return the buyer email's local part, which picks special lifecycles."""
    return record.email.split("@", 1)[0].lower()


def first_state(email: str) -> str:
    """Return the state a new order starts in: WaitingForPayment, or Created for two test inputs."""
    return CREATED if email.split("@", 1)[0].lower() in ("created", "setup-failed") else WAITING_FOR_PAYMENT


def _late(doc: dict) -> bool:
    return bool(doc.get(PRIVATE, {}).get("late"))


def next_automatic(state: str, record: OrderRecord) -> str | None:
    """Return the state an order moves to by itself one step after entering ``state``."""
    kind = trigger(record)
    if state == CREATED:
        return PAYMENT_SETUP_FAILED if kind == "setup-failed" else WAITING_FOR_PAYMENT
    if state == WAITING_FOR_PAYMENT and kind in ("canceled", "cancelled"):
        return CANCELED
    if state == PAYMENT_STARTED:
        return PAYMENT_RECEIVED
    if state == PAYMENT_RECEIVED:
        if kind in ("manual", "refund"):
            return WAITING_FOR_MANUAL_ACTION
        return ON_HOLD if kind == "onhold" else WAITING_FOR_DELIVERY
    if state == WAITING_FOR_DELIVERY:
        return DONE
    if state == WAITING_FOR_MANUAL_ACTION and kind == "refund":
        return REFUNDED
    if state == EXPIRED and _late(record.doc):
        return DONE  # the upstream accepted the late payment and delivers
    return None


def set_paid(record: OrderRecord, paid: Decimal) -> None:
    """Record how much has been paid and point the payment URI at what is still due."""
    doc = record.doc
    due = max(Decimal(doc["coin_amount"]) - paid, Decimal(0))
    doc["sent_coin_amount"] = format(paid, "f")
    if due:
        doc["qr_text"] = payment_uri(doc["coin"], doc["network"], doc["wallet_address"], due)


def _code(alphabet: str, groups: int, size: int) -> str:
    return "-".join("".join(secrets.choice(alphabet) for _ in range(size)) for _ in range(groups))


def _digits(count: int) -> str:
    return "".join(secrets.choice(string.digits) for _ in range(count))


def delivered_fields(delivery: dict, lang: str, barcode_base_url: str) -> dict:
    """Return what a delivery carries at Done, by what it is (as the live deliverable names them)."""
    deliverable = delivery["deliverable"]
    brand = get_catalog().find_brand(deliverable["country_code"], deliverable["brand_name"])
    kind = brand.texts_kind if brand else delivery["kind"]
    name = brand.name if brand else deliverable["brand_name"]
    instructions = localization.instructions_html(kind, name, lang)
    barcode = f"{barcode_base_url.rstrip('/')}/{delivery['id']}.png"
    alphanumeric = string.ascii_uppercase + string.digits
    if brand is not None and brand.is_esim:
        return {
            "pin_code": f"LPA:1$smdp.sandbox.test${_code(alphanumeric, 4, 5)}",
            "pin_serial": "8901" + _digits(15),  # the ICCID
            "barcode_image_url": barcode,
            "redeem_instructions": instructions,
        }
    if deliverable.get("delivery_type") == BY_PHONE:
        return {"redeem_instructions": instructions}  # the credit lands on the phone: no code
    if brand is not None and "url" in brand.flags:
        return {
            "pin_code": f"https://redeem.sandbox.test/{secrets.token_urlsafe(12)}",
            "redeem_instructions": instructions,
        }
    return {
        "pin_code": _code(alphanumeric, 4, 4),
        "pin_serial": _digits(10),
        "security_code": _digits(3),
        "barcode_image_url": barcode,
        "redeem_instructions": instructions,
    }


def enter_state(record: OrderRecord, state: str, at: float, config: SandboxConfig) -> None:
    """Move the order into ``state`` at time ``at`` and schedule its next automatic move."""
    doc = record.doc
    doc["order_state"] = state
    # A late payment keeps saying so until it is delivered.
    doc["payment_state"] = LATE_PAYMENT_STATE if _late(doc) else PAYMENT_STATES[state]
    doc["updated_at"] = epoch(at)
    lang = doc.get(PRIVATE, {}).get("lang", "en")
    for delivery in doc["deliveries"]:
        delivery["delivery_state"] = DELIVERY_STATES.get(state, state)
        if state == DONE:
            delivery["deliverable"].update(delivered_fields(delivery, lang, config.barcode_base_url))
    following = next_automatic(state, record)
    record.next_state = following
    record.next_due = at + config.step_seconds if following else None


def next_transition(record: OrderRecord) -> tuple[float, str] | None:
    """Return when the order moves on by itself and to which state, or None if it never does."""
    candidates = []
    if record.next_state and record.next_due is not None:
        candidates.append((record.next_due, record.next_state))
    if record.doc["order_state"] in EXPIRABLE:
        candidates.append((record.expires_ts, EXPIRED))
    return min(candidates) if candidates else None


def is_due(record: OrderRecord, now: float) -> bool:
    """Return whether a transition of the order is due by ``now``."""
    transition = next_transition(record)
    return transition is not None and transition[0] <= now


def advance(record: OrderRecord, now: float, config: SandboxConfig) -> bool:
    """Apply every transition due by ``now``; return whether anything changed."""
    changed = False
    while is_due(record, now):
        due, state = next_transition(record)
        enter_state(record, state, due, config)
        changed = True
    return changed


def simulate(record: OrderRecord, action: SimulateAction, now: float, config: SandboxConfig) -> None:
    """Apply a simulated event (payment, expiry, cancellation, manual decision) to the order."""
    advance(record, now, config)
    state = record.doc["order_state"]
    if state not in ACTION_STATES[action]:
        raise IllegalAction(f"{action.value!r} does not fit an order in state {state}.")
    total = Decimal(record.doc["coin_amount"])
    if action in (SimulateAction.PAY, SimulateAction.PAY_REST):
        set_paid(record, total)
    elif action == SimulateAction.PARTIAL:
        set_paid(record, (total / 2).quantize(CENT, rounding=ROUND_DOWN))
    elif action in (SimulateAction.LATE, SimulateAction.EXPIRE):
        record.expires_ts = now
        if action == SimulateAction.LATE:
            # The window lapses, then the full amount arrives: Expired now, Done one step later.
            set_paid(record, total)
            record.doc.setdefault(PRIVATE, {})["late"] = True
    enter_state(record, TARGETS[action], now, config)
