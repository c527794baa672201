"""The "needs attention" counts read an index of candidates that the database keeps itself."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from dashboard_data import add_orders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboard.selectors import count_needs_attention
from orders.models import Order
from orders.states import OrderState as S

pytestmark = pytest.mark.django_db


def test_each_reason_counts_its_order_and_an_ordinary_one_counts_for_none():
    long_ago = timezone.now() - timedelta(days=3)
    add_orders(count=1, state=S.PAYMENT_RECEIVED, created_at=long_ago)  # stuck
    add_orders(count=1, state=S.PARTIAL_PAYMENT_STARTED, created_at=long_ago)
    add_orders(count=1, state=S.DONE, created_at=long_ago, late_payment=True)  # late, seen upstream
    add_orders(count=1, state=S.EXPIRED, created_at=long_ago, coin_amount_paid=Decimal("3"))  # late
    add_orders(count=1, state=S.CANCELED, created_at=long_ago)
    Order.objects.filter(state=S.CANCELED).update(upstream_state="OnHoldForReview")  # unknown
    add_orders(count=1, state=S.WAITING_FOR_MANUAL_ACTION, created_at=long_ago)
    add_orders(count=1, state=S.SUBMIT_FAILED, created_at=long_ago)
    add_orders(count=3, state=S.DONE, created_at=long_ago)
    add_orders(count=1, state=S.EXPIRED, created_at=long_ago, coin_amount_paid=Decimal("0"))

    counts = count_needs_attention()

    assert counts == {"stuck": 1, "partial": 1, "late": 2, "unknown": 1, "manual": 1, "failed": 1, "yes": 7}


def test_an_order_counts_as_soon_as_a_write_gives_it_a_reason_and_stops_when_it_loses_it():
    add_orders(count=1, state=S.DONE, created_at=timezone.now() - timedelta(hours=1))
    order = Order.objects.get()
    assert count_needs_attention()["yes"] == 0

    Order.objects.filter(pk=order.pk).update(upstream_state="OnHoldForReview")
    assert count_needs_attention()["unknown"] == 1

    order.refresh_from_db()
    order.upstream_state = S.DONE
    order.save()
    assert count_needs_attention()["yes"] == 0


def test_the_counts_read_the_candidates_index_not_every_order():
    add_orders(count=3, state=S.DONE, created_at=timezone.now() - timedelta(days=1))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    with CaptureQueriesContext(connection) as captured:
        count_needs_attention()
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a three-row table is read whole otherwise
        cursor.execute(prefix + captured.captured_queries[0]["sql"])
        plan = " ".join(str(cell) for row in cursor.fetchall() for cell in row)
    assert "orders_order_attention_idx" in plan
