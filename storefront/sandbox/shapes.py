"""JSON shapes of brands, products and prices."""

from __future__ import annotations

from decimal import Decimal

from . import localization, pricing
from .catalog import Brand, Product
from .catalog_data import CATEGORY_ORDER, COUNTRY_NAMES


def plain(value: Decimal | None) -> str | None:
    """Return a Decimal as a plain string ("25", "4.50"), None as None."""
    return None if value is None else format(value, "f")


def brand_json(brand: Brand, logo_base_url: str) -> dict:
    """Return the Brand shape."""
    base = f"{logo_base_url.rstrip('/')}/{brand.family}"
    return {
        "brand": brand.name,
        "brand_id": brand.brand_id,
        "family": brand.family,
        "category": brand.category,
        "kind": brand.kind,
        "currency": brand.currency,
        "min": plain(brand.low),
        "max": plain(brand.high),
        "is_out_of_stock": brand.out_of_stock,
        "logo_url": f"{base}.webp",
        "logo_base_url": base,
    }


def categories_json(brands: list[Brand], logo_base_url: str) -> list[dict]:
    """Group brands into categories, in the catalog's category order."""
    grouped = [
        {"name": name, "brands": [brand_json(b, logo_base_url) for b in brands if b.category == name]}
        for name in CATEGORY_ORDER
    ]
    return [group for group in grouped if group["brands"]]


def range_json(product: Product, currency: str) -> dict | None:
    """Return the range object of a dynamic product, else None."""
    r = product.value_range
    if r is None:
        return None
    return {"min": plain(r.low), "max": plain(r.high), "currency": currency, "step_size": plain(r.step)}


def _localized_denomination(brand: Brand, product: Product, lang: str) -> str:
    if product.esim_plan:
        return localization.esim_plan(*product.esim_plan, lang)
    if product.value_range:
        return localization.money_range(
            product.value_range.low, product.value_range.high, brand.currency, lang
        )
    return localization.money(product.face_value, brand.currency, lang)


def product_coin_amount(brand: Brand, value: Decimal | None, coin: str) -> Decimal | None:
    """Return the coin amount for a face value of this brand (None without a value)."""
    if value is None:
        return None
    return pricing.coin_amount(pricing.to_usd(value, brand.currency), coin)


def product_json(brand: Brand, product: Product, coin: str, lang: str) -> dict:
    """Return the Product shape, localized for ``lang``."""
    lang = localization.pick_lang(lang)
    plan = _localized_denomination(brand, product, lang) if product.esim_plan else ""
    country = COUNTRY_NAMES[brand.country_code]
    return {
        "product_id": product.product_id,
        "brand_name": brand.name,
        "family": brand.family,
        "kind": brand.kind,
        "country_code": brand.country_code,
        "denomination": product.denomination,
        "localized_denomination": _localized_denomination(brand, product, lang),
        "face_value": plain(product.face_value),
        "currency": brand.currency,
        "coin": coin,
        "coin_amount": plain(product_coin_amount(brand, product.face_value, coin)),
        "is_dynamic": product.is_dynamic,
        "range": range_json(product, brand.currency),
        "delivery_type": delivery_type(brand),
        "is_out_of_stock": product.out_of_stock or "oos" in brand.flags,
        "description": localization.description(brand.kind, brand.name, country, plan, lang),
        "redemption_instructions": localization.instructions(brand.kind, brand.name, lang),
    }


def delivery_type(brand: Brand) -> str:
    """Return how the product reaches the buyer."""
    return "by_phone" if brand.kind == "mobile_recharge" else "by_email"


def price_json(brand: Brand, product: Product, value: Decimal, coin: str) -> dict:
    """Return the Price shape for face ``value``."""
    return {
        "product_id": product.product_id,
        "brand_name": brand.name,
        "country_code": brand.country_code,
        "is_dynamic": product.is_dynamic,
        "range": range_json(product, brand.currency),
        "face_value": plain(value),
        "currency": brand.currency,
        "coin": coin,
        "coin_amount": plain(product_coin_amount(brand, value, coin)),
        "delivery_type": delivery_type(brand),
    }
