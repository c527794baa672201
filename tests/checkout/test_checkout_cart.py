"""The session cart: compact lines, merged products, the 10-delivery limit, and the cart page."""

from __future__ import annotations

import html
import json
import re
from contextlib import contextmanager
from decimal import Decimal

import pytest
from checkout_helpers import AMAZON_25, APPLE_RANGE, ATT_15, ESIM_1GB, add, cart_line_ids
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.urls import reverse

from checkout import cart
from storefront.upstream import errors
from storefront.upstream.factory import get_client


@pytest.fixture
def session():
    return SessionStore()


def _add(session, product_id="US-amazon-25", quantity=1, value=None):
    return cart.add_line(
        session,
        country_code="us",
        family="amazon",
        product_id=product_id,
        denomination="25 USD",
        product_value=value,
        quantity=quantity,
    )


def test_adding_the_same_product_twice_raises_its_quantity(session):
    _add(session)
    _add(session, quantity=2)
    lines = cart.get_cart(session)
    assert len(lines) == 1 and lines[0].quantity == 3
    assert lines[0].country_code == "US"


def test_different_custom_amounts_are_separate_lines(session):
    _add(session, product_id="US-apple-range", value=Decimal("12"))
    _add(session, product_id="US-apple-range", value=Decimal("20"))
    assert [line.product_value for line in cart.get_cart(session)] == [Decimal("12"), Decimal("20")]


def test_the_cart_refuses_more_than_ten_deliveries(session):
    _add(session, quantity=9)
    with pytest.raises(cart.CartFull):
        _add(session, product_id="US-amazon-50", quantity=2)
    line = cart.get_cart(session)[0]
    with pytest.raises(cart.CartFull):
        cart.set_quantity(session, line_id=line.id, quantity=11)
    cart.set_quantity(session, line_id=line.id, quantity=10)
    assert cart.count_deliveries(cart.get_cart(session)) == 10


def test_quantity_zero_removes_the_line(session):
    line = _add(session)
    cart.set_quantity(session, line_id=line.id, quantity=0)
    assert cart.get_cart(session) == []


def test_the_session_holds_ids_and_values_only(session):
    _add(session, quantity=2)
    stored = session["cart"]
    assert set(stored[0]) == {"id", "cc", "fam", "pid", "den", "val", "qty"}
    assert len(json.dumps(stored)) < 120


def test_a_tampered_session_entry_is_ignored(session):
    session["cart"] = [
        {"id": "x"},
        "junk",
        {"id": "a", "cc": "US", "fam": "amazon", "pid": "p", "den": "25 USD", "val": None, "qty": 99},
    ]
    assert cart.get_cart(session) == []


# -- through the pages -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_cart_page_shows_brand_denomination_and_coin_totals(client):
    add(client, AMAZON_25, quantity=2)
    add(client, APPLE_RANGE, value="12")
    add(client, ATT_15)
    page = client.get(reverse("checkout:cart")).content.decode()
    assert "Amazon" in page and "$25" in page
    assert "Everything Apple" in page and "12 USD" in page
    assert "AT&amp;T" in page and "$15" in page
    # 2 x 25.48 + 12.23 + 15.29, in USDC, fees included.
    assert "50.96" in page and "25.48 USDC each" in page
    assert "data-cart-total>78.48</strong> USDC" in page
    assert "4 items of 10 per order" in page


@pytest.mark.django_db
def test_switching_the_coin_prices_the_cart_in_usdt(client):
    add(client, AMAZON_25)
    client.post(reverse("checkout:cart"), {"action": "coin", "coin": "USDT"})
    assert client.session["coin"] == "USDT"
    page = client.get(reverse("checkout:cart")).content.decode()
    assert "USDT" in page and "25.60" in page


@pytest.mark.django_db
def test_the_header_shows_how_many_items_the_cart_holds(client):
    add(client, AMAZON_25, quantity=3)
    page = client.get(reverse("checkout:cart")).content.decode()
    assert 'id="cart-link"' in page
    assert "data-cart-count>3" in page


