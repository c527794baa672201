"""A brand the supplier refuses as not active is shown as paused on its page to the next shoppers."""

from __future__ import annotations

import re

import pytest
from checkout_helpers import add, checkout_data, sandbox_product
from django.core.cache import cache
from django.urls import reverse

pytestmark = pytest.mark.django_db

GAMESTOP_PAGE = "/shop/us/brands/gamestop/"  # paused in the sandbox: validation answers NOT_ACTIVE


def add_button(html: str) -> str:
    return re.search(r'<button[^>]*name="add"[^>]*>', html).group(0)


def test_a_brand_refused_as_not_active_is_shown_paused_with_no_add_button(client):
    before = client.get(GAMESTOP_PAGE).content.decode()
    assert "paused" not in before and "disabled" not in add_button(before)

    add(client, sandbox_product("GameStop", "$25"))
    refused = client.post(reverse("checkout:checkout"), checkout_data(client))
    assert refused.status_code == 200  # explained in the form, nothing placed

    other_shopper = client.__class__()
    after = other_shopper.get(GAMESTOP_PAGE).content.decode()
    assert "Our supplier has paused GameStop for now" in after
    assert "disabled" in add_button(after)


def test_the_pause_is_shared_and_forgotten_when_it_expires(client):
    add(client, sandbox_product("GameStop", "$25"))
    client.post(reverse("checkout:checkout"), checkout_data(client))
    assert "paused GameStop" in client.get(GAMESTOP_PAGE).content.decode()
    cache.delete("catalog:paused:US:gamestop")  # what the hour's expiry does
    assert "paused GameStop" not in client.get(GAMESTOP_PAGE).content.decode()


def test_other_brands_of_the_same_order_stay_buyable(client):
    add(client, sandbox_product("GameStop", "$25"))
    add(client, sandbox_product("Steam", "$10"))
    client.post(reverse("checkout:checkout"), checkout_data(client))
    steam = client.get("/shop/us/brands/steam/").content.decode()
    assert "paused" not in steam and "disabled" not in add_button(steam)
