"""Kept catalog pages (storefront.page_cache): a fresh render's bytes, and never another visitor's."""

from __future__ import annotations

import re
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client

from catalog.pauses import remember_paused_brand
from storefront import page_cache
from storefront.upstream import errors
from storefront.upstream.factory import get_client

pytestmark = pytest.mark.django_db

PAGES = ["/shop/us/", "/shop/us/brands/", "/shop/us/brands/?q=am&kind=giftcard",
         "/shop/us/brands/amazon-com/", "/es/shop/us/", "/zh-hans/shop/us/brands/"]
TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")([A-Za-z0-9]+)')


def without_tokens(html: str) -> str:
    return TOKEN.sub(r"\1<token>", html)


def tokens(html: str) -> set[str]:
    return {match.group(2) for match in TOKEN.finditer(html)}


def fresh_render(client: Client, path: str, monkeypatch, **headers) -> str:
    """Return the page as the view renders it with nothing kept."""
    with monkeypatch.context() as patch:
        patch.setattr(page_cache, "visitor_key", lambda request, view_name: None)
        return client.get(path, **headers).content.decode()


def with_session(client: Client, data: dict) -> None:
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store.update(data)
    store.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key


def cart_of(quantity: int) -> dict:
    line = {"id": "line1", "cc": "US", "fam": "Amazon.com", "pid": "p1", "den": "10 USD", "val": None,
            "qty": quantity}
    return {"cart": [line]}


@pytest.mark.parametrize("path", PAGES)
def test_a_kept_page_is_the_fresh_render_but_for_the_visitors_csrf_token(client, monkeypatch, path):
    first = client.get(path)
    kept = Client().get(path)
    assert first.status_code == kept.status_code == 200
    assert len(page_cache._pages) == 1
    assert without_tokens(kept.content.decode()) == without_tokens(fresh_render(Client(), path, monkeypatch))
    assert page_cache.CSRF_PLACEHOLDER not in kept.content.decode()
    assert kept["Vary"] == first["Vary"] and kept["Content-Type"] == first["Content-Type"]


def test_the_htmx_answer_and_the_whole_page_are_kept_apart(client, monkeypatch):
    path = "/shop/us/brands/amazon-com/"
    whole = client.get(path).content.decode()
    partial = client.get(path, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" in whole and "<html" not in partial
    assert client.get(path, HTTP_HX_REQUEST="true").content.decode() == partial
    assert partial == fresh_render(client, path, monkeypatch, HTTP_HX_REQUEST="true")


def test_each_visitor_gets_a_token_for_their_own_csrf_cookie(client):
    client.get("/shop/us/")
    for visitor in (Client(), Client()):
        response = visitor.get("/shop/us/")
        secret = response.cookies[settings.CSRF_COOKIE_NAME].value
        (token,) = tokens(response.content.decode())
        assert _unmask_cipher_token(token) == secret


def test_a_form_posted_with_the_token_of_a_kept_page_is_accepted():
    Client().get("/shop/us/")
    visitor = Client(enforce_csrf_checks=True)
    (token,) = tokens(visitor.get("/shop/us/").content.decode())
    form = {"language": "es", "next": "/shop/us/", "csrfmiddlewaretoken": token}
    response = visitor.post("/i18n/setlang/", form)
    assert response.status_code == 302


def test_one_visitors_cart_is_never_shown_to_another(client):
    shopper = Client()
    with_session(shopper, cart_of(2))
    assert "data-cart-count>2<" in shopper.get("/shop/us/").content.decode()
    assert "data-cart-count" not in client.get("/shop/us/").content.decode()
    other = Client()
    with_session(other, cart_of(3))
    assert "data-cart-count>3<" in other.get("/shop/us/").content.decode()
    assert "data-cart-count>2<" in shopper.get("/shop/us/").content.decode()


def test_a_page_with_flash_messages_is_rendered_for_the_visitor_and_not_kept(client):
    client.cookies["messages"] = "x"  # a message waiting in the cookie storage
    client.get("/shop/us/")
    assert len(page_cache._pages) == 0


def test_a_signed_in_staff_members_page_is_not_kept(client):
    staff = get_user_model().objects.create_user("staffer", password="x", is_staff=True)
    client.force_login(staff)
    client.get("/shop/us/")
    assert len(page_cache._pages) == 0


def test_a_coin_chosen_in_the_url_is_kept_in_the_session_every_time(client):
    path = "/shop/us/brands/amazon-com/?coin=USDT"
    for visitor in (Client(), Client()):
        response = visitor.get(path)
        assert settings.SESSION_COOKIE_NAME in response.cookies
    assert len(page_cache._pages) == 0


def test_a_brand_paused_after_its_page_was_kept_shows_paused_at_once(client):
    path = "/shop/us/brands/amazon-com/"
    assert 'id="paused-notice"' not in client.get(path).content.decode()
    remember_paused_brand(country_code="US", brand_name="Amazon.com")
    assert 'id="paused-notice"' in client.get(path).content.decode()


def test_a_home_page_built_without_the_upstreams_feed_is_not_kept(client, monkeypatch):
    def refuse(**kwargs):
        raise errors.UpstreamConnectionError("connection refused (test)")

    monkeypatch.setattr(get_client(), "homepage", refuse)
    assert client.get("/shop/us/").status_code == 200  # the catalog's own sections stand in
    assert len(page_cache._pages) == 0
