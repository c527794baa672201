"""The sandbox's simulated events: their names and the order states each fits, defined once.

The sandbox's lifecycle applies them and the shop's order page offers them as buttons, so this
module has no dependencies: the shop imports it without loading the rest of the sandbox.
"""

from __future__ import annotations

from enum import StrEnum


class SimulateAction(StrEnum):
    """A simulated payment or support event (`POST /sandbox/orders/{id}/simulate`)."""

    PAY = "pay"
    PARTIAL = "partial"
    PAY_REST = "pay_rest"
    LATE = "late"
    EXPIRE = "expire"
    FAIL = "fail"
    CANCEL = "cancel"
    RESOLVE = "resolve"
    REFUND = "refund"


# The order states (upstream names) in which each event can happen.
_AWAITING = frozenset({"Created", "WaitingForPayment"})
_UNPAID = _AWAITING | {"PartialPaymentStarted"}
ACTION_STATES: dict[SimulateAction, frozenset[str]] = {
    SimulateAction.PAY: _AWAITING,
    SimulateAction.PARTIAL: _AWAITING,
    SimulateAction.PAY_REST: frozenset({"PartialPaymentStarted"}),
    SimulateAction.LATE: _UNPAID,
    SimulateAction.EXPIRE: _UNPAID,
    SimulateAction.FAIL: _UNPAID | {"PaymentStarted"},
    SimulateAction.CANCEL: _UNPAID,
    SimulateAction.RESOLVE: frozenset({"WaitingForManualAction", "OnHold"}),
    SimulateAction.REFUND: frozenset({"WaitingForManualAction", "OnHold"}),
}
# Kept under the name the shop imported before (a tuple of the action names).
SIMULATE_ACTIONS: tuple[str, ...] = tuple(action.value for action in SimulateAction)


def actions_for(state: str) -> tuple[SimulateAction, ...]:
    """Return the simulated events that fit an order in `state`, in declaration order."""
    return tuple(action for action in SimulateAction if state in ACTION_STATES[action])
