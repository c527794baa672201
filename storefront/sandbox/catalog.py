"""The catalog model built from the tables in catalog_data."""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from . import catalog_data

ESIM_CATEGORY = "e-sim"
BY_EMAIL = "by_email"
BY_PHONE = "by_phone"
# Stable ids: the same brand or product gets the same uuid in every run and process.
ID_NAMESPACE = uuid.UUID("6f1c2a3e-4b5d-4e6f-8a9b-0c1d2e3f4a5b")


def stable_id(*parts: str) -> str:
    """Return a uuid that depends only on ``parts`` (uuid5)."""
    return str(uuid.uuid5(ID_NAMESPACE, "/".join(parts)))


@dataclass(frozen=True)
class ValueRange:
    """An open face value: any multiple of ``step`` from ``low`` to ``high``."""

    low: Decimal
    high: Decimal
    step: Decimal

    def allows(self, value: Decimal) -> bool:
        """Tell whether ``value`` is inside the range and on its step."""
        return self.low <= value <= self.high and (value - self.low) % self.step == 0


@dataclass(frozen=True)
class Product:
    """One buyable denomination (or open range) of a brand in a country."""

    product_id: str
    denomination: str
    face_value: Decimal | None
    value_range: ValueRange | None = None
    esim_plan: tuple[int, int] | None = None
    out_of_stock: bool = False
    delivery_type: str = BY_EMAIL

    @property
    def is_dynamic(self) -> bool:
        """Tell whether the buyer picks the face value."""
        return self.value_range is not None


@dataclass
class Brand:
    """A brand sold in one country."""

    name: str  # the exact brand, as orders name it ("Lycamobile Bundle")
    brand_id: str
    family: str  # the display name products are asked by ("Amazon.com", "Lycamobile")
    category: str  # a slug ("e-commerce", "e-sim")
    additional_categories: tuple[str, ...]
    kind: str  # giftcard | mobile_recharge (eSIMs are mobile_recharge in e-sim)
    country_code: str
    currency: str
    flags: frozenset[str]
    products: list[Product] = field(default_factory=list)

    @property
    def slug(self) -> str:
        """Return the family's logo slug ("Amazon.com" -> "amazon-com")."""
        return slugify(self.family)

    @property
    def is_esim(self) -> bool:
        return self.category == ESIM_CATEGORY

    @property
    def categories(self) -> tuple[str, ...]:
        """Return every category the brand is listed in, its own first."""
        return (self.category, *self.additional_categories)

    @property
    def texts_kind(self) -> str:
        """Return the kind its texts are written for: giftcard, mobile_recharge or esim."""
        return "esim" if self.is_esim else self.kind

    @property
    def low(self) -> Decimal:
        """Return the smallest face value on offer."""
        return min(p.value_range.low if p.value_range else p.face_value for p in self.products)

    @property
    def high(self) -> Decimal:
        """Return the largest face value on offer."""
        return max(p.value_range.high if p.value_range else p.face_value for p in self.products)

    @property
    def out_of_stock(self) -> bool:
        """Tell whether nothing of this brand can be bought now."""
        return "oos" in self.flags or all(p.out_of_stock for p in self.products)

    def find_product(self, denomination: str) -> Product | None:
        """Return the product with that denomination ("25 USD", "range", "1 GB 7 days")."""
        wanted = _normalize(denomination)
        for product in self.products:
            if _normalize(product.denomination) == wanted:
                return product
        return None

    def product_for_value(self, value: Decimal) -> Product | None:
        """Return the product selling face ``value``: a fixed one first, else a range."""
        for product in self.products:
            if product.face_value is not None and product.face_value == value:
                return product
        for product in self.products:
            if product.value_range and product.value_range.allows(value):
                return product
        return None


def _normalize(text: str) -> str:
    return " ".join(str(text).split()).lower()


def slugify(name: str) -> str:
    """Return the family slug of a brand name: "AT&T México" -> "at-t-mexico"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def _plain(value: Decimal) -> str:
    return format(value, "f")


def _build_product(brand: str, country_code: str, currency: str, kind: str, token: str) -> Product:
    out_of_stock = token.endswith("!")
    by_email = token.endswith("@")
    token = token.rstrip("!@")
    # Top-ups reach the phone unless marked; gift cards and eSIMs are emailed.
    delivery_type = BY_PHONE if kind == "mobile_recharge" and not by_email else BY_EMAIL
    if ":" in token:
        plan, price = token.split(":")
        gb, days = (int(part) for part in plan.split("/"))
        denomination = f"{gb} GB {days} days"
        return Product(
            product_id=stable_id(country_code, brand, denomination),
            denomination=denomination,
            face_value=Decimal(price),
            esim_plan=(gb, days),
            out_of_stock=out_of_stock,
            delivery_type=BY_EMAIL,
        )
    if "-" in token:
        bounds, step = token.split("/")
        low, high = bounds.split("-")
        return Product(
            product_id=stable_id(country_code, brand, "range"),
            denomination="range",
            face_value=None,
            value_range=ValueRange(Decimal(low), Decimal(high), Decimal(step)),
            out_of_stock=out_of_stock,
            delivery_type=delivery_type,
        )
    value = Decimal(token)
    denomination = f"{_plain(value)} {currency}"
    return Product(
        product_id=stable_id(country_code, brand, denomination),
        denomination=denomination,
        face_value=value,
        out_of_stock=out_of_stock,
        delivery_type=delivery_type,
    )


class Catalog:
    """All brands of all countries, with lookups."""

    def __init__(self) -> None:
        self.brands: dict[str, list[Brand]] = {}
        # Logo slug -> family display name, for the logo files.
        self.family_names: dict[str, str] = {}
        for country_code, rows in catalog_data.BRANDS.items():
            for name, category, values, flags in rows:
                family = catalog_data.FAMILIES.get(name, name)
                kind = catalog_data.CATEGORY_KINDS[category]
                currency = "USD" if category == ESIM_CATEGORY else catalog_data.COUNTRY_CURRENCY[country_code]
                brand = Brand(
                    name=name,
                    brand_id=stable_id(name),
                    family=family,
                    category=category,
                    additional_categories=catalog_data.ADDITIONAL_CATEGORIES.get(family, ()),
                    kind=kind,
                    country_code=country_code,
                    currency=currency,
                    flags=frozenset(flags.split()),
                )
                self.family_names.setdefault(brand.slug, family)
                brand.products = [
                    _build_product(name, country_code, currency, kind, token) for token in values.split()
                ]
                self.brands.setdefault(country_code, []).append(brand)

    @staticmethod
    def is_country(country_code: str) -> bool:
        """Tell whether the upstream supports this country at all."""
        return country_code in catalog_data.COUNTRY_NAMES

    def country_brands(self, country_code: str) -> list[Brand]:
        """Return the brands of a country (empty for a country without products)."""
        return self.brands.get(country_code, [])

    def find_brand(self, country_code: str, name: str) -> Brand | None:
        """Return the brand of that name in that country, matched case-insensitively."""
        wanted = _normalize(name)
        for brand in self.country_brands(country_code):
            if _normalize(brand.name) == wanted:
                return brand
        return None

    def find_family(self, country_code: str, family: str) -> list[Brand]:
        """Return the brands of the family of that display name in that country (case-insensitive)."""
        wanted = _normalize(family)
        return [b for b in self.country_brands(country_code) if _normalize(b.family) == wanted]


@cache
def get_catalog() -> Catalog:
    """Return the shared catalog, built once."""
    return Catalog()
