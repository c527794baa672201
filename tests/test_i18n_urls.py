"""The language in the URL, the switcher that keeps the shopper on the same page, and the first guess."""

from __future__ import annotations

import html
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from sandbox_products import AMAZON_RANGE, STEAM_10

from orders.models import Order, OrderItem
from storefront.i18n import strip_language_prefix, upstream_lang, with_language_prefix

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
NEXT_INPUT = re.compile(r'<input name="next" type="hidden" value="([^"]*)"')


def page_language(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


def switch(client, page: str, language: str):
    """Use the switcher of `page`: post its form with `language` chosen, as the select does."""
    response = client.get(page)
    assert response.status_code == 200, page
    next_url = html.unescape(NEXT_INPUT.search(response.content.decode()).group(1))
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


@pytest.fixture
def order_page() -> str:
    order = Order.objects.create(
        email="shopper@example.com", country_code="US", coin="USDC", network="Solana"
    )
    OrderItem.objects.create(
        order=order,
        brand_name="Steam",
        family="Steam",
        country_code="US",
        denomination="10 USD",
        localized_denomination="$10",
        beneficiary_account="shopper@example.com",
    )
    return f"/orders/{order.token}/"


# -- the language in the URL -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "language", "upstream"), [("", "en", "en"), ("/es", "es", "es"), ("/zh-hans", "zh-hans", "zh")]
)
def test_each_language_lives_under_its_url_prefix_and_english_has_none(client, prefix, language, upstream):
    response = client.get(f"{prefix}/shop/us/")
    assert response.status_code == 200
    assert page_language(response) == language
    assert response["Content-Language"] == language
    with translation.override(language):
        all_brands = translation.gettext("All brands")
        assert reverse("catalog:home", kwargs={"cc": "us"}) == f"{prefix}/shop/us/"
        assert upstream_lang() == upstream
    assert f">{all_brands}<" in response.content.decode()


def test_spanish_and_chinese_pages_read_in_their_language(client):
    spanish = client.get("/es/shop/us/").content.decode()
    chinese = client.get("/zh-hans/shop/us/").content.decode()
    assert "Todas las marcas" in spanish and "Cómo funciona" in spanish
    with translation.override("zh-hans"):
        how_it_works = translation.gettext("How it works")
    assert how_it_works != "How it works" and how_it_works in chinese


def test_language_prefix_helpers():
    assert strip_language_prefix("/es/shop/us/?q=a") == "/shop/us/?q=a"
    assert strip_language_prefix("/zh-hans/orders/abc/") == "/orders/abc/"
    assert strip_language_prefix("/shop/es/") == "/shop/es/"  # Spain in English: no prefix to strip
    assert strip_language_prefix("/es") == "/"
    assert with_language_prefix("/es/cart/", "zh-hans") == "/zh-hans/cart/"
    assert with_language_prefix("/es/cart/", "en") == "/cart/"


def test_spain_in_english_and_the_spanish_site_do_not_collide(client):
    assert page_language(client.get("/shop/es/")) == "en"
    assert page_language(client.get("/es/shop/es/")) == "es"


# -- the switcher -----------------------------------------------------------------------------------

PAGES = [
    "/shop/us/",
    "/shop/us/brands/?q=ama&kind=giftcard",
    "/shop/us/brands/amazon-com/",  # a display family ("Amazon.com") by its slug
    f"/shop/us/brands/steam/?product={STEAM_10['product_id']}&coin=USDT",
    f"/shop/us/brands/amazon-com/?product={AMAZON_RANGE['product_id']}&amount=40&coin=USDT",
    "/countries/?next=/shop/us/brands/",
    "/cart/",
]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("source", LANGUAGES)
@pytest.mark.parametrize("target", LANGUAGES)
def test_switcher_keeps_the_shopper_on_the_same_page(client, page, source, target):
    response = switch(client, with_language_prefix(page, source), target)
    assert response.status_code == 302
    assert response["Location"] == with_language_prefix(page, target)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == target
    landed = client.get(response["Location"])
    assert landed.status_code == 200
    assert page_language(landed) == target


