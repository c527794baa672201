"""Allowed transitions as data: every legal move is taken, every illegal one refused."""

from __future__ import annotations

import itertools

import pytest

from orders.models import Order, OrderEvent
from orders.services import transition_order
from orders.states import (
    ALLOWED_TRANSITIONS,
    LATE_PAYMENT_TRANSITIONS,
    TERMINAL_STATES,
    IllegalTransition,
    OrderState,
    is_allowed,
)

ALL_STATES = list(OrderState)
LEGAL = [(a, b) for a, targets in ALLOWED_TRANSITIONS.items() for b in sorted(targets)]
ILLEGAL = [(a, b) for a, b in itertools.product(ALL_STATES, ALL_STATES) if not is_allowed(a, b)]


def new_order(state: str) -> Order:
    return Order.objects.create(
        email="s@example.com", country_code="US", coin="USDC", network="Solana", state=state
    )


def test_every_state_has_a_transition_entry():
    assert set(ALLOWED_TRANSITIONS) == set(ALL_STATES)


def test_terminal_states_lead_nowhere_but_an_expired_order_can_take_a_late_payment():
    for state in TERMINAL_STATES - {OrderState.EXPIRED}:
        assert ALLOWED_TRANSITIONS[state] == frozenset()
    assert ALLOWED_TRANSITIONS[OrderState.EXPIRED] == LATE_PAYMENT_TRANSITIONS
    late = {OrderState.PAYMENT_RECEIVED, OrderState.WAITING_FOR_DELIVERY, OrderState.DONE}
    assert late <= LATE_PAYMENT_TRANSITIONS
    assert OrderState.WAITING_FOR_PAYMENT not in LATE_PAYMENT_TRANSITIONS


def test_canceled_is_terminal_and_reachable_from_every_open_state():
    assert OrderState.CANCELED in TERMINAL_STATES
    for state in set(OrderState) - TERMINAL_STATES:
        assert is_allowed(state, OrderState.CANCELED), state


def test_every_upstream_state_is_reachable_from_submitting():
    assert set(ALLOWED_TRANSITIONS[OrderState.SUBMITTING]) == set(ALL_STATES) - {OrderState.SUBMITTING}


@pytest.mark.django_db
@pytest.mark.parametrize(("from_state", "to_state"), LEGAL)
def test_legal_transition_moves_the_order_and_records_an_event(from_state, to_state):
    order = new_order(from_state)
    assert transition_order(order=order, to_state=to_state, source=OrderEvent.Source.SYNC) is True
    order.refresh_from_db()
    assert order.state == to_state
    event = order.events.get()
    assert (event.from_state, event.to_state, event.source) == (from_state, to_state, "sync")


@pytest.mark.django_db
@pytest.mark.parametrize(("from_state", "to_state"), ILLEGAL)
def test_illegal_transition_is_refused_and_leaves_no_trace(from_state, to_state):
    order = new_order(from_state)
    with pytest.raises(IllegalTransition):
        transition_order(order=order, to_state=to_state, source=OrderEvent.Source.SYNC)
    order.refresh_from_db()
    assert order.state == from_state
    assert not order.events.exists()
