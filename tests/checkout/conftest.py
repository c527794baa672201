"""Checkout fixtures: a cart filled through the real /cart/add/ endpoint."""

from __future__ import annotations

import pytest
from checkout_helpers import add, amazon_range, att_15, steam_10


@pytest.fixture
def filled_cart(client):
    """A cart with a fixed gift card, a custom-amount gift card and a mobile top-up."""
    add(client, steam_10())
    add(client, amazon_range(), value="12")
    add(client, att_15())
    return client
