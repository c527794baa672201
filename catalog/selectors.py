"""Reads of the upstream catalog, cached with soft and hard expiry (storefront.upstream.cache)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal

from storefront.numbers import plain_number
from storefront.upstream import schemas
from storefront.upstream.cache import cached_upstream_read
from storefront.upstream.client import EndUser
from storefront.upstream.factory import get_client

from .countries import fold

logger = logging.getLogger(__name__)


def get_payment_vias(*, end_user: EndUser) -> list[schemas.PaymentVia]:
    """Return the coins and networks the upstream accepts."""
    return cached_upstream_read("payment_vias", lambda: get_client().payment_vias(end_user=end_user))


def get_homepage(*, country_code: str, end_user: EndUser) -> schemas.Homepage:
    """Return the homepage feed of a country."""
    cc = country_code.upper()
    return cached_upstream_read(
        f"homepage:{cc}", lambda: get_client().homepage(country_code=cc, end_user=end_user)
    )


def get_products(
    *, country_code: str, family: str, coin: str, lang: str, end_user: EndUser
) -> list[schemas.ProductFamily]:
    """Return the brands of a family with their products, priced in `coin`, localized for `lang`.

    `family` is the exact display name the brands answer gives ("Amazon.com"): the upstream looks
    families up by it. The cache key uses its slug, which names the same family.
    """
    cc = country_code.upper()
    return cached_upstream_read(
        f"products:{cc}:{schemas.family_slug(family)}:{coin}:{lang}",
        lambda: get_client().products(
            country_code=cc, family_name=family, coin=coin, lang=lang, end_user=end_user
        ),
    )


def find_product(
    *, country_code: str, family: str, product_id: str, coin: str, lang: str, end_user: EndUser
) -> schemas.Product | None:
    """Return one product of a family (of any of its brands) by its id, or None."""
    families = get_products(country_code=country_code, family=family, coin=coin, lang=lang, end_user=end_user)
    return next((p for p in schemas.family_products(families) if p.product_id == product_id), None)


# -- what the catalog pages read -------------------------------------------------------------------

KIND_ORDER = ("giftcard", "mobile_recharge", "esim")
# The price cache policy, for the product page and the cart alike: prices move, so briefly.
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
    # Per brand (same order as `brands`): every category it is listed in.
    brand_categories: tuple[frozenset[str], ...] = ()
    popular: tuple[schemas.Brand, ...] = ()
    # Family slug -> the family's brands ("lycamobile" -> Lycamobile Credits, Lycamobile Bundle).
    by_slug: dict[str, tuple[schemas.Brand, ...]] = field(default_factory=dict, compare=False, repr=False)
    # Filter results of this index, kept by catalog.browse: the index lives as long as its cache entry.
    matches: dict = field(default_factory=dict, compare=False, repr=False)

    def find(self, family: str) -> schemas.Brand | None:
        """Return the first brand of a family, by its slug or its display name, or None if not sold here."""
        brands = self.family_brands(family)
        return brands[0] if brands else None

    def family_brands(self, family: str) -> tuple[schemas.Brand, ...]:
        """Return every brand of a family, by its slug ("amazon-com") or display name ("Amazon.com")."""
        return self.by_slug.get(schemas.family_slug(family), ())

    def in_category(self, category: str) -> list[schemas.Brand]:
        """Return the brands listed in a category, in catalog order."""
        return [b for b, cats in zip(self.brands, self.brand_categories, strict=True) if category in cats]


def build_brand_index(catalog: schemas.BrandCatalog) -> BrandIndex:
    """Flatten a brand catalog into a BrandIndex, each brand once, in the upstream's order."""
    listed_in: dict[str, set[str]] = {}
    categories: list[str] = []
    for category in catalog.categories:
        if category.brands and category.category not in categories:
            categories.append(category.category)
        for brand in category.brands:
            listed_in.setdefault(schemas._brand_key(brand), set()).add(category.category)
    brands: list[schemas.Brand] = []
    by_slug: dict[str, list[schemas.Brand]] = {}
    for brand in catalog.unique_brands():
        if not brand.slug:
            logger.warning("upstream brand %s left out: family %r makes no URL", brand.brand, brand.family)
            continue
        brands.append(brand)
        by_slug.setdefault(brand.slug, []).append(brand)
    present = {b.shop_kind for b in brands}
    kinds = tuple(k for k in KIND_ORDER if k in present) + tuple(sorted(present - set(KIND_ORDER)))
    known = {schemas._brand_key(b) for b in brands}
    return BrandIndex(
        country_code=(catalog.country_code or "").upper(),
        brands=tuple(brands),
        search_keys=tuple(fold(f"{b.brand} {b.family} {' '.join(b.categories)}") for b in brands),
        categories=tuple(categories),
        kinds=kinds,
        brand_categories=tuple(
            frozenset(listed_in.get(schemas._brand_key(b), set()) | set(b.categories)) for b in brands
        ),
        popular=tuple(b for b in catalog.popular_brands if schemas._brand_key(b) in known),
        by_slug={slug: tuple(found) for slug, found in by_slug.items()},
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
    value = plain_number(face_value)
    return cached_upstream_read(
        f"price:{cc}:{schemas.family_slug(brand_name)}:{value}:{coin}",
        lambda: get_client().price(
            brand_name=brand_name, country_code=cc, face_value=face_value, coin=coin, end_user=end_user
        ),
        soft_seconds=QUOTE_SOFT_SECONDS,
        hard_seconds=QUOTE_HARD_SECONDS,
    )
