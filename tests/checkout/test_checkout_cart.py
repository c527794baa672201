"""The session cart: compact lines, merged products, the 10-delivery limit, and the cart page."""

from __future__ import annotations

import html
import json
import re
from contextlib import contextmanager
from decimal import Decimal

import pytest
from checkout_helpers import (
    add,
    amazon_range,
    att_15,
    cart_line_ids,
    esim_1gb,
    lycamobile_by_email,
    sandbox_product,
    steam_10,
)
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.urls import reverse

from checkout import cart
from storefront.upstream import errors
from storefront.upstream.factory import get_client


@pytest.fixture
def session():
    return SessionStore()


def _add(session, product_id="steam-10", quantity=1, value=None):
    return cart.add_line(
        session,
        country_code="us",
        family="Steam",
        product_id=product_id,
        denomination="range" if value is not None else "10 USD",
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
    _add(session, product_id="amazon-range", value=Decimal("12"))
    _add(session, product_id="amazon-range", value=Decimal("20"))
    assert [line.product_value for line in cart.get_cart(session)] == [Decimal("12"), Decimal("20")]


def test_the_cart_refuses_more_than_ten_deliveries(session):
    _add(session, quantity=9)
    with pytest.raises(cart.CartFull):
        _add(session, product_id="steam-50", quantity=2)
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
    assert len(json.dumps(stored)) < 160


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
    add(client, steam_10(), quantity=2)
    add(client, amazon_range(), value="12")
    add(client, att_15())
    page = client.get(reverse("checkout:cart")).content.decode()
    assert "Steam" in page and "$10" in page
    assert "Amazon.com" in page and "12 USD" in page
    assert "AT&amp;T" in page and "$15" in page
    # 2 x 10.19 + 12.23 + 15.29, in USDC, fees included.
    assert "20.38" in page and "10.19 USDC each" in page
    assert "data-cart-total>47.90</strong> USDC" in page
    assert "4 items of 10 per order" in page


@pytest.mark.django_db
def test_switching_the_coin_prices_the_cart_in_usdt(client):
    add(client, steam_10())
    client.post(reverse("checkout:cart"), {"action": "coin", "coin": "USDT"})
    assert client.session["coin"] == "USDT"
    page = client.get(reverse("checkout:cart")).content.decode()
    assert "USDT" in page and "10.24" in page


@pytest.mark.django_db
def test_the_header_shows_how_many_items_the_cart_holds(client):
    add(client, steam_10(), quantity=3)
    page = client.get(reverse("checkout:cart")).content.decode()
    assert 'id="cart-link"' in page
    assert "data-cart-count>3" in page


@pytest.mark.django_db
def test_quantity_update_and_remove_work_without_javascript(client):
    add(client, steam_10())
    add(client, esim_1gb())
    amazon, esim = cart_line_ids(client)
    response = client.post(reverse("checkout:cart"), {"action": "update", "line": amazon, "quantity": 4})
    assert response.status_code == 302
    assert client.session["cart"][0]["qty"] == 4
    client.post(reverse("checkout:cart"), {"action": "remove", "line": esim})
    assert cart_line_ids(client) == [amazon]


@pytest.mark.django_db
def test_htmx_quantity_update_returns_the_cart_fragment_and_the_header_count(client):
    add(client, steam_10())
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
    add(client, steam_10(), quantity=5)
    (line,) = cart_line_ids(client)
    response = client.post(
        reverse("checkout:cart"), {"action": "update", "line": line, "quantity": 11}, follow=True
    )
    assert "from 0 to 10" in response.content.decode()
    assert client.session["cart"][0]["qty"] == 5


@pytest.mark.django_db
def test_adding_an_eleventh_item_is_refused_with_a_message(client):
    add(client, steam_10(), quantity=10)
    response = add(client, esim_1gb())
    page = client.get(response.url).content.decode() if response.status_code == 302 else ""
    assert "at most 10 items" in page
    assert len(cart_line_ids(client)) == 1


AIRBNB_500 = ("Airbnb", "$500")  # sold out in the sandbox


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change, value, message",
    [
        ({"product": "no-such-product"}, "", "not sold any more"),
        ({"family": "nosuchbrand"}, "", "not sold any more"),
        ({"country": "GB"}, "", "not sold any more"),
        ({"denomination": "1000 USD"}, "", "changed since the page was loaded"),
        ("range", "", "Enter the amount you want on the card."),
        ("range", "501", "The largest amount is 500 USD."),
        ("range", "1", "The smallest amount is 5 USD."),
        ("range", "12.50", "Amounts are whole numbers from 5 to 500 USD."),
        ("range", "37.5", "Amounts are whole numbers from 5 to 500 USD."),
        ("range", "lots", "Enter the amount as a number, for example 25."),
        ("sold out", "", "out of stock"),
    ],
)
def test_cart_add_never_trusts_the_posted_product(client, change, value, message):
    if change == "range":
        product = amazon_range()
    elif change == "sold out":
        product = sandbox_product(*AIRBNB_500)
    else:
        product = {**steam_10(), **change}
    response = add(client, product, value=value)
    assert response.status_code == 302
    page = html.unescape(client.get(response.url).content.decode())
    assert message in page
    assert cart_line_ids(client) == []


