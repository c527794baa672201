"""Reads of the upstream catalog, cached with soft and hard expiry (storefront.upstream.cache)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.text import slugify

from storefront.upstream import schemas
from storefront.upstream.cache import cached_upstream_read
from storefront.upstream.client import EndUser
from storefront.upstream.factory import get_client

from .countries import fold


def get_payment_vias(*, end_user: EndUser) -> list[schemas.PaymentVia]:
    """Return the coins and networks the upstream accepts."""
    return cached_upstream_read("payment_vias", lambda: get_client().payment_vias(end_user=end_user))


def get_brand_catalog(*, country_code: str, end_user: EndUser) -> schemas.BrandCatalog:
    """Return the brand catalog of a country."""
    cc = country_code.upper()
    return cached_upstream_read(
        f"brands:{cc}", lambda: get_client().brands(country_code=cc, end_user=end_user)
    )


def get_homepage(*, country_code: str, end_user: EndUser) -> schemas.Homepage:
    """Return the homepage feed of a country."""
    cc = country_code.upper()
    return cached_upstream_read(
        f"homepage:{cc}", lambda: get_client().homepage(country_code=cc, end_user=end_user)
    )


def get_products(
    *, country_code: str, family: str, coin: str, lang: str, end_user: EndUser
) -> list[schemas.Product]:
    """Return the products of a brand family in a country, priced in `coin`, localized for `lang`."""
    cc, family = country_code.upper(), family.lower()
    return cached_upstream_read(
        f"products:{cc}:{family}:{coin}:{lang}",
        lambda: get_client().products(
            country_code=cc, family_name=family, coin=coin, lang=lang, end_user=end_user
        ),
    )


def find_product(
    *, country_code: str, family: str, product_id: str, coin: str, lang: str, end_user: EndUser
) -> schemas.Product | None:
    """Return one product of a brand by its id, or None."""
    products = get_products(country_code=country_code, family=family, coin=coin, lang=lang, end_user=end_user)
    return next((p for p in products if p.product_id == product_id), None)


# -- what the catalog pages read -------------------------------------------------------------------

KIND_ORDER = ("giftcard", "mobile_recharge", "esim")
QUOTE_SOFT_SECONDS = 60
QUOTE_HARD_SECONDS = 300


@dataclass(frozen=True)
class BrandIndex:
    """A country's brands flattened for browsing, with what search and filters need precomputed."""

    country_code: str
    brands: tuple[schemas.Brand, ...]
    search_keys: tuple[str, ...]
    categories: tuple[str, ...]
    kinds: tuple[str, ...]
    by_family: dict[str, schemas.Brand] = field(default_factory=dict, compare=False, repr=False)
    # Filter results of this index, kept by catalog.browse: the index lives as long as its cache entry.
    matches: dict = field(default_factory=dict, compare=False, repr=False)

    def find(self, family: str) -> schemas.Brand | None:
        """Return the brand of a family, or None if this country does not sell it."""
        return self.by_family.get(family.lower())


def build_brand_index(catalog: schemas.BrandCatalog) -> BrandIndex:
    """Flatten a brand catalog into a BrandIndex, each brand once, in the upstream's order."""
    seen: set[str] = set()
    brands: list[schemas.Brand] = []
    categories: list[str] = []
    for category in catalog.categories:
        if category.brands and category.name not in categories:
            categories.append(category.name)
        for brand in category.brands:
            if brand.family not in seen:
                seen.add(brand.family)
                brands.append(brand)
    present = {b.kind for b in brands}
    kinds = tuple(k for k in KIND_ORDER if k in present) + tuple(sorted(present - set(KIND_ORDER)))
    return BrandIndex(
        country_code=catalog.country_code.upper(),
        brands=tuple(brands),
        search_keys=tuple(fold(f"{b.brand} {b.family} {b.category or ''}") for b in brands),
        categories=tuple(categories),
        kinds=kinds,
        by_family={b.family: b for b in brands},
    )


def get_brand_index(*, country_code: str, end_user: EndUser) -> BrandIndex:
    """Return the browsable brand index of a country, built once per upstream fetch."""
    cc = country_code.upper()
    return cached_upstream_read(
        f"brand_index:{cc}",
        lambda: build_brand_index(get_client().brands(country_code=cc, end_user=end_user)),
    )


def get_price(
    *, country_code: str, brand_name: str, face_value: Decimal, coin: str, end_user: EndUser
) -> schemas.Price:
    """Return the upstream's exact coin amount for a face value (cached briefly: prices move)."""
    cc = country_code.upper()
    value = format(face_value.normalize(), "f")
    return cached_upstream_read(
        f"price:{cc}:{slugify(brand_name)}:{value}:{coin}",
        lambda: get_client().price(
            brand_name=brand_name, country_code=cc, face_value=face_value, coin=coin, end_user=end_user
        ),
        soft_seconds=QUOTE_SOFT_SECONDS,
        hard_seconds=QUOTE_HARD_SECONDS,
    )
