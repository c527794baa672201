"""Brands the supplier has paused, learned from its validation answers, so the next shopper is told first.

The upstream's catalog does not mark a paused brand: it only answers NOT_ACTIVE when an order
for it is validated. The shop remembers that answer for a while in the shared cache, so every
process shows the brand as paused on its page instead of letting shoppers find out at checkout.
"""

from __future__ import annotations

from django.core.cache import cache

from storefront.page_inputs import forget_checks, note_read
from storefront.upstream.schemas import family_slug

PAUSE_REMEMBERED_SECONDS = 3600


def _key(country_code: str, brand_name: str) -> str:
    return f"catalog:paused:{country_code.upper()}:{family_slug(brand_name)}"


def remember_paused_brand(*, country_code: str, brand_name: str) -> None:
    """Note that the supplier refused `brand_name` in a country as not active."""
    cache.set(_key(country_code, brand_name), 1, timeout=PAUSE_REMEMBERED_SECONDS)
    forget_checks()  # this process's kept pages show the pause at once


def is_brand_paused(*, country_code: str, brand_name: str) -> bool:
    """Return whether the supplier refused this brand as not active within the last hour."""
    key = _key(country_code, brand_name)
    paused = cache.get(key)
    note_read(key, paused)  # a product page kept from this render shows the pause as it was read
    return bool(paused)
