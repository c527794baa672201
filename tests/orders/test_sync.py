"""`manage.py sync_orders`: open orders refreshed, lapsed ones expired, concurrent workers not doubling up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from orders_factory import *  # noqa: F403  (fixtures: order, make_order, upstream_calls, wait_until)
from thread_support import run_at_once

from orders.models import Order, OrderEvent
from orders.selectors import orders_due_for_sync
from orders.services import claim_order_for_sync, sync_open_orders
from orders.states import OrderState
from storefront.upstream import errors
from storefront.upstream.factory import get_client

pytestmark = pytest.mark.django_db


def make_stale(*orders: Order) -> None:
    Order.objects.filter(pk__in=[o.pk for o in orders]).update(
        synced_at=timezone.now() - timedelta(minutes=1)
    )


def test_one_pass_brings_upstream_news_into_open_orders(make_order, end_user, wait_until, settings):
    settings.ORDERS_REFRESH_SECONDS = 1  # passes take the per-order refresh lock: ask again after 1 s
    paid, waiting = make_order(), make_order()
    get_client().simulate_payment(order_id=paid.upstream_order_id, action="pay", end_user=end_user)

    def delivered() -> bool:
        make_stale(paid, waiting)
        sync_open_orders()
        paid.refresh_from_db()
        return paid.state == OrderState.DONE

    assert wait_until(delivered, timeout=5)
    assert paid.items.get().delivered_secrets()["pin_code"]
    assert set(paid.events.values_list("source", flat=True)) >= {"checkout", "sync"}
    waiting.refresh_from_db()
    assert waiting.state == OrderState.WAITING_FOR_PAYMENT


def test_a_pass_skips_orders_synced_within_the_interval_and_terminal_ones(
    make_order, end_user, upstream_calls, settings
):
    settings.ORDERS_LATE_PAYMENT_CHECK_SECONDS = 600  # the expired one was asked about a minute ago
    _fresh, stale, finished = make_order(), make_order(), make_order()
    get_client().simulate_payment(order_id=finished.upstream_order_id, action="expire", end_user=end_user)
    make_stale(stale, finished)
    Order.objects.filter(pk=finished.pk).update(state=OrderState.EXPIRED)
    before = upstream_calls()
    assert sync_open_orders() == 1
    assert upstream_calls() - before == 1
    stale.refresh_from_db()
    assert stale.synced_at > timezone.now() - timedelta(seconds=5)


def test_a_recently_expired_order_is_asked_about_again_for_a_late_payment(
    order, end_user, wait_until, settings
):
    settings.ORDERS_LATE_PAYMENT_CHECK_SECONDS = 30
    settings.ORDERS_REFRESH_SECONDS = 1
    get_client().simulate_payment(order_id=order.upstream_order_id, action="late", end_user=end_user)
    Order.objects.filter(pk=order.pk).update(state=OrderState.EXPIRED, expires_at=timezone.now())

    def delivered() -> bool:
        make_stale(order)
        sync_open_orders()
        order.refresh_from_db()
        return order.state == OrderState.DONE

    assert wait_until(delivered, timeout=5)
    assert order.late_payment
    settings.ORDERS_LATE_PAYMENT_WATCH_SECONDS = 60
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Order.objects.filter(pk=order.pk).update(state=OrderState.EXPIRED, expires_at=an_hour_ago)
    make_stale(order)
    assert sync_open_orders() == 0  # its window closed before the watch: nobody asks any more


def test_the_command_runs_one_pass(make_order, capsys):
    order = make_order()
    make_stale(order)
    call_command("sync_orders")
    assert "synced 1 open order(s)" in capsys.readouterr().out


def test_sync_expires_a_lapsed_order_when_the_upstream_cannot_be_reached(order, monkeypatch, settings):
    settings.ORDERS_EXPIRY_GRACE_SECONDS = 0

    def down(**kwargs):
        raise errors.UpstreamConnectionError("down")

    monkeypatch.setattr(get_client(), "get_order", down)
    Order.objects.filter(pk=order.pk).update(synced_at=None, expires_at=timezone.now() - timedelta(seconds=5))
    call_command("sync_orders")
    order.refresh_from_db()
    assert order.state == OrderState.EXPIRED
    assert order.events.last().source == OrderEvent.Source.EXPIRY


def test_sync_records_an_upstream_expiry(order, end_user):
    get_client().simulate_payment(order_id=order.upstream_order_id, action="expire", end_user=end_user)
    make_stale(order)
    sync_open_orders()
    order.refresh_from_db()
    assert order.state == OrderState.EXPIRED
    assert order.events.last().source == OrderEvent.Source.SYNC


def run_workers_at_once(count: int) -> list[int]:
    return run_at_once(sync_open_orders, count=count)


def test_two_workers_reading_the_same_order_claim_it_once(make_order):
    first, second = make_order(), make_order()
    make_stale(first, second)
    cutoff = timezone.now() - timedelta(seconds=3)
    # Both workers saw the same least-recently-synced row; only one compare-and-set can win it.
    seen_by_both = list(orders_due_for_sync(cutoff=cutoff))
    assert [o.pk for o in seen_by_both] == [first.pk, second.pk]
    claimed_a = claim_order_for_sync(cutoff=cutoff)
    claimed_b = claim_order_for_sync(cutoff=cutoff)
    assert {claimed_a.pk, claimed_b.pk} == {first.pk, second.pk}
    assert claim_order_for_sync(cutoff=cutoff) is None


def test_interleaved_passes_ask_about_each_order_once(make_order, upstream_calls):
    orders = [make_order() for _ in range(4)]
    make_stale(*orders)
    before = upstream_calls()
    assert sync_open_orders(limit=2) + sync_open_orders(limit=2) + sync_open_orders() == 4
    assert upstream_calls() - before == 4


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SKIP LOCKED needs PostgreSQL (DATABASE_URL)")
def test_two_workers_on_postgresql_split_the_open_orders_with_skip_locked(
    make_order, upstream_calls, settings
):
    assert connection.features.has_select_for_update_skip_locked
    settings.ORDERS_REFRESH_SECONDS = 60
    orders = [make_order() for _ in range(10)]
    make_stale(*orders)
    before = upstream_calls()
    results = run_workers_at_once(2)
    assert sum(results) == 10
    assert upstream_calls() - before == 10
    assert Order.objects.filter(synced_at__lt=timezone.now() - timedelta(seconds=30)).count() == 0
