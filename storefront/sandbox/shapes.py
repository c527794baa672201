"""JSON shapes of brands, product families, products and prices, as the live API sends them.

API-NOTES' section "What the live API really answers" and tests/contract/fixtures/ are the
specification; tests/contract/test_sandbox_matches_live.py compares these shapes with the fixtures.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from . import localization, pricing
from .catalog import Brand, Product
from .catalog_data import CATEGORY_KINDS, COUNTRY_NAMES
from .logos import colour_of

PRODUCT_TYPE = "physical"  # what the live API says for every brand, eSIMs included
DEFAULT_NETWORK = "Solana"  # products and prices are quoted for the default network's method
POINTS_PER_USD = Decimal("0.88")


def plain(value: Decimal | None) -> str | None:
    """Return a Decimal as a plain string ("25", "4.50"), None as None."""
    return None if value is None else format(value, "f")


def cents(value: Decimal) -> str:
    """Return an amount with two decimals ("10.00"), as face values come live."""
    return format(value.quantize(pricing.CENT), "f")


def points(usd: Decimal) -> str:
    """Return the loyalty points of a purchase worth ``usd``, a string as live."""
    return str(int((usd * POINTS_PER_USD).to_integral_value(rounding=ROUND_DOWN)))


def _logo_base(brand: Brand, logo_base_url: str) -> str:
    return f"{logo_base_url.rstrip('/')}/{brand.slug}"


def _bounds(brand: Brand) -> tuple[str, str]:
    """Return the brand's min and max as display labels ("$5", "1 GB 3 days")."""
    cheapest = min(brand.products, key=lambda p: p.value_range.low if p.value_range else p.face_value)
    dearest = max(brand.products, key=lambda p: p.value_range.high if p.value_range else p.face_value)
    if brand.is_esim:
        return _label(brand, cheapest, "en"), _label(brand, dearest, "en")
    return localization.money(brand.low, brand.currency, "en"), localization.money(
        brand.high, brand.currency, "en"
    )


def brand_json(brand: Brand, logo_base_url: str) -> dict:
    """Return the Brand shape."""
    base = _logo_base(brand, logo_base_url)
    low, high = _bounds(brand)
    return {
        "family": brand.family,
        "brand_id": brand.brand_id,
        "brand": brand.name,
        "logo_url": f"{base}.webp",
        "logo_base_url": base,
        "bg_color": colour_of(brand.slug),
        "min": low,
        "max": high,
        "category": brand.category,
        "is_out_of_stock": brand.out_of_stock,
        "country_code": brand.country_code,
        "additional_categories": list(brand.additional_categories),
        "kind": brand.kind,
        "product_type": PRODUCT_TYPE,
        "brand_tags": [],
    }


def catalog_json(country_code: str, brands: list[Brand], logo_base_url: str) -> dict:
    """Return the brands answer: categories (a brand in each of its categories), every brand once."""
    categories = []
    for slug, kind in CATEGORY_KINDS.items():
        listed = [b for b in brands if slug in b.categories]
        if listed:
            categories.append(
                {
                    "kind": kind,
                    "category": slug,
                    "brands": [brand_json(b, logo_base_url) for b in listed],
                    "popular_brands": [brand_json(b, logo_base_url) for b in listed if "popular" in b.flags],
                }
            )
    return {
        "last_user_purchases": [],
        "suggestions": [],
        "country_code": country_code,
        "categories": categories,
        "all_brands": [brand_json(b, logo_base_url) for b in brands],
        "popular_brands": [brand_json(b, logo_base_url) for b in brands if "popular" in b.flags],
    }


def _label(brand: Brand, product: Product, lang: str) -> str:
    """Return the localized denomination of a fixed product or eSIM plan."""
    if product.esim_plan:
        return localization.esim_plan(*product.esim_plan, lang)
    return localization.money(product.face_value, brand.currency, lang)


def product_coin_amount(brand: Brand, value: Decimal | None, coin: str) -> Decimal | None:
    """Return the coin amount for a face value of this brand (None without a value)."""
    if value is None:
        return None
    return pricing.coin_amount(pricing.to_usd(value, brand.currency), coin)


