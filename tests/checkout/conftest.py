"""Checkout fixtures: a cart filled through the real /cart/add/ endpoint."""

from __future__ import annotations

import pytest
from checkout_helpers import AMAZON_25, APPLE_RANGE, ATT_15, add


@pytest.fixture
def filled_cart(client):
    """A cart with a fixed gift card, a custom-amount gift card and a mobile top-up."""
    add(client, AMAZON_25)
    add(client, APPLE_RANGE, value="12")
    add(client, ATT_15)
    return client
