"""Staff in the admin: the order list with coloured states, the needs-attention filter, an order's history."""

from __future__ import annotations

import pytest
from conftest import screenshot
from django.contrib.auth.models import User
from playwright.sync_api import expect
from test_order_status import place_order  # a sibling module, on sys.path like conftest

from orders.models import Order
from orders.services import simulate_order_payment
from storefront.upstream.client import EndUser

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_finds_an_order_that_needs_attention_and_reads_its_history(page):
    User.objects.create_superuser("staff", "staff@example.com", "staff-pass-for-tests")
    waiting = place_order(email="waiting@example.com")
    partial = place_order(email="partial@example.com", network="Base")
    simulate_order_payment(
        order=partial, action="partial", end_user=EndUser(ip="203.0.113.9", user_agent="t")
    )
    page.goto(f"{page.base}/admin/login/?next=/admin/orders/order/")
    page.fill("#id_username", "staff")
    page.fill("#id_password", "staff-pass-for-tests")
    page.click("input[type=submit]")
    expect(page.locator("#result_list")).to_contain_text(waiting.reference)
    expect(page.locator(".state-label.state-warn")).to_have_text("Partial payment")
    page.set_viewport_size({"width": 1280, "height": 800})
    results = page.locator("#changelist .results")
    fits = results.evaluate("box => box.scrollWidth <= box.clientWidth")
    assert fits, "the order list fits at 1280 px without scrolling sideways"
    screenshot(page, "admin-order-list")

    page.click("a[href*='attention=yes']")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list")).to_contain_text(partial.reference)
    page.click(f"text={partial.reference}")
    expect(page.locator("body")).to_contain_text("sandbox simulation")
    expect(page.locator("body")).to_contain_text("12.74")
    expect(page.locator("body")).to_contain_text(Order.objects.get(pk=partial.pk).wallet_address)
    screenshot(page, "admin-order-detail")