def range_json(product: Product, currency: str) -> dict:
    """Return the range object of a range product: numbers, with `default` a string, as live."""
    r = product.value_range
    return {
        "min": float(r.low),
        "max": float(r.high),
        "currency": currency,
        "step_size": float(r.step),
        "default": str(float(r.high)),
    }


def product_json(brand: Brand, product: Product, coin: str, lang: str) -> dict:
    """Return the Product shape: fixed products carry a denomination and coin amount, ranges do not."""
    doc: dict = {"product_id": product.product_id, "is_dynamic": product.is_dynamic}
    if product.value_range is None:
        doc.update(
            denomination=product.denomination,
            localized_denomination=_label(brand, product, lang),
            coin=coin,
            coin_amount=plain(product_coin_amount(brand, product.face_value, coin)),
        )
        amount: dict = {"type": "fixed", "price": cents(product.face_value)}
        usd = pricing.to_usd(product.face_value, brand.currency)
    else:
        doc.update(range=range_json(product, brand.currency), coin=coin)
        amount = {
            "type": "range",
            "min": cents(product.value_range.low),
            "max": cents(product.value_range.high),
        }
        usd = pricing.to_usd(product.value_range.low, brand.currency)
    doc.update(
        payment_method=pricing.payment_method(coin, DEFAULT_NETWORK),
        delivery_type=product.delivery_type,
        points=points(usd),
        product_type=PRODUCT_TYPE,
        face_value={"currency_code": brand.currency, "amount": amount},
    )
    if product.out_of_stock or "oos" in brand.flags:
        # Live products come without the key (only their family says it); the sandbox marks its
        # out-of-stock product so the shop can show it (the client model reads it).
        doc["is_out_of_stock"] = True
    return doc


def _default_denomination(brand: Brand) -> str:
    fixed = [p for p in brand.products if p.value_range is None and not p.out_of_stock]
    return fixed[0].denomination if fixed else ""


def family_json(brand: Brand, coin: str, lang: str, logo_base_url: str) -> dict:
    """Return one brand of a family with its products and HTML texts (the products answer holds these)."""
    lang = localization.pick_lang(lang)
    base = _logo_base(brand, logo_base_url)
    country = localization.country_name(COUNTRY_NAMES[brand.country_code], lang)
    kind = brand.texts_kind
    return {
        "country_code": brand.country_code,
        "category": brand.category,
        "additional_categories": list(brand.additional_categories),
        "kind": brand.kind,
        "default_denomination": _default_denomination(brand),
        "family": brand.family,
        "brand_id": brand.brand_id,
        "brand": brand.name,
        "is_out_of_stock": brand.out_of_stock,
        "logo_url": f"{base}.webp",
        "logo_base_url": base,
        "bg_color": colour_of(brand.slug),
        "product_tc": localization.terms(kind, brand.name, lang),
        "rich_description": {
            "description": localization.description_html(kind, brand.name, country, lang),
            "how_to_redeem": localization.instructions_html(kind, brand.name, lang),
            "term_and_conditions": f"<p>{localization.terms(kind, brand.name, lang)}</p>",
            "note": localization.note_html(lang),
            "brand_url": f"https://{brand.slug}.sandbox.test",
        },
        "redeem_method": [],
        "products": [product_json(brand, p, coin, lang) for p in brand.products],
    }


def price_json(brand: Brand, product: Product, value: Decimal, coin: str) -> dict:
    """Return the Price shape for face ``value`` (`range` only for a range product)."""
    amount = product_coin_amount(brand, value, coin)
    doc: dict = {"product_id": product.product_id, "is_dynamic": product.is_dynamic}
    if product.value_range is not None:
        doc["range"] = range_json(product, brand.currency)
    doc.update(
        coin_amount=plain(amount),
        coin=coin,
        original_coin_amount=plain(amount),
        payment_method=pricing.payment_method(coin, DEFAULT_NETWORK),
        delivery_type=product.delivery_type,
        points=points(pricing.to_usd(value, brand.currency)),
        product_type=PRODUCT_TYPE,
    )
    return doc
