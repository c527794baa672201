"""Cookies behind TLS and the page a shopper sees when a form's CSRF check fails (issue 16)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
FLAGS = (
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY", "LANGUAGE_COOKIE_HTTPONLY", "SESSION_COOKIE_HTTPONLY",
)


def settings_under(**env: str) -> dict:
    """Return the cookie flags the settings module gives with this environment."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SECURE")}
    environment.update(env, DJANGO_SETTINGS_MODULE="storefront.settings")
    script = ("import json, django; django.setup(); from django.conf import settings as s; "
              f"print(json.dumps({{f: getattr(s, f) for f in {FLAGS!r}}}))")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=environment,
                            capture_output=True, text=True, timeout=60, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_behind_tls_every_cookie_of_the_shop_is_secure_and_none_is_readable_by_scripts():
    flags = settings_under(SECURE="true")
    assert all(flags.values()), flags
    plain = settings_under(SECURE="false")
    assert not plain["LANGUAGE_COOKIE_SECURE"] and not plain["SESSION_COOKIE_SECURE"]
    assert plain["CSRF_COOKIE_HTTPONLY"], "the token is read from the page, so the cookie stays HttpOnly"


@pytest.mark.django_db
def test_the_country_and_language_cookies_carry_secure_when_the_shop_is_behind_tls(settings):
    settings.SESSION_COOKIE_SECURE = settings.LANGUAGE_COOKIE_SECURE = True
    client = Client()
    response = client.post("/countries/", {"country": "MX"}, secure=True)
    cookie = response.cookies["country"]
    assert cookie.value == "MX" and cookie["secure"] and cookie["httponly"]
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/"}, secure=True)
    cookie = response.cookies["django_language"]
    assert cookie.value == "es" and cookie["secure"] and cookie["httponly"]


@pytest.mark.django_db
def test_the_csrf_token_still_reaches_htmx_through_the_page_with_an_httponly_cookie(settings):
    settings.CSRF_COOKIE_HTTPONLY = True
    client = Client(enforce_csrf_checks=True)
    page = client.get("/cart/")
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page.content.decode()).group(1)
    response = client.post("/cart/", {"action": "coin", "coin": "USDT"}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 302


@pytest.mark.django_db
def test_an_expired_form_gets_the_shops_page_in_the_shoppers_language_with_a_way_back():
    client = Client(enforce_csrf_checks=True)
    client.get("/es/cart/")  # sets the CSRF cookie
    response = client.post("/es/checkout/", {"email": "ana@example.com"},
                           HTTP_REFERER="http://testserver/es/checkout/")
    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert 'name="viewport"' in html and "site-header" in html
    assert "style=" not in html and "<style" not in html
    assert "Este formulario caducó" in html
    assert 'href="http://testserver/es/checkout/" data-history-back' in html
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_browser_refusing_cookies_is_told_so_and_a_foreign_referer_is_not_linked():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/zh-hans/checkout/", {}, HTTP_REFERER="https://evil.example/x")
    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "Cookie" in html
    assert "evil.example" not in html
