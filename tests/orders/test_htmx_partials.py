"""One way to answer htmx for the whole shop (storefront.htmx): the page, or its named partial."""

from __future__ import annotations

import pytest
from django.urls import reverse
from orders_factory import *  # noqa: F403  (fixtures: order)

from checkout.views import cart_view

HTMX = {"HX-Request": "true"}
HISTORY_RESTORE = {"HX-Request": "true", "HX-History-Restore-Request": "true"}


def order_url(order) -> str:
    return reverse("orders:detail", kwargs={"token": order.token})


@pytest.mark.parametrize("url", ["/cart/", "/shop/us/brands/", "/shop/us/brands/steam/", "order"])
def test_a_history_restore_gets_the_whole_page_everywhere(client, order, url):  # noqa: F811
    # Issue 16: the order page answered a history restore with its status fragment alone.
    url = order_url(order) if url == "order" else url
    fragment = client.get(url, headers=HTMX)
    page = client.get(url, headers=HISTORY_RESTORE)
    assert "<html" not in fragment.content.decode()
    assert "<html" in page.content.decode()
    assert "HX-Request" in page["Vary"] and "HX-Request" in fragment["Vary"]


def test_the_checkout_views_are_one_service_call_each():
    # The work lives in checkout.services; the views only hand a request to it and answer.
    import inspect

    from checkout import views

    assert len(inspect.getsource(views.checkout).splitlines()) <= 22
    assert len(inspect.getsource(cart_view).splitlines()) <= 20