@pytest.mark.django_db
def test_cart_add_rejects_malformed_fields(client):
    add(client, {**steam_10(), "country": "USA"}, quantity=0)
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
def test_a_refused_add_goes_back_to_the_product_page_with_the_pick_never_off_site(client):
    product = amazon_range()
    expected = f"/shop/us/brands/amazon-com/?product={product['product']}&coin=USDC&amount=501"
    response = add(client, product, value="501", referer="http://testserver/shop/us/brands/amazon-com/")
    assert response.url == expected
    response = add(client, product, value="501", referer="https://evil.example/phish")
    assert response.url == expected


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
    add(client, att_15())
    steam = steam_10()
    before = client.session["cart"]
    with catalog_down(monkeypatch, outage):
        response = add(client, steam, referer="http://testserver/shop/us/brands/steam/")
    assert response.status_code == 302
    assert response.url == f"/shop/us/brands/steam/?product={steam['product']}&coin=USDC"
    assert client.session["cart"] == before

    # The supplier is back when the product page loads: the pick is kept and the message says why.
    page = _page(client.get(response.url))
    assert SUPPLIER_DOWN in page
    assert re.search(rf'value="{steam["product"]}" checked', page)
    assert re.search(r'id="coin-USDC" value="USDC" checked', page)
    assert client.session["cart"] == before


@pytest.mark.django_db
def test_a_custom_amount_and_the_coin_are_kept_when_the_supplier_is_down(client, monkeypatch):
    client.post(reverse("checkout:cart"), {"action": "coin", "coin": "USDT"})
    amazon = amazon_range()
    with catalog_down(monkeypatch, errors.UpstreamTimeout("read timed out")):
        response = add(client, amazon, value="40")
    assert response.status_code == 302
    assert response.url == f"/shop/us/brands/amazon-com/?product={amazon['product']}&coin=USDT&amount=40"
    page = _page(client.get(response.url))
    assert SUPPLIER_DOWN in page
    assert re.search(r'<input[^>]*name="amount"[^>]*value="40"', page)
    assert re.search(r'id="coin-USDT" value="USDT" checked', page)
    assert cart_line_ids(client) == []


@pytest.mark.django_db
def test_a_product_page_that_cannot_load_either_is_the_honest_unavailable_page(client, monkeypatch):
    steam = steam_10()
    with catalog_down(monkeypatch, errors.UpstreamConnectionError("connection refused")):
        response = add(client, steam)
        page = client.get(response.url)
    assert page.status_code == 503
    text = _page(page)
    assert "Our supplier isn't answering right now" in text
    assert SUPPLIER_DOWN in text
    assert cart_line_ids(client) == []


