"""Template helpers of the catalog: brand logos, amounts, and kind and category names."""

from __future__ import annotations

import re
from decimal import Decimal

from django import template
from django.utils import formats

from storefront.upstream import schemas

from .. import labels
from ..forms import plain

register = template.Library()
LOGO_SUFFIXES = (".webp", ".jpg")


def logo_base(brand: schemas.Brand) -> str:
    """Return the URL the logo variants are built on, from `logo_base_url` or `logo_url`."""
    if brand.logo_base_url:
        return brand.logo_base_url
    url = brand.logo_url or ""
    for suffix in LOGO_SUFFIXES:
        if url.endswith(suffix):
            return url[: -len(suffix)]
    return ""


def initials(name: str) -> str:
    """Return up to two initials of a brand name for the placeholder: "Everything Apple" -> "EA"."""
    words = [w for w in re.split(r"[^\w]+", name) if w]
    if len(words) == 1:
        return words[0][:2].upper()
    return "".join(w[0] for w in words[:2]).upper()


@register.inclusion_tag("catalog/includes/logo.html")
def brand_logo(brand: schemas.Brand, *, eager: bool = False, sizes: str = "") -> dict:
    """Render a brand logo as <picture>: webp variants, a jpg fallback and an initials placeholder."""
    return {
        "base": logo_base(brand),
        "name": brand.brand,
        "initials": initials(brand.brand),
        "eager": eager,
        "sizes": sizes or "(max-width: 640px) 45vw, 250px",
    }


@register.filter
def amount(value: Decimal | str | None) -> str:
    """Show an amount with the upstream's digits ("25", "4.50") in the language's notation ("4,50")."""
    if value in (None, ""):
        return ""
    # number_format keeps every digit of a Decimal and never uses exponent notation.
    return formats.number_format(Decimal(str(value)))


@register.filter
def bound(value: Decimal | None) -> str:
    """Show a range bound without the zeros of a float ("5.0" -> "5"), in the language's notation."""
    if value is None:
        return ""
    return amount(plain(Decimal(str(value))))


@register.filter
def kind_label(kind: str) -> str:
    """Return the shopper-facing name of a kind of product."""
    return labels.kind_label(kind)


@register.filter
def category_label(slug: str) -> str:
    """Return the readable name of an upstream category slug."""
    return labels.category_label(slug or "")
