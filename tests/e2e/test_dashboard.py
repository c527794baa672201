"""Staff open the dashboard in a browser: its charts and numbers are the database's, at 1280 px, no script."""

from __future__ import annotations

import shutil
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import screenshot
from django.contrib.auth.models import User
from django.db.models import Sum
from django.utils import timezone
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dashboard"))  # the dashboard's test data
from dashboard_data import add_checkouts, add_orders  # noqa: E402

from dashboard.upstream_health import record_call  # noqa: E402
from orders.models import Order  # noqa: E402
from orders.states import PAID_STATES  # noqa: E402
from orders.states import OrderState as S  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)
DOCS = Path(__file__).resolve().parents[2] / "docs"


def _shop():
    now = timezone.now()
    day = timedelta(days=1)
    for offset in range(12):
        add_orders(count=1 + offset % 4, state=S.DONE, created_at=now - offset * day - timedelta(hours=2),
                   coin="USDC", amount="25", country=("US", "ES", "MX")[offset % 3])
        add_orders(count=offset % 3, state=S.DONE, created_at=now - offset * day - timedelta(hours=3),
                   coin="USDT", amount="50", brand="Amazon.com", country="US")
        add_orders(count=offset % 2, state=S.EXPIRED, created_at=now - offset * day - timedelta(hours=4))
    add_orders(count=2, state=S.PARTIAL_PAYMENT_STARTED, created_at=now - timedelta(hours=1), coin="USDT")
    add_orders(count=1, state=S.WAITING_FOR_MANUAL_ACTION, created_at=now - day, coin="USDC")
    add_orders(count=3, state=S.WAITING_FOR_PAYMENT, created_at=now - timedelta(minutes=10))
    add_orders(count=1, state=S.SUBMIT_FAILED, created_at=now - 2 * day)
    problems = {"KYC_MISSING": 8, "FULLNAME_MISSING": 4, "MAXIMUM_AMOUNT_PER_ORDER_EXCEEDED": 3}
    add_checkouts(checked_out=80, validated=64, problems=problems, at=now - day)
    for seconds in (0.03, 0.04, 0.05, 0.2, 0.9):
        record_call(endpoint="GET /v5/orders/{id}", seconds=seconds, failed=False)
    record_call(endpoint="POST /v5/orders", seconds=0.4, failed=False)
    record_call(endpoint="POST /v5/orders", seconds=10.5, failed=True)
    return now


def test_staff_read_the_dashboard_and_its_figures_are_the_databases(browser, live_server):
    now = _shop()
    User.objects.create_superuser("staff", "staff@example.com", "staff-pass-for-tests")
    # Without JavaScript: the charts are drawn on the server.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US",
                                  java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "staff")
    page.fill("#id_password", "staff-pass-for-tests")
    page.click("input[type=submit]")
    page.click("a.dashboard-entry-link")  # the first thing on the admin index

    # Needs attention first, with the database's counts, each a link to its filtered list.
    expect(page.locator(".dash-attention")).to_be_visible()
    first = page.locator("#content-main section").first
    expect(first).to_have_class("dash-attention has-attention")
    expect(page.locator('[data-reason="partial"] .attention-count')).to_have_text("2")
    expect(page.locator('[data-reason="manual"] .attention-count')).to_have_text("1")
    expect(page.locator('[data-reason="failed"] .attention-count')).to_have_text("1")

    # Each day's bar holds that day's orders by coin, and the totals are the database's.
    orders_chart = page.locator("svg.daily-chart").first
    placed_30_days = Order.objects.filter(created_at__gte=now - timedelta(days=30)).exclude(
        state__in=(S.SUBMITTING, S.SUBMIT_FAILED))
    assert int(orders_chart.get_attribute("data-total")) == placed_30_days.count()
    day = timezone.localdate(now - timedelta(days=3, hours=2))
    usdc_bar = orders_chart.locator(f'rect[data-day="{day.isoformat()}"][data-series="USDC"]')
    expect(usdc_bar).to_have_attribute("data-value", str(placed_30_days.filter(
        coin="USDC", created_at__date=day).count()))
    assert float(usdc_bar.get_attribute("height")) > 0
    volume = page.locator("svg.daily-chart").nth(1).get_attribute("data-total")
    paid = placed_30_days.filter(state__in=PAID_STATES).aggregate(total=Sum("coin_amount"))["total"]
    assert float(volume) == float(paid)

    # The funnel: the steps' counts, the share lost, and the problem codes that stopped checkouts.
    placed = placed_30_days.count()
    for step, count in {"checked_out": 80, "validated": 64, "placed": placed,
                        "delivered": placed_30_days.filter(state=S.DONE).count()}.items():
        expect(page.locator(f'tr[data-step="{step}"] td.num').first).to_have_text(str(count))
    expect(page.locator('tr[data-step="validated"] td.num').nth(1)).to_have_text("20 %")
    lost_placing = round(100 * (1 - placed / 64))
    expect(page.locator('tr[data-step="placed"] td.num').nth(1)).to_have_text(f"{lost_placing} %")
    expect(page.locator(".problem-list li").first).to_have_attribute("data-code", "KYC_MISSING")

    # Orders by state now, and the upstream's last hour.
    expect(page.locator('svg.row-chart g.row[data-label="Done"]')).to_have_attribute(
        "data-value", str(Order.objects.filter(state=S.DONE).count()))
    expect(page.locator('tr[data-endpoint="POST /v5/orders"] td.num').nth(1)).to_have_text("1")
    expect(page.locator('tr[data-endpoint="GET /v5/orders/{id}"] td.num').first).to_have_text("5")

    # Two columns of charts at 1280 px, none cut off at the right.
    grid = page.locator(".dash-grid").bounding_box()
    assert grid["x"] + grid["width"] <= 1280
    cards = [page.locator(".dash-card").nth(n).bounding_box() for n in range(2)]
    assert cards[0]["y"] == cards[1]["y"] and cards[1]["x"] > cards[0]["x"]
    path = screenshot(page, "admin-dashboard")
    DOCS.mkdir(exist_ok=True)
    shutil.copyfile(path, DOCS / "dashboard.png")
    context.close()
