"""The dashboard with 100,000 orders: the same queries as with a handful, answered in under 100 ms."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from dashboard_data import add_checkouts, add_orders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboard.overview import get_dashboard
from orders.states import OrderState as S

pytestmark = pytest.mark.django_db
# A year of a busy shop: 274 orders a day in the states such a shop holds (100,010 in all).
DAY_MIX = {S.DONE: 170, S.EXPIRED: 60, S.WAITING_FOR_PAYMENT: 15, S.PARTIAL_PAYMENT_STARTED: 10,
           S.WAITING_FOR_MANUAL_ACTION: 8, S.SUBMIT_FAILED: 6, S.REFUNDED: 5}
DAYS = 365


def _queries_and_seconds() -> tuple[int, float, str]:
    """Return the number of queries of the dashboard and the database's time answering them."""
    get_dashboard(days=30)  # warm: the first query of a connection pays for opening it
    runs = []
    # The best of three: this machine is shared, and a busy neighbour is not the dashboard's cost.
    for _run in range(3):
        with CaptureQueriesContext(connection) as captured:
            get_dashboard(days=30)
        runs.append(captured.captured_queries)
    queries = min(runs, key=lambda run: sum(float(query["time"]) for query in run))
    each = "\n".join(f"{query['time']} s: {query['sql'][:120]}" for query in queries)
    return len(queries), sum(float(query["time"]) for query in queries), each


def test_a_hundred_thousand_orders_cost_the_queries_of_a_few_and_under_100_ms():
    now = timezone.now()
    add_orders(count=3, state=S.DONE, created_at=now - timedelta(days=1))
    few, _seconds, _each = _queries_and_seconds()
    for day in range(DAYS):
        at = now - timedelta(days=day, hours=1)
        for state, count in DAY_MIX.items():
            add_orders(count=count, state=state, created_at=at, coin="USDT" if day % 3 else "USDC")
        add_checkouts(checked_out=320, validated=285, problems={"KYC_MISSING": 25, "FULLNAME_MISSING": 10},
                      at=at)
    # A table that grew in production has planner statistics; one bulk-loaded a second ago has none.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    many, seconds, each = _queries_and_seconds()
    assert many == few
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        # Timings on a machine running more than it has cores measure the neighbours, not these
        # queries: said so, visibly, rather than passed or failed on noise.
        pytest.skip(f"{many} queries as with 3 orders; not timed: the machine is busy "
                    f"(load {os.getloadavg()[0]:.1f}; measured {seconds * 1000:.0f} ms)")
    assert seconds < 0.1, f"the dashboard's queries took {seconds * 1000:.0f} ms with 100,000 orders:\n{each}"
