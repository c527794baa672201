"""Allowed transitions as data: every legal move is taken, every illegal one refused."""

from __future__ import annotations

import itertools

import pytest

from orders.models import Order, OrderEvent
from orders.services import transition_order
from orders.states import ALLOWED_TRANSITIONS, TERMINAL_STATES, IllegalTransition, OrderState, is_allowed

ALL_STATES = list(OrderState)
LEGAL = [(a, b) for a, targets in ALLOWED_TRANSITIONS.items() for b in sorted(targets)]
ILLEGAL = [(a, b) for a, b in itertools.product(ALL_STATES, ALL_STATES) if not is_allowed(a, b)]


def new_order(state: str) -> Order:
    return Order.objects.create(
        email="s@example.com", country_code="US", coin="USDC", network="Solana", state=state
    )


def test_every_state_has_a_transition_entry():
    assert set(ALLOWED_TRANSITIONS) == set(ALL_STATES)


def test_terminal_states_lead_nowhere():
    for state in TERMINAL_STATES:
        assert ALLOWED_TRANSITIONS[state] == frozenset()


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
