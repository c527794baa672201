"""The staff dashboard: what needs attention first, daily charts, funnel, states, tops, medians, upstream."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from dashboard_data import add_checkouts, add_orders
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboard.upstream_health import get_upstream_health, record_call
from notifications.models import OutboxEmail
from orders.models import Order
from orders.states import OrderState as S
from storefront.upstream.client import EndUser
from storefront.upstream.factory import get_client

pytestmark = pytest.mark.django_db
URL = "/admin/dashboard/"


@pytest.fixture
def staff_client(client):
    client.force_login(User.objects.create_superuser("boss", "boss@example.com", "pw-for-tests-only"))
    return client


def _shop(now):
    """Orders over several days and states, and the checkouts behind them."""
    day = timedelta(days=1)
    add_orders(count=3, state=S.DONE, created_at=now - 2 * day, coin="USDC", amount="10", country="US")
    add_orders(count=2, state=S.DONE, created_at=now - 2 * day, coin="USDT", amount="20", country="ES",
               brand="Amazon.com", paid_after=timedelta(minutes=10), delivered_after=timedelta(minutes=6))
    add_orders(count=1, state=S.WAITING_FOR_PAYMENT, created_at=now - day, coin="USDC")
    add_orders(count=2, state=S.PARTIAL_PAYMENT_STARTED, created_at=now - day, coin="USDC")
    add_orders(count=1, state=S.WAITING_FOR_MANUAL_ACTION, created_at=now - 5 * day, coin="USDT", amount="5")
    add_orders(count=1, state=S.SUBMIT_FAILED, created_at=now - day)
    add_orders(count=4, state=S.EXPIRED, created_at=now - 40 * day)  # outside the 30 days
    add_checkouts(checked_out=20, validated=12, problems={"KYC_MISSING": 5, "FULLNAME_MISSING": 3,
                                                          "UPSTREAM_TIMEOUT": 1}, at=now - day)


def _number(html: str, pattern: str) -> str:
    found = re.search(pattern, html, re.S)
    assert found, pattern
    return found.group(1)


def test_needs_attention_comes_first_and_each_reason_links_to_its_filtered_list(staff_client):
    _shop(timezone.now())
    OutboxEmail.objects.create(kind="order_placed", to="a@example.com", status=OutboxEmail.Status.FAILED)
    html = staff_client.get(URL).content.decode()
    content = html[html.index('id="content-main"'):]
    assert content.index("Needs attention") < content.index("Orders per day")
    partial_link = _number(html, r'data-reason="partial">\s*<a href="([^"]+)"')
    assert partial_link == "/admin/orders/order/?attention=partial"
    assert _number(html, r'data-reason="partial">.*?attention-count">(\d+)<') == "2"
    assert _number(html, r'data-reason="manual">.*?attention-count">(\d+)<') == "1"
    assert _number(html, r'data-reason="failed">.*?attention-count">(\d+)<') == "1"
    assert _number(html, r'data-reason="email_failed">.*?attention-count">(\d+)<') == "1"
    assert _number(html, r'data-reason="email_failed">\s*<a href="([^"]+)"') == (
        "/admin/notifications/outboxemail/?status__exact=failed")
    # The filtered list the link opens holds exactly the orders counted.
    listed = staff_client.get("/admin/orders/order/?attention=partial").content.decode()
    assert listed.count('class="state-label') == 2


def test_daily_charts_hold_each_days_orders_and_paid_volume_by_coin(staff_client):
    now = timezone.now()
    _shop(now)
    html = staff_client.get(URL).content.decode()
    orders_svg, volume_svg = re.findall(r'<svg class="chart daily-chart".*?</svg>', html, re.S)
    two_days_ago = (timezone.localdate(now) - timedelta(days=2)).isoformat()
    bar = r'data-day="{day}" data-series="{coin}" data-value="([^"]+)"'
    assert _number(orders_svg, bar.format(day=two_days_ago, coin="USDC")) == "3"
    assert _number(orders_svg, bar.format(day=two_days_ago, coin="USDT")) == "2"
    assert Decimal(_number(volume_svg, bar.format(day=two_days_ago, coin="USDT"))) == Decimal(40)
    # Placed orders of the 30 days: not the one that failed to submit, nor those of 40 days ago.
    assert _number(orders_svg, r'data-total="(\d+)"') == str(
        Order.objects.filter(created_at__gte=now - timedelta(days=30)).exclude(state=S.SUBMIT_FAILED).count())


def test_the_funnel_shows_each_step_the_share_lost_and_what_stopped_checkouts(staff_client):
    _shop(timezone.now())
    html = staff_client.get(URL + "?days=7").content.decode()
    steps = dict(re.findall(r'<tr data-step="(\w+)"><td>[^<]+</td><td class="num">(\d+)</td>', html))
    # 20 checked out, 12 validated; placed: the 5 done, 1 waiting, 2 partial and 1 manual of the week.
    assert steps == {"checked_out": "20", "validated": "12", "placed": "9", "paid": "6", "delivered": "5"}
    lost = _number(html, r'data-step="validated">.*?<td class="num">\d+</td><td class="num">([^<]+)<')
    assert lost == "40 %"
    codes = re.findall(r'<li data-code="(\w+)"><code>\w+</code> <span class="problem-count">(\d+)', html)
    assert codes == [("KYC_MISSING", "5"), ("FULLNAME_MISSING", "3"), ("UPSTREAM_TIMEOUT", "1")]


def test_states_tops_and_medians_are_the_databases(staff_client):
    _shop(timezone.now())
    html = staff_client.get(URL).content.decode()
    states = dict(re.findall(r'<g class="row" data-label="([^"]+)" data-value="(\d+)"', html))
    assert states["Done"] == "5" and states["Partial payment"] == "2" and states["Expired"] == "4"
    assert _number(html, r'top-brands.*?<tr data-name="Steam"><td>Steam</td><td class="num">(\d+)<') == "4"
    assert _number(html, r'top-countries.*?<tr data-name="ES"><td>ES</td><td class="num">2</td>'
                         r'<td class="num">([^<]+)<') == "40.00"
    # Placed to paid: 4 min for four orders, 10 for two: the median is 4 min; paid to delivered 2 min.
    assert _number(html, r'data-median="placed-to-paid">([^<]+)<') == "4 min"
    assert _number(html, r'data-median="paid-to-delivered">([^<]+)<') == "2 min"


def test_upstream_health_counts_the_calls_errors_and_p95_of_the_last_hour(staff_client):
    get_client().payment_vias(end_user=EndUser(ip="192.0.2.7", user_agent="test"))
    now = time.time()
    for seconds in [0.04] * 18 + [0.8, 3.0]:
        record_call(endpoint="GET /v2/brands", seconds=seconds, failed=seconds > 2, now=now)
    record_call(endpoint="GET /v2/brands", seconds=0.04, failed=True, now=now - 2 * 3600)  # too old
    health = {row.endpoint: row for row in get_upstream_health(now=now)}
    assert health["GET /v3/payment_vias"].calls == 1
    assert (health["GET /v2/brands"].calls, health["GET /v2/brands"].errors) == (20, 1)
    assert 0.5 < health["GET /v2/brands"].p95_seconds <= 1.0
    html = staff_client.get(URL).content.decode()
    assert _number(html, r'data-endpoint="GET /v2/brands" class="has-errors"><td><code>[^<]+</code></td>'
                         r'<td class="num">(\d+)<') == "20"


def test_the_page_costs_the_same_queries_for_few_and_many_orders(staff_client):
    now = timezone.now()
    staff_client.get(URL)  # the session, the user and the admin's own reads, once
    with CaptureQueriesContext(connection) as few:
        staff_client.get(URL)
    _shop(now)
    add_orders(count=300, state=S.DONE, created_at=now - timedelta(days=3))
    with CaptureQueriesContext(connection) as many:
        assert staff_client.get(URL).status_code == 200
    assert len(few) == len(many)


def test_staff_who_may_not_read_orders_get_no_figures(client):
    user = User.objects.create_user("temp", "t@example.com", "pw-for-tests-only", is_staff=True)
    client.force_login(user)
    assert client.get(URL).status_code == 403
    user.groups.add(Group.objects.get(name="Order support"))
    assert client.get(URL).status_code == 200


def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_the_admin_index_links_the_dashboard_first(staff_client):
    html = staff_client.get("/admin/").content.decode()
    main = html[html.index('id="content-main"') - 200:]
    assert main.index('href="/admin/dashboard/"') < main.index("app-orders")


def test_an_unknown_period_falls_back_to_thirty_days(staff_client):
    html = staff_client.get(URL + "?days=abc").content.decode()
    assert '<option value="30" selected>' in html
