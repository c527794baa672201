"""Writes to orders: recording upstream answers, sealed codes, concurrency, expiry, the poll refresher."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from orders_factory import *  # noqa: F403  (fixtures: order, make_order, upstream_calls, wait_until)

from orders.codes import mask, open_secrets, seal_secrets
from orders.models import Order, OrderEvent
from orders.services import (
    expire_order_if_lapsed,
    record_upstream_order,
    refresh_order_from_upstream,
    refresh_order_if_stale,
    simulate_order_payment,
    transition_order,
)
from orders.states import IllegalTransition, OrderState
from storefront.upstream import errors
from storefront.upstream.factory import get_client

pytestmark = pytest.mark.django_db


def drive_to(order: Order, state: str, *, timeout: float = 3.0) -> Order:
    """Refresh `order` from the sandbox until it reaches `state`."""
    deadline = time.monotonic() + timeout
    while order.state != state and time.monotonic() < deadline:
        time.sleep(0.05)
        refresh_order_from_upstream(order=order, source=OrderEvent.Source.SYNC)
    assert order.state == state, f"order stuck in {order.state}"
    return order


def test_recording_a_new_order_takes_the_payment_details_exactly(order):
    assert order.state == OrderState.WAITING_FOR_PAYMENT
    assert order.upstream_order_id
    assert order.coin_amount_text == "25.48"
    assert order.coin_amount == Decimal("25.48")
    assert order.wallet_address and order.qr_text.startswith("solana:")
    # The sandbox sends no expires_at, as the live API: the window is derived.
    assert timezone.now() < order.expires_at <= timezone.now() + timedelta(minutes=30)
    assert list(order.events.values_list("from_state", "to_state")) == [("Submitting", "WaitingForPayment")]


def test_paid_order_reaches_done_with_its_code_sealed(order, end_user):
    simulate_order_payment(order=order, action="pay", end_user=end_user)
    drive_to(order, OrderState.DONE)
    item = order.items.get()
    assert item.delivery_state == "Done"
    assert item.upstream_delivery_id
    delivered = item.delivered_secrets()
    code = delivered["pin_code"]
    assert len(code) == 19 and code.count("-") == 3
    assert delivered["pin_serial"] and delivered["redeem_instructions"]
    assert code not in item.code_ciphertext
    assert not Order.objects.filter(items__code_ciphertext__contains=code[:9]).exists()


def test_esim_delivery_seals_the_activation_code(make_order, end_user):
    order = make_order(brand="eSIM", denomination="1 GB 3 days")
    simulate_order_payment(order=order, action="pay", end_user=end_user)
    drive_to(order, OrderState.DONE)
    secrets = order.items.get().delivered_secrets()
    assert secrets["pin_code"].startswith("LPA:")


def test_redemption_link_delivery_is_sealed_and_recognised(make_order, end_user):
    order = make_order(brand="Starbucks", denomination="10 USD")
    simulate_order_payment(order=order, action="pay", end_user=end_user)
    drive_to(order, OrderState.DONE)
    item = order.items.get()
    assert item.is_redemption_link
    assert "redeem.sandbox.test" not in item.code_ciphertext


def test_codes_are_not_logged(order, end_user, caplog):
    caplog.set_level("DEBUG")
    simulate_order_payment(order=order, action="pay", end_user=end_user)
    drive_to(order, OrderState.DONE)
    code = order.items.get().delivered_secrets()["pin_code"]
    assert code not in caplog.text


def test_sealed_secrets_round_trip_and_mask():
    sealed = seal_secrets({"pin_code": "ABCD-EFGH-IJKL-MNOP", "pin_serial": ""})
    assert "ABCD" not in sealed
    assert open_secrets(sealed) == {"pin_code": "ABCD-EFGH-IJKL-MNOP"}
    assert open_secrets("not a token") == {}
    assert mask("ABCD-EFGH-IJKL-MNOP") == "••••••••MNOP"


def test_sealed_codes_still_open_after_a_dedicated_key_is_set(settings):
    sealed = seal_secrets({"pin_code": "OLD-CODE-1234"})
    settings.CODES_ENCRYPTION_KEY = "a new dedicated key for codes"
    assert open_secrets(sealed) == {"pin_code": "OLD-CODE-1234"}
    assert open_secrets(seal_secrets({"pin_code": "NEW"})) == {"pin_code": "NEW"}


def test_partial_payment_records_what_is_still_due(order, end_user):
    simulate_order_payment(order=order, action="partial", end_user=end_user)
    order.refresh_from_db()
    assert order.state == OrderState.PARTIAL_PAYMENT_STARTED
    assert order.coin_amount_paid == Decimal("12.74")
    assert order.coin_amount_due == Decimal("12.74")


def test_an_upstream_state_that_does_not_follow_is_not_applied(order):
    order.state = OrderState.DONE
    Order.objects.filter(pk=order.pk).update(state=OrderState.DONE)
    upstream = get_client().get_order(order_id=order.upstream_order_id, end_user=_end_user())
    record_upstream_order(order=order, upstream=upstream, source="sync")
    order.refresh_from_db()
    assert order.state == OrderState.DONE


def _end_user():
    from storefront.upstream.client import EndUser

    return EndUser(ip="203.0.113.7", user_agent="test")


def test_two_writers_racing_on_one_order_record_one_change():
    order = Order.objects.create(
        email="s@example.com",
        country_code="US",
        coin="USDC",
        network="Solana",
        state=OrderState.WAITING_FOR_PAYMENT,
    )
    stale = Order.objects.get(pk=order.pk)
    assert transition_order(order=order, to_state=OrderState.PAYMENT_STARTED, source="sync")
    # The second writer read the old state: its compare-and-set matches nothing.
    assert transition_order(order=stale, to_state=OrderState.EXPIRED, source="expiry") is False
    assert stale.state == OrderState.PAYMENT_STARTED
    assert order.events.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="in-memory SQLite locks whole tables across threads"
)
def test_concurrent_transitions_from_threads_record_exactly_one_event():
    order = Order.objects.create(
        email="s@example.com",
        country_code="US",
        coin="USDC",
        network="Solana",
        state=OrderState.WAITING_FOR_PAYMENT,
    )
    targets = [
        OrderState.PAYMENT_STARTED,
        OrderState.EXPIRED,
        OrderState.PAYMENT_FAILED,
        OrderState.PARTIAL_PAYMENT_STARTED,
    ] * 2  # eight writers: each holds a connection, and the pool per process allows ten
    barrier = threading.Barrier(len(targets), timeout=30)
    results: list[bool] = []

    def write(target: str) -> None:
        mine = Order.objects.get(pk=order.pk)
        barrier.wait()
        try:
            results.append(transition_order(order=mine, to_state=target, source="sync"))
        except IllegalTransition:  # a later writer may find the order in a state that forbids its move
            results.append(False)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 1
    assert OrderEvent.objects.filter(order=order).count() == 1


def test_lapsed_window_expires_the_order_even_when_the_upstream_is_silent(order, settings):
    settings.ORDERS_EXPIRY_GRACE_SECONDS = 0
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    order.refresh_from_db()
    assert expire_order_if_lapsed(order=order) is True
    assert order.state == OrderState.EXPIRED
    assert order.events.last().source == OrderEvent.Source.EXPIRY


def test_expiry_waits_for_the_grace_period(order, settings):
    settings.ORDERS_EXPIRY_GRACE_SECONDS = 60
    order.expires_at = timezone.now() - timedelta(seconds=10)
    assert expire_order_if_lapsed(order=order) is False
    assert order.state == OrderState.WAITING_FOR_PAYMENT


def test_expiry_never_touches_a_paid_order(order, end_user, settings):
    settings.ORDERS_EXPIRY_GRACE_SECONDS = 0
    simulate_order_payment(order=order, action="pay", end_user=end_user)
    order.expires_at = timezone.now() - timedelta(minutes=5)
    assert expire_order_if_lapsed(order=order) is False


def test_stale_order_is_refreshed_once_per_interval(order, end_user, upstream_calls, settings):
    settings.ORDERS_REFRESH_SECONDS = 60
    Order.objects.filter(pk=order.pk).update(synced_at=timezone.now() - timedelta(minutes=5))
    order.refresh_from_db()
    before = upstream_calls()
    for _ in range(5):
        Order.objects.filter(pk=order.pk).update(synced_at=timezone.now() - timedelta(minutes=5))
        order.refresh_from_db()
        refresh_order_if_stale(order=order)
    assert upstream_calls() - before == 1  # the lock outlives the call


def test_fresh_order_is_not_refreshed(order, upstream_calls):
    before = upstream_calls()
    refresh_order_if_stale(order=order)
    assert upstream_calls() == before


def test_refresh_survives_an_unreachable_upstream(order, monkeypatch, settings):
    settings.ORDERS_EXPIRY_GRACE_SECONDS = 0

    def down(**kwargs):
        raise errors.UpstreamConnectionError("down")

    monkeypatch.setattr(get_client(), "get_order", down)
    Order.objects.filter(pk=order.pk).update(synced_at=None, expires_at=timezone.now() - timedelta(seconds=1))
    order.refresh_from_db()
    refresh_order_if_stale(order=order)
    assert order.state == OrderState.EXPIRED


def test_simulated_late_payment_is_accepted_after_expiry_and_flagged(order, end_user):
    simulate_order_payment(order=order, action="late", end_user=end_user)
    order.refresh_from_db()
    assert order.late_payment is True
    drive_to(order, OrderState.DONE)
    assert order.late_payment is True
    assert order.items.get().delivered_secrets()["pin_code"]
    assert OrderState.EXPIRED in order.events.values_list("to_state", flat=True)


def test_simulated_cancel_ends_the_order_canceled(order, end_user):
    simulate_order_payment(order=order, action="cancel", end_user=end_user)
    order.refresh_from_db()
    assert order.state == OrderState.CANCELED
    assert order.is_terminal


def test_manual_action_then_resolve_reaches_done(make_order, end_user):
    order = make_order(email="manual@sandbox.test")
    simulate_order_payment(order=order, action="pay", end_user=end_user)
    drive_to(order, OrderState.WAITING_FOR_MANUAL_ACTION)
    simulate_order_payment(order=order, action="resolve", end_user=end_user)
    drive_to(order, OrderState.DONE)
    states = list(order.events.values_list("to_state", flat=True))
    assert states[0] == OrderState.WAITING_FOR_PAYMENT and states[-1] == OrderState.DONE


def test_sandbox_refuses_an_action_that_does_not_fit(order, end_user):
    simulate_order_payment(order=order, action="expire", end_user=end_user)
    with pytest.raises(errors.UpstreamStatusError) as exc:
        simulate_order_payment(order=order, action="pay", end_user=end_user)
    assert exc.value.status_code == 409
