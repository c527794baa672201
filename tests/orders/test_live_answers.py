"""Recording the live API's order answers (tests/contract/fixtures): amounts, the derived window,
deliveries by id, every delivered field sealed, Canceled, late payments, unknown states, races."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from orders_factory import *  # noqa: F403  (fixtures and helpers: cart_order, live_answer...)

from orders import deliveries
from orders.models import Order, OrderEvent
from orders.services import record_order_saved, record_upstream_order, transition_order
from orders.states import TERMINAL_STATES, OrderState
from storefront.upstream import schemas

pytestmark = pytest.mark.django_db

AMAZON_ID = "521def0e-7b78-48d9-b907-b4ed130e3015"
STEAM_ID = "8f4c2a61-3d7e-4b9a-a5c1-6e2f0d9b7a34"
REQUESTED_AT = datetime.fromtimestamp(1788012345, tz=UTC)


def recorded(name: str, order: Order | None = None, **overrides) -> Order:
    order = order or cart_order()  # noqa: F405
    record_upstream_order(order=order, upstream=live_answer(name, **overrides), source="sync")  # noqa: F405
    order.refresh_from_db()
    return order


def test_a_new_live_order_keeps_its_exact_amount_and_gets_a_window_from_payment_requested_at():
    order = recorded("order_created.json")
    assert order.state == OrderState.WAITING_FOR_PAYMENT
    assert order.upstream_state == "WaitingForPayment"
    assert order.payment_state == "WalletCreated"
    assert order.coin_amount_text == "36.63"
    assert order.coin_amount_paid == Decimal("0")
    assert order.coin_amount_due == Decimal("36.63")
    assert order.expires_at == REQUESTED_AT + timedelta(minutes=30)
    assert order.qr_text.startswith("solana:") and order.wallet_address


def test_the_payment_window_is_a_setting(settings):
    settings.ORDERS_PAYMENT_WINDOW_SECONDS = 15 * 60
    order = recorded("order_created.json")
    assert order.expires_at == REQUESTED_AT + timedelta(minutes=15)


def test_without_payment_requested_at_the_window_runs_from_created_at():
    order = recorded("order_created.json", payment_requested_at=None, created_at="1788012000")
    assert order.expires_at == datetime.fromtimestamp(1788012000, tz=UTC) + timedelta(minutes=30)


def test_an_upstream_expires_at_is_used_when_one_is_sent():
    order = recorded("order_created.json", expires_at="1788013000")
    assert order.expires_at == datetime.fromtimestamp(1788013000, tz=UTC)


def test_the_first_answer_pairs_deliveries_with_items_in_cart_order_and_later_ones_by_id():
    order = recorded("order_created.json")
    assert list(order.items.values_list("brand_name", "upstream_delivery_id")) == [
        ("Amazon.com", AMAZON_ID),
        ("Steam", STEAM_ID),
    ]
    done = live_answer("order_done.json")  # noqa: F405
    done.deliveries.reverse()  # a later answer listing them the other way round
    record_upstream_order(order=order, upstream=done, source="sync")
    amazon, steam = order.items.all()
    assert amazon.delivered_secrets()["pin_serial"] == "6021934857"
    assert steam.delivered_secrets()["pin_code"].startswith("https://redeem.cryptorefills.com/")
    assert order.items.count() == 2


def test_done_seals_every_delivered_field():
    order = recorded("order_done.json", order=recorded("order_created.json"))
    assert order.state == OrderState.DONE
    assert order.payment_state == "PaymentCompleted"
    amazon = order.items.get(upstream_delivery_id=AMAZON_ID)
    assert amazon.delivery_state == "Done"
    assert amazon.delivered_secrets() == {
        "pin_code": "AQ7K-9MZT4R-2J6M",
        "pin_serial": "6021934857",
        "security_code": "481",
        "barcode_image_url": f"https://cdn.cryptorefills.com/barcodes/{AMAZON_ID}.png",
        "redeem_instructions": (
            '<ol><li>Visit <a href="https://www.amazon.com/redeem">amazon.com/redeem</a></li>'
            "<li>Enter the claim code.</li></ol>"
        ),
    }
    for secret in ("AQ7K-9MZT4R", "6021934857", "barcodes", "claim code"):
        assert secret not in amazon.code_ciphertext


def test_done_in_the_docs_spelling_is_delivered_too():
    order = recorded("order_done_docs_spelling.json")
    assert order.state == OrderState.DONE
    assert all(item.delivered_secrets().get("pin_code") for item in order.items.all())


def test_delivered_codes_are_not_logged(caplog):
    caplog.set_level(logging.DEBUG)
    recorded("order_done.json")
    assert "AQ7K-9MZT4R-2J6M" not in caplog.text and "6021934857" not in caplog.text


def test_a_partial_payment_records_what_was_sent_and_what_is_due():
    order = recorded("order_partial.json", order=recorded("order_created.json"))
    assert order.state == OrderState.PARTIAL_PAYMENT_STARTED
    assert order.coin_amount_paid == Decimal("20.00")
    assert order.coin_amount_due == Decimal("16.63")


@pytest.mark.parametrize("name", ["order_canceled.json", "order_cancelled_spelling.json"])
def test_a_canceled_order_in_either_spelling_ends_canceled(name):
    order = recorded(name, order=recorded("order_created.json"))
    assert order.state == OrderState.CANCELED
    assert order.is_terminal
    assert order.events.last().to_state == OrderState.CANCELED


def test_every_terminal_state_of_the_upstream_is_terminal_here():
    assert set(schemas.TERMINAL_ORDER_STATES) <= {str(state) for state in TERMINAL_STATES}


def test_a_late_payment_turns_an_expired_order_done_with_its_codes_and_the_flag():
    order = recorded("order_expired.json", order=recorded("order_created.json"))
    assert order.state == OrderState.EXPIRED and not order.late_payment
    order = recorded("order_late_done.json", order=order)
    assert order.state == OrderState.DONE
    assert order.late_payment is True
    amazon = order.items.get(upstream_delivery_id=AMAZON_ID)
    assert amazon.delivered_secrets()["pin_code"] == "AQ7K-9MZT4R-2J6M"
    event = order.events.last()
    assert (event.from_state, event.to_state) == ("Expired", "Done")
    assert "after the window closed" in event.note


def test_an_expired_order_locally_still_takes_the_late_delivery():
    order = recorded("order_created.json")
    transition_order(order=order, to_state=OrderState.EXPIRED, source=OrderEvent.Source.EXPIRY)
    order = recorded("order_late_done.json", order=order)
    assert order.state == OrderState.DONE and order.late_payment


def test_a_payment_seen_after_expiry_flags_the_order_before_it_moves():
    order = recorded("order_expired.json", payment_state="ExpiredAfterPaymentDetection")
    assert order.state == OrderState.EXPIRED
    assert order.late_payment is True


def test_an_unknown_state_is_kept_recorded_once_and_not_applied():
    order = recorded("order_created.json")
    order = recorded("order_unknown_state.json", order=order)
    assert order.state == OrderState.WAITING_FOR_PAYMENT
    assert order.upstream_state == "OnHold"
    assert order.has_unknown_upstream_state
    assert order.payment_state == "PaymentCompleted"
    notes = [e.note for e in order.events.all() if "OnHold" in e.note]
    assert notes == ["The upstream reports a state the shop does not know: OnHold"]
    order = recorded("order_unknown_state.json", order=order)  # the same news again: no second event
    assert sum("OnHold" in e.note for e in order.events.all()) == 1
    order = recorded("order_done.json", order=order)
    assert order.state == OrderState.DONE and not order.has_unknown_upstream_state


def test_an_answer_is_applied_again_after_another_writer_moved_the_order():
    order = recorded("order_created.json")
    stale = Order.objects.get(pk=order.pk)
    transition_order(order=order, to_state=OrderState.PAYMENT_STARTED, source="poll")
    record_upstream_order(order=stale, upstream=live_answer("order_done.json"), source="sync")  # noqa: F405
    stale.refresh_from_db()
    assert stale.state == OrderState.DONE
    assert list(stale.events.values_list("from_state", "to_state"))[-2:] == [
        ("WaitingForPayment", "PaymentStarted"),
        ("PaymentStarted", "Done"),
    ]


def test_a_whole_answer_is_one_transaction(monkeypatch):
    order = recorded("order_created.json")

    def broken(**kwargs):
        raise RuntimeError("deliveries could not be written")

    monkeypatch.setattr(deliveries, "record_deliveries", broken)
    with pytest.raises(RuntimeError):
        record_upstream_order(order=order, upstream=live_answer("order_done.json"), source="sync")  # noqa: F405
    order.refresh_from_db()
    assert order.state == OrderState.WAITING_FOR_PAYMENT
    assert order.payment_state == "WalletCreated"
    assert not order.events.filter(to_state=OrderState.DONE).exists()


def test_saving_an_order_writes_its_first_event():
    order = cart_order()  # noqa: F405
    record_order_saved(order=order, source="checkout")
    order = recorded("order_created.json", order=order)
    assert list(order.events.values_list("from_state", "to_state", "source")) == [
        ("", "Submitting", "checkout"),
        ("Submitting", "WaitingForPayment", "sync"),
    ]


def test_a_recently_expired_order_is_still_due_for_sync_and_an_old_one_is_not(settings):
    from orders.selectors import orders_due_for_sync

    now = timezone.now()
    recent = recorded("order_expired.json", expires_at=str(int((now - timedelta(hours=2)).timestamp())))
    old_order = cart_order()  # noqa: F405
    Order.objects.filter(pk=old_order.pk).update(
        state=OrderState.EXPIRED, upstream_order_id="old-one", expires_at=now - timedelta(days=3),
        synced_at=now - timedelta(hours=1),
    )
    Order.objects.filter(pk=recent.pk).update(synced_at=now - timedelta(minutes=5))
    due = orders_due_for_sync(
        cutoff=now, late_cutoff=now - timedelta(minutes=1), watch_since=now - timedelta(days=1)
    )
    assert list(due) == [recent]
    assert not orders_due_for_sync(
        cutoff=now, late_cutoff=now - timedelta(minutes=10), watch_since=now - timedelta(days=1)
    ).exists()