@pytest.mark.django_db
def test_quantity_update_and_remove_work_without_javascript(client):
    add(client, AMAZON_25)
    add(client, ESIM_1GB)
    amazon, esim = cart_line_ids(client)
    response = client.post(reverse("checkout:cart"), {"action": "update", "line": amazon, "quantity": 4})
    assert response.status_code == 302
    assert client.session["cart"][0]["qty"] == 4
    client.post(reverse("checkout:cart"), {"action": "remove", "line": esim})
    assert cart_line_ids(client) == [amazon]


@pytest.mark.django_db
def test_htmx_quantity_update_returns_the_cart_fragment_and_the_header_count(client):
    add(client, AMAZON_25)
    (line,) = cart_line_ids(client)
    response = client.post(
        reverse("checkout:cart"), {"action": "update", "line": line, "quantity": 2}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="cart"' in html
    assert 'hx-swap-oob="true"' in html and "data-cart-count>2" in html


@pytest.mark.django_db
def test_raising_a_quantity_past_ten_says_why(client):
    add(client, AMAZON_25, quantity=5)
    (line,) = cart_line_ids(client)
    response = client.post(
        reverse("checkout:cart"), {"action": "update", "line": line, "quantity": 11}, follow=True
    )
    assert "from 0 to 10" in response.content.decode()
    assert client.session["cart"][0]["qty"] == 5


@pytest.mark.django_db
def test_adding_an_eleventh_item_is_refused_with_a_message(client):
    add(client, AMAZON_25, quantity=10)
    response = add(client, ESIM_1GB)
    page = client.get(response.url).content.decode() if response.status_code == 302 else ""
    assert "at most 10 items" in page
    assert len(cart_line_ids(client)) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "product, value, message",
    [
        ({**AMAZON_25, "product_id": "US-amazon-26"}, "", "not sold any more"),
        ({**AMAZON_25, "family": "nosuchbrand"}, "", "not sold any more"),
        ({**AMAZON_25, "denomination": "1000 USD"}, "", "changed since the page was loaded"),
        (APPLE_RANGE, "", "Enter an amount from 2 to 500 USD"),
        (APPLE_RANGE, "501", "from 2 to 500 USD"),
        (APPLE_RANGE, "12.50", "steps of 1 USD"),
        ({**AMAZON_25, "country": "GB"}, "", "not sold any more"),
        (
            {"country": "US", "family": "airbnb", "product_id": "US-airbnb-500", "denomination": "500 USD"},
            "",
            "out of stock",
        ),
    ],
)
def test_cart_add_never_trusts_the_posted_product(client, product, value, message):
    response = add(client, product, value=value, referer="http://testserver/shop/us/brands/amazon/")
    assert response.status_code == 302
    page = client.get(reverse("checkout:cart")).content.decode()
    assert message in page
    assert cart_line_ids(client) == []


@pytest.mark.django_db
def test_cart_add_rejects_malformed_fields(client):
    add(client, {**AMAZON_25, "country": "USA"}, quantity=0)
    assert cart_line_ids(client) == []
    assert "couldn" in client.get(reverse("checkout:cart")).content.decode()


@pytest.mark.django_db
def test_cart_add_only_accepts_post(client):
    assert client.get(reverse("checkout:cart_add")).status_code == 405


@pytest.mark.django_db
def test_an_empty_cart_invites_to_shop(client):
    page = client.get(reverse("checkout:cart")).content.decode()
    assert "Your cart is empty." in page
    assert reverse("checkout:checkout") not in page


@pytest.mark.django_db
def test_a_refused_add_goes_back_to_the_product_page_but_never_off_site(client):
    response = add(client, APPLE_RANGE, value="501", referer="http://testserver/shop/us/brands/everything-apple/")
    assert response.url == "http://testserver/shop/us/brands/everything-apple/"
    response = add(client, APPLE_RANGE, value="501", referer="https://evil.example/phish")
    assert response.url == reverse("checkout:cart")


