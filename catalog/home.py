"""A country's homepage sections: the curated feed, else sections built from the brands answer.

No live shape of /v2/homepage is known, so the feed is read tolerantly and, when it fails or holds
no brand, the page shows the catalog's popular brands and its categories instead of nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.utils.translation import gettext as _

from storefront.upstream import schemas
from storefront.upstream.client import EndUser
from storefront.upstream.errors import UpstreamError

from .labels import category_label
from .selectors import BrandIndex, get_homepage

logger = logging.getLogger(__name__)
BRANDS_PER_CATEGORY = 8


@dataclass(frozen=True)
class HomeSection:
    """One row of brands on the homepage."""

    name: str
    title: str
    brands: tuple[schemas.Brand, ...]


def _feed_title(section: schemas.HomepageSection) -> str:
    if section.name == "popular":
        return _("Popular right now")
    if section.name == "featured":
        return _("Featured")
    return section.title or category_label(section.name or "")


def _from_feed(homepage: schemas.Homepage, index: BrandIndex) -> list[HomeSection]:
    sections = []
    for position, section in enumerate(homepage.sections):
        # A feed brand this country's catalog does not sell would lead to a 404: leave it out.
        brands = tuple(b for b in section.brands if b.slug and index.find(b.slug))
        if brands:
            sections.append(HomeSection(name=section.name or f"section-{position}",
                                        title=_feed_title(section), brands=brands))
    return sections


def _from_catalog(index: BrandIndex) -> list[HomeSection]:
    sections = []
    if index.popular:
        sections.append(HomeSection(name="popular", title=_("Popular right now"), brands=index.popular))
    for category in index.categories:
        brands = tuple(index.in_category(category)[:BRANDS_PER_CATEGORY])
        if brands:
            sections.append(HomeSection(name=category, title=category_label(category), brands=brands))
    return sections


def get_home_sections(*, country_code: str, index: BrandIndex, end_user: EndUser) -> list[HomeSection]:
    """Return the homepage's sections: the feed's when it answers with brands, else the catalog's."""
    try:
        sections = _from_feed(get_homepage(country_code=country_code, end_user=end_user), index)
    except UpstreamError as exc:
        logger.warning("homepage feed of %s unavailable, showing the brands answer: %s", country_code, exc)
        sections = []
    return sections or _from_catalog(index)