@pytest.mark.parametrize(("source", "target"), [("en", "es"), ("es", "zh-hans"), ("zh-hans", "en")])
def test_switcher_keeps_the_shopper_on_their_secret_order_page(client, order_page, source, target):
    response = switch(client, with_language_prefix(order_page, source), target)
    assert response["Location"] == with_language_prefix(order_page, target)
    landed = client.get(response["Location"])
    assert landed.status_code == 200 and page_language(landed) == target


def test_switcher_is_on_every_page_including_errors(client):
    for path in ("/shop/us/", "/es/cart/", "/zh-hans/countries/", "/es/no-such-page/"):
        assert NEXT_INPUT.search(client.get(path).content.decode()), path
    not_found = client.get("/es/no-such-page/")
    assert not_found.status_code == 404 and page_language(not_found) == "es"
    assert "No encontramos esa página" in not_found.content.decode()


def test_switcher_shows_each_language_in_its_own_name(client):
    page = client.get("/es/shop/us/").content.decode()
    for name in ("English", "Español", "简体中文"):
        assert f">{name}</option>" in page


# -- the first guess --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("es-ES,es;q=0.9,en;q=0.8", "/es/"),
        ("es-419", "/es/"),
        ("zh-CN,zh;q=0.9", "/zh-hans/"),
        ("zh", "/zh-hans/"),
        ("en-US,en;q=0.9", None),
        ("de-DE,de;q=0.9", None),
        ("", None),
    ],
)
def test_first_visit_guesses_the_language_from_accept_language(client, accept_language, expected):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept_language)
    assert response.status_code == 302
    if expected is None:
        assert not response["Location"].startswith(("/es/", "/zh-hans/"))
    else:
        assert response["Location"] == expected
        assert "Accept-Language" in response["Vary"] and "Cookie" in response["Vary"]


def test_first_visit_in_spanish_lands_on_the_spanish_homepage_of_the_guessed_country(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9", follow=True)
    assert response.redirect_chain[-1][0] == "/es/shop/es/"
    assert page_language(response) == "es"


def test_deep_link_keeps_its_page_and_query_when_guessed(client):
    response = client.get("/shop/us/brands/", {"q": "ama"}, HTTP_ACCEPT_LANGUAGE="es")
    assert response["Location"] == "/es/shop/us/brands/?q=ama"


def test_chosen_language_wins_over_the_browser_header(client):
    switch(client, "/es/shop/us/", "en")
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9")
    assert response["Location"] == "/shop/es/"  # Spain, guessed from the region, in English
    assert page_language(client.get("/shop/us/", HTTP_ACCEPT_LANGUAGE="es")) == "en"


def test_chosen_language_is_remembered_for_english_links(client):
    switch(client, "/shop/us/", "zh-hans")
    response = client.get("/cart/", HTTP_ACCEPT_LANGUAGE="en-US")
    assert response["Location"] == "/zh-hans/cart/"


def test_a_language_in_the_url_is_never_overridden(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.get("/es/shop/us/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and page_language(response) == "es"


@pytest.mark.parametrize(
    "path", ["/healthz", "/admin/login/", "/sandbox/logos/amazon-com_300x190.jpg", "/i18n/setlang/"]
)
def test_operational_paths_are_never_redirected_to_a_language(client, path):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9")
    assert not response.get("Location", "").startswith(("/es/", "/zh-hans/"))


def test_order_api_is_never_redirected_to_a_language(client, order_page):
    token = order_page.split("/")[2]
    response = client.get(f"/api/orders/{token}/subscribe", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code != 302


def test_htmx_and_form_posts_are_answered_in_the_url_language(client):
    fragment = client.get("/shop/us/brands/", {"q": "ama"}, HTTP_ACCEPT_LANGUAGE="es", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    posted = client.post("/countries/", {"country": "MX"}, HTTP_ACCEPT_LANGUAGE="es")
    assert posted["Location"].startswith("/shop/mx/")


def test_switcher_works_from_the_no_referrer_order_page_with_csrf_checks(order_page):
    # The order page sends no referrer, so browsers post its forms with `Origin: null`.
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(f"/es{order_page}").content.decode()
    next_url = html.unescape(NEXT_INPUT.search(page).group(1))
    response = browser.post(
        reverse("set_language"), {"language": "zh-hans", "next": next_url}, headers={"Origin": "null"}
    )
    assert response.status_code == 302 and response["Location"] == f"/zh-hans{order_page}"
