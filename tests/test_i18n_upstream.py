"""The upstream hears the shopper's language: `lang` on product reads and in the order body."""

from __future__ import annotations

import re
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from sandbox_products import STEAM_10

from orders.models import Order
from storefront.i18n import upstream_lang
from storefront.upstream.client import CryptorefillsClient
from storefront.upstream.factory import get_sandbox_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_bodies(monkeypatch) -> list[tuple[str, dict]]:
    """Record the order bodies the client sends for validation and creation."""
    sent: list[tuple[str, dict]] = []
    for name in ("validate_order", "create_order"):
        original = getattr(CryptorefillsClient, name)

        def spy(self, *, body, end_user, _original=original, _name=name):
            sent.append((_name, body))
            return _original(self, body=body, end_user=end_user)

        monkeypatch.setattr(CryptorefillsClient, name, spy)
    return sent


def product_langs() -> list[str]:
    """Return the `lang` of every products read the sandbox received."""
    langs = []
    for _method, path, _headers in get_sandbox_app().request_log:
        url = urlsplit(path)
        if url.path.startswith("/v5/products/country/"):
            langs.append(parse_qs(url.query).get("lang", [""])[0])
    return langs


def buy_steam_10(client, prefix: str) -> Order:
    """Buy a $10 Steam card through the shop's pages in the language of `prefix`."""
    assert client.get(f"{prefix}/shop/us/brands/steam/").status_code == 200
    # What the product page's pick form posts with "Add to cart".
    added = client.post(
        f"{prefix}/cart/add/",
        {
            "country": STEAM_10["country"],
            "family": STEAM_10["family"],
            "product": STEAM_10["product_id"],
            "quantity": 1,
            "amount": "",
            "coin": "",
            "add": "1",
        },
    )
    assert added["Location"] == f"{prefix}/cart/"
    page = client.get(f"{prefix}/checkout/").content.decode()
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "email": "comprador@example.com",
        "payment": "USDC|Solana",
        "full_name": "",
        "promo_code": "",
    }
    data.update({name: "" for name in re.findall(r'name="(beneficiary_[0-9a-f]+)"', page)})
    placed = client.post(f"{prefix}/checkout/", data)
    assert placed.status_code == 302, placed.content.decode()[:2000]
    assert placed["Location"].startswith(f"{prefix}/orders/")
    return Order.objects.get()


@pytest.mark.parametrize(
    ("code", "expected"),
    [("en", "en"), ("es", "es"), ("zh-hans", "zh"), ("zh-Hans", "zh"), ("es-mx", "es"), ("fr", "en")],
)
def test_upstream_lang_maps_shop_languages(code, expected):
    assert upstream_lang(code) == expected


@pytest.mark.parametrize(
    ("prefix", "lang", "denomination"),
    [("", "en", "$10"), ("/es", "es", "10 US$"), ("/zh-hans", "zh", "10 美元")],
)
def test_product_page_asks_the_upstream_in_the_page_language(client, prefix, lang, denomination):
    page = client.get(f"{prefix}/shop/us/brands/steam/").content.decode()
    assert product_langs() == [lang]
    assert f'<span class="denom-value">{denomination}</span>' in page


def test_cached_products_are_kept_apart_by_language(client):
    client.get("/es/shop/us/brands/steam/")
    client.get("/zh-hans/shop/us/brands/steam/")
    client.get("/es/shop/us/brands/steam/")
    chinese_again = client.get("/zh-hans/shop/us/brands/steam/").content.decode()
    assert product_langs() == ["es", "zh"]  # one read per language, then the cache
    assert "10 美元" in chinese_again and "10 US$" not in chinese_again


@pytest.mark.parametrize(("prefix", "lang"), [("/es", "es"), ("/zh-hans", "zh"), ("", "en")])
def test_purchase_sends_the_page_language_in_validation_and_order(client, sent_bodies, prefix, lang):
    order = buy_steam_10(client, prefix)
    assert [name for name, _body in sent_bodies] == ["validate_order", "create_order"]
    assert all(body["lang"] == lang for _name, body in sent_bodies)
    assert order.lang == lang
    assert set(product_langs()) == {lang}
