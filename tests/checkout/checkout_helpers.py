"""Checkout test helpers: products of the sandbox, adding through /cart/add/, a filled checkout form."""

from __future__ import annotations

import re
import uuid

from django.urls import reverse
from sandbox_products import AMAZON_25, APPLE_RANGE, ATT_15, ESIM_1GB  # noqa: F401 (re-exported)

from storefront.upstream.factory import get_sandbox_app


def add(client, product: dict, *, quantity: int = 1, value: str = "", referer: str = ""):
    """Post the catalog's add-to-cart form (from the product page `referer`)."""
    data = {**product, "quantity": quantity, "product_value": value}
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
