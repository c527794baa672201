"""`manage.py sync_orders` settles orders left in Submitting by a checkout that never finished."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from thread_support import run_at_once

from orders.models import Order, OrderEvent
from orders.services import fail_stuck_submissions, fail_unconfirmed_submit
from orders.states import OrderState, is_allowed

pytestmark = pytest.mark.django_db


def submitting_order(*, age: timedelta, **fields) -> Order:
    """Return an order saved by checkout `age` ago whose upstream answer was never recorded."""
    order = Order.objects.create(
        email="stuck@example.com", country_code="US", coin="USDC", network="Solana", **fields
    )
    assert order.state == OrderState.SUBMITTING
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - age)
    order.refresh_from_db()
    return order


def test_submitting_may_move_to_submit_failed():
    assert is_allowed(OrderState.SUBMITTING, OrderState.SUBMIT_FAILED)


def test_a_submitting_order_older_than_the_timeout_becomes_submit_failed_with_an_event(capsys):
    order = submitting_order(age=timedelta(minutes=11))
    call_command("sync_orders")
    assert "failed 1 submit(s) never confirmed" in capsys.readouterr().out
    order.refresh_from_db()
    assert order.state == OrderState.SUBMIT_FAILED
    assert order.upstream_order_id is None
    event = order.events.get()
    assert (event.from_state, event.to_state) == (OrderState.SUBMITTING, OrderState.SUBMIT_FAILED)
    assert event.source == OrderEvent.Source.SYNC
    assert "submit was never confirmed" in event.note
    assert "600 s" in event.note
    assert order.failure_reason == event.note


def test_a_submitting_order_younger_than_the_timeout_is_left_alone():
    order = submitting_order(age=timedelta(minutes=9))
    assert fail_stuck_submissions() == 0
    order.refresh_from_db()
    assert order.state == OrderState.SUBMITTING
    assert not order.events.exists()


def test_a_submitting_order_with_an_upstream_id_is_left_alone():
    # An upstream answer in a state this shop does not know records the id and keeps Submitting.
    order = submitting_order(age=timedelta(hours=2), upstream_order_id="up-known")
    assert fail_stuck_submissions() == 0
    order.refresh_from_db()
    assert order.state == OrderState.SUBMITTING
    assert not order.events.exists()


def test_the_timeout_comes_from_the_setting(settings):
    settings.ORDERS_SUBMITTING_TIMEOUT_SECONDS = 60
    old, young = submitting_order(age=timedelta(seconds=90)), submitting_order(age=timedelta(seconds=30))
    assert fail_stuck_submissions() == 1
    old.refresh_from_db()
    young.refresh_from_db()
    assert (old.state, young.state) == (OrderState.SUBMIT_FAILED, OrderState.SUBMITTING)
    assert "60 s" in old.events.get().note


def test_other_states_are_not_touched_however_old():
    order = submitting_order(age=timedelta(hours=2))
    Order.objects.filter(pk=order.pk).update(state=OrderState.WAITING_FOR_PAYMENT)
    assert fail_stuck_submissions() == 0
    assert not order.events.exists()


def test_an_upstream_id_recorded_after_the_worker_read_the_order_keeps_it():
    order = submitting_order(age=timedelta(minutes=20))
    # The checkout records its answer's id between the worker's read and its write.
    Order.objects.filter(pk=order.pk).update(upstream_order_id="up-late")
    assert fail_unconfirmed_submit(order=order) is False
    order.refresh_from_db()
    assert (order.state, order.upstream_order_id) == (OrderState.SUBMITTING, "up-late")
    assert not order.events.exists()


def test_two_workers_reading_the_same_stuck_order_record_one_event():
    order = submitting_order(age=timedelta(minutes=20))
    seen_by_a, seen_by_b = Order.objects.get(pk=order.pk), Order.objects.get(pk=order.pk)
    assert fail_unconfirmed_submit(order=seen_by_a) is True
    assert fail_unconfirmed_submit(order=seen_by_b) is False
    assert seen_by_b.state == OrderState.SUBMIT_FAILED
    assert order.events.count() == 1


def test_interleaved_passes_fail_each_stuck_order_once():
    orders = [submitting_order(age=timedelta(minutes=20)) for _ in range(3)]
    assert fail_stuck_submissions() + fail_stuck_submissions() == 3
    assert OrderEvent.objects.filter(order__in=orders).count() == 3


def test_a_pass_reaches_stuck_orders_beyond_one_batch(monkeypatch):
    monkeypatch.setattr("orders.services.STUCK_SUBMIT_BATCH", 2)
    for _ in range(5):
        submitting_order(age=timedelta(minutes=20))
    assert fail_stuck_submissions() == 5
    assert not Order.objects.filter(state=OrderState.SUBMITTING).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
@pytest.mark.parametrize("skip_locked", [True, False], ids=["skip-locked", "compare-and-set"])
def test_two_passes_at_once_fail_each_stuck_order_once(monkeypatch, skip_locked):
    monkeypatch.setattr(type(connection.features), "has_select_for_update_skip_locked", skip_locked)
    monkeypatch.setattr("orders.services.STUCK_SUBMIT_BATCH", 3)
    orders = [submitting_order(age=timedelta(minutes=20)) for _ in range(10)]
    results = run_at_once(fail_stuck_submissions, count=2)
    assert sum(results) == 10
    assert OrderEvent.objects.filter(order__in=orders).count() == 10
    assert set(Order.objects.values_list("state", flat=True)) == {OrderState.SUBMIT_FAILED}


def test_the_shopper_page_of_a_failed_stuck_order_says_so_and_stops_polling(client):
    order = submitting_order(age=timedelta(minutes=20))
    fail_stuck_submissions()
    html = client.get(reverse("orders:detail", kwargs={"token": order.token})).content.decode()
    assert "We could not place your order" in html
    assert "Nothing was charged" in html
    assert reverse("checkout:cart") in html
    assert "hx-trigger" not in html
    assert "never confirmed" not in html  # the staff note stays in admin


def test_a_failed_stuck_order_shows_under_needs_attention(client):
    order = submitting_order(age=timedelta(minutes=20))
    fail_stuck_submissions()
    client.force_login(User.objects.create_superuser("boss", "boss@example.com", "pw-for-tests-only"))
    response = client.get(reverse("admin:orders_order_changelist"), {"attention": "yes"})
    assert [o.reference for o in response.context["cl"].result_list] == [order.reference]