@pytest.mark.django_db
def test_the_supplier_down_message_is_in_the_shoppers_language(client, monkeypatch):
    steam = steam_10()
    with catalog_down(monkeypatch, errors.UpstreamConnectionError("connection refused")):
        response = client.post("/es/cart/add/", {**steam, "quantity": 1, "add": "1"})
    assert response.url == f"/es/shop/us/brands/steam/?product={steam['product']}&coin=USDC"
    page = _page(client.get(response.url))
    assert "No pudimos comunicarnos con nuestro proveedor, así que no se agregó nada a tu carrito." in page
    assert cart_line_ids(client) == []


# -- the product page's form, as a browser without JavaScript posts it (issue 16) -------------------


def _browser_post(page: str, *, product: str = "", amount: str | None = None, button: str = "add") -> dict:
    """Return what a browser sends when the shopper picks `product` (and types `amount`) on a product
    page and presses a button of the pick form, without the page reloading the price first."""
    form = re.search(r'<form id="pick".*?</form>', page, re.S).group(0)
    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    checked = re.search(r'name="product" id="[^"]+" value="([^"]+)"[^>]* checked', form).group(1)
    data["product"] = product or checked
    data["coin"] = re.search(r'name="coin" id="[^"]+" value="([^"]+)" checked', form).group(1)
    typed = re.search(r'name="amount"[^>]*value="([^"]*)"', form)
    if typed:
        data["amount"] = typed.group(1) if amount is None else amount
    # Only the button pressed is sent; "Add to cart" belongs to the pick form (form="pick").
    assert re.search(rf'type="submit" form="pick" name="{button}"', page) or f'name="{button}"' in form
    data[button] = "1"
    return data


@pytest.mark.django_db
def test_add_to_cart_without_javascript_adds_the_picked_card_not_the_default(client):
    page = client.get("/shop/us/brands/steam/").content.decode()
    fifty = sandbox_product("Steam", "$50")["product"]
    assert not re.search(rf'value="{fifty}" checked', page)  # the page quoted the default, $10
    response = client.post(reverse("checkout:cart_add"), _browser_post(page, product=fifty))
    assert response.status_code == 302 and response.url == reverse("checkout:cart")
    lines = client.session["cart"]
    assert [(line["pid"], line["den"]) for line in lines] == [(fifty, "50 USD")]
    assert "$50" in client.get(reverse("checkout:cart")).content.decode()


@pytest.mark.django_db
def test_add_to_cart_without_javascript_adds_the_amount_as_typed(client):
    page = client.get("/shop/us/brands/amazon-com/").content.decode()
    response = client.post(reverse("checkout:cart_add"), _browser_post(page, amount="40"))
    assert response.url == reverse("checkout:cart")
    line = client.session["cart"][0]
    assert (line["fam"], line["den"], line["val"]) == ("Amazon.com", "range", "40")


@pytest.mark.django_db
def test_the_coin_picked_on_the_page_is_the_coin_of_the_cart(client):
    page = client.get("/shop/us/brands/steam/").content.decode()
    data = {**_browser_post(page), "coin": "USDT"}
    client.post(reverse("checkout:cart_add"), data)
    assert client.session["coin"] == "USDT"


@pytest.mark.django_db
def test_update_the_price_without_javascript_shows_the_pick_and_adds_nothing(client):
    page = client.get("/shop/us/brands/steam/").content.decode()
    fifty = sandbox_product("Steam", "$50")["product"]
    response = client.post(reverse("checkout:cart_add"), _browser_post(page, product=fifty, button="update"))
    assert response.status_code == 302
    assert response.url == f"/shop/us/brands/steam/?product={fifty}&coin=USDC"
    assert "csrf" not in response.url
    assert cart_line_ids(client) == []
    assert re.search(rf'value="{fifty}" checked', client.get(response.url).content.decode())


@pytest.mark.django_db
def test_a_family_of_several_brands_adds_the_exact_brand_with_its_own_delivery(client):
    add(client, lycamobile_by_email())
    line = client.session["cart"][0]
    assert line["fam"] == "Lycamobile"
    page = client.get(reverse("checkout:cart")).content.decode()
    assert "Lycamobile Bundle" in page
