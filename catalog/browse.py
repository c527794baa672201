"""Search, filter and paginate a country's brands."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator

from storefront.upstream import schemas

from .countries import fold
from .selectors import BrandIndex

PAGE_SIZE = 24
REMEMBERED_FILTERS = 256


@dataclass(frozen=True)
class BrandFilters:
    """What the shopper narrowed the catalog to."""

    query: str = ""
    kind: str = ""
    category: str = ""

    @property
    def active(self) -> bool:
        """Return whether any filter is set."""
        return bool(self.query or self.kind or self.category)


def filter_brands(*, index: BrandIndex, filters: BrandFilters) -> list[schemas.Brand]:
    """Return the brands of the index that match every filter, in catalog order.

    Results are kept on the index, so a repeated search costs a lookup, not a scan of the catalog.
    """
    found = index.matches.get(filters)
    if found is None:
        if len(index.matches) >= REMEMBERED_FILTERS:
            index.matches.clear()
        found = index.matches[filters] = _scan(index=index, filters=filters)
    return found


def _scan(*, index: BrandIndex, filters: BrandFilters) -> list[schemas.Brand]:
    words = fold(filters.query).split()
    return [
        brand
        for brand, key, categories in zip(
            index.brands, index.search_keys, index.brand_categories, strict=True
        )
        if (not filters.kind or brand.shop_kind == filters.kind)
        and (not filters.category or filters.category in categories)
        and all(word in key for word in words)
    ]


def paginate_brands(*, brands: list[schemas.Brand], page_number: str | int | None) -> Page:
    """Return one page of brands; a bad or too-large page number gives the nearest real page."""
    return Paginator(brands, PAGE_SIZE).get_page(page_number)
