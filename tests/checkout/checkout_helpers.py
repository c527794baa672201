"""Checkout test helpers: products of the sandbox, adding through /cart/add/, a filled checkout form."""

from __future__ import annotations

import re
import uuid

from django.urls import reverse

from storefront.upstream import schemas
from storefront.upstream.client import EndUser
from storefront.upstream.factory import get_client, get_sandbox_app

LOOKUP_USER = EndUser(ip="203.0.113.9", user_agent="test lookup", country_code="US")


def sandbox_product(family: str, label: str | None = None, *, brand: str = "", country: str = "US") -> dict:
    """Return what a product page's pick form posts for a sandbox product.

    `family` is the display name the brands answer gives ("Amazon.com"); `label` what the shopper
    reads on the tile ("$10", "1 GB 3 days"), or None for the family's custom-amount product.
    """
    families = get_client().products(
        country_code=country, family_name=family, coin="USDC", lang="en", end_user=LOOKUP_USER
    )
    for found in families:
        for product in found.products if not brand or found.brand == brand else []:
            if (label is None and product.is_range) or (label is not None and product.label == label):
                slug = schemas.family_slug(family)
                return {"country": country, "family": slug, "product": product.product_id}
    raise LookupError(f"no {family} {brand} {label} in the sandbox's {country} catalog")


# The products the checkout tests buy (a function each: the sandbox is fresh in every test).
def steam_10() -> dict:
    return sandbox_product("Steam", "$10")


def amazon_range() -> dict:
    return sandbox_product("Amazon.com")


def att_15() -> dict:
    return sandbox_product("AT&T", "$15")


def esim_1gb() -> dict:
    return sandbox_product("eSIM", "1 GB 3 days")


def lycamobile_by_email() -> dict:
    """The Lycamobile Bundle plan that is delivered by email although the family tops up phones."""
    return sandbox_product("Lycamobile", "$50", brand="Lycamobile Bundle")


def add(client, product: dict, *, quantity: int = 1, value: str = "", referer: str = ""):
    """Post the product page's pick form with "Add to cart" (from the product page `referer`)."""
    data = {**product, "quantity": quantity, "amount": value, "coin": "", "add": "1"}
    headers = {"HTTP_REFERER": referer} if referer else {}
    return client.post(reverse("checkout:cart_add"), data, **headers)


def cart_line_ids(client) -> list[str]:
    return [line["id"] for line in client.session.get("cart", [])]


def checkout_data(client, **overrides) -> dict:
    """Return a valid checkout POST for the session's cart (top-ups get a US phone)."""
    page = client.get(reverse("checkout:checkout")).content.decode()
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "email": "buyer@example.com",
        "payment": "USDC|Solana",
        "full_name": "",
        "promo_code": "",
    }
    for match in re.finditer(r'<input[^>]*name="(beneficiary_[0-9a-f]+)"[^>]*>', page):
        tag = match.group(0)
        data[match.group(1)] = "(415) 555-2671" if 'type="text"' in tag else ""
    data.update(overrides)
    return data


def upstream_posts(path: str) -> int:
    """Count the POSTs the sandbox upstream received on `path`."""
    return sum(1 for method, p, _headers in get_sandbox_app().request_log if method == "POST" and p == path)