# -- adding while the supplier is down ---------------------------------------------------------------

SUPPLIER_DOWN = "We could not reach our supplier, so nothing was added to your cart. Try again in a moment."
OUTAGES = [
    errors.UpstreamConnectionError("connection refused"),
    errors.UpstreamTimeout("read timed out"),
    errors.UpstreamServerError(503, detail="SERVICE_UNAVAILABLE"),
    errors.UpstreamRateLimited(429, detail="TOO_MANY_REQUESTS"),
    errors.UpstreamResponseError("not JSON"),
]


@contextmanager
def catalog_down(monkeypatch, exc: Exception):
    """Make every product list read fail with `exc` until the block ends (nothing is cached for it)."""

    def fail(**kwargs):
        raise exc

    with monkeypatch.context() as patched:
        patched.setattr(get_client(), "products", fail)
        yield


def _page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize("outage", OUTAGES, ids=lambda exc: type(exc).__name__)
def test_adding_while_the_supplier_is_down_returns_to_the_product_page_and_adds_nothing(
    client, monkeypatch, outage
):
    add(client, ATT_15)
    before = client.session["cart"]
    with catalog_down(monkeypatch, outage):
        response = add(client, AMAZON_25, referer="http://testserver/shop/us/brands/amazon/")
    assert response.status_code == 302
    assert response.url == "/shop/us/brands/amazon/?product=US-amazon-25&coin=USDC"
    assert client.session["cart"] == before

    # The supplier is back when the product page loads: the pick is kept and the message says why.
    page = _page(client.get(response.url))
    assert SUPPLIER_DOWN in page
    assert re.search(r'value="US-amazon-25" checked', page)
    assert re.search(r'id="coin-USDC" value="USDC" checked', page)
    assert client.session["cart"] == before


@pytest.mark.django_db
def test_a_custom_amount_and_the_coin_are_kept_when_the_supplier_is_down(client, monkeypatch):
    client.post(reverse("checkout:cart"), {"action": "coin", "coin": "USDT"})
    with catalog_down(monkeypatch, errors.UpstreamTimeout("read timed out")):
        response = add(client, APPLE_RANGE, value="40")
    assert response.status_code == 302
    assert response.url == (
        "/shop/us/brands/everything-apple/?product=US-everything-apple-range&coin=USDT&amount=40"
    )
    page = _page(client.get(response.url))
    assert SUPPLIER_DOWN in page
    assert re.search(r'<input[^>]*name="amount"[^>]*value="40"', page)
    assert re.search(r'id="coin-USDT" value="USDT" checked', page)
    assert cart_line_ids(client) == []


@pytest.mark.django_db
def test_a_product_page_that_cannot_load_either_is_the_honest_unavailable_page(client, monkeypatch):
    with catalog_down(monkeypatch, errors.UpstreamConnectionError("connection refused")):
        response = add(client, AMAZON_25)
        page = client.get(response.url)
    assert page.status_code == 503
    text = _page(page)
    assert "Our supplier isn't answering right now" in text
    assert SUPPLIER_DOWN in text
    assert cart_line_ids(client) == []


@pytest.mark.django_db
def test_the_supplier_down_message_is_in_the_shoppers_language(client, monkeypatch):
    with catalog_down(monkeypatch, errors.UpstreamConnectionError("connection refused")):
        response = client.post("/es/cart/add/", {**AMAZON_25, "quantity": 1, "product_value": ""})
    assert response.url == "/es/shop/us/brands/amazon/?product=US-amazon-25&coin=USDC"
    page = _page(client.get(response.url))
    assert "No pudimos comunicarnos con nuestro proveedor, así que no se agregó nada a tu carrito." in page
    assert cart_line_ids(client) == []
