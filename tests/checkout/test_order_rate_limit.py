"""Placing orders is limited per IP, and a limited shopper is told when their own window closes."""

from __future__ import annotations

import time

import pytest
from checkout_helpers import add, checkout_data, steam_10
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_limited_order_is_told_the_seconds_left_in_its_window(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "order": (1, 60)}
    add(client, steam_10())
    placed = client.post(reverse("checkout:checkout"), checkout_data(client))
    assert placed.status_code == 302  # the first order of the window is placed
    time.sleep(2.1)
    add(client, steam_10())
    limited = client.post(reverse("checkout:checkout"), checkout_data(client))
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 58, "the seconds left in the window, not a whole window"
