"""Route handlers: each takes the app and the request and returns a Response."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from . import lifecycle, pricing
from .barcodes import barcode_png
from .catalog_data import COUNTRIES
from .http import HttpError, Request, Response, json_response
from .logos import logo
from .orders import new_order
from .shapes import brand_json, catalog_json, family_json, plain, price_json
from .simulate import SimulateAction
from .sse import order_events
from .validation import suspended_coin

if TYPE_CHECKING:
    from .app import SandboxApp

HOMEPAGE_SECTIONS: tuple[tuple[str, str], ...] = (("popular", "Popular"), ("featured", "Featured"))


def _country(app: SandboxApp, request: Request, value: str | None = None) -> str:
    code = (value if value is not None else request.query("country_code") or "").strip().upper()
    if not code:
        raise HttpError(400, "BAD_REQUEST", "country_code is required.")
    if not app.catalog.is_country(code):
        raise HttpError(404, "UNKNOWN_COUNTRY", {"country_code": code})
    return code


def _coin(request: Request) -> str:
    requested = request.query("coin") or "USDC"
    coin = pricing.canonical_coin(requested)
    if coin is None:
        raise HttpError(400, "BAD_REQUEST", {"coin": requested, "supported": sorted(pricing.COIN_FEES)})
    if coin in pricing.SUSPENDED_COINS:
        raise HttpError(400, "SUSPENDED_COIN", suspended_coin(coin))
    return coin


def payment_vias(app: SandboxApp, request: Request) -> Response:
    """Answer the coins and networks."""
    return json_response(pricing.payment_vias())


def brands(app: SandboxApp, request: Request) -> Response:
    """Answer a country's brands grouped by category."""
    code = _country(app, request)
    return json_response(catalog_json(code, app.catalog.country_brands(code), app.config.logo_base_url))


def homepage(app: SandboxApp, request: Request) -> Response:
    """Answer a country's popular and featured brands (no live shape is known; this one is the sandbox's)."""
    code = _country(app, request)
    country_brands = app.catalog.country_brands(code)
    sections = [
        {
            "name": name,
            "title": title,
            "brands": [brand_json(b, app.config.logo_base_url) for b in country_brands if name in b.flags],
        }
        for name, title in HOMEPAGE_SECTIONS
    ]
    return json_response({"country_code": code, "sections": sections})


def products(app: SandboxApp, request: Request, country_code: str) -> Response:
    """Answer the brands of one family in a country, each with its products (a list, as live)."""
    code = _country(app, request, country_code)
    family = (request.query("family_name") or "").strip()
    if not family:
        raise HttpError(400, "BAD_REQUEST", "family_name is required.")
    coin = _coin(request)
    lang = request.query("lang") or "en"
    brands = app.catalog.find_family(code, family)
    return json_response([family_json(b, coin, lang, app.config.logo_base_url) for b in brands])


def price(app: SandboxApp, request: Request) -> Response:
    """Answer the coin amount of one face value of a brand."""
    code = (request.query("country_code") or "").strip().upper()
    name = request.query("brand_name") or ""
    brand = app.catalog.find_brand(code, name)
    if brand is None:
        raise HttpError(404, "NOT_AVAILABLE_PRODUCT", {"brand_name": name, "country_code": code})
    coin = _coin(request)
    raw = request.query("face_value") or ""
    try:
        value = Decimal(raw)
        product = brand.product_for_value(value) if value.is_finite() else None
    except InvalidOperation:
        product = None
    if product is None:
        ranges = [
            {
                "min": plain(p.value_range.low),
                "max": plain(p.value_range.high),
                "step_size": plain(p.value_range.step),
            }
            for p in brand.products
            if p.value_range
        ]
        allowed = {
            "face_value": raw,
            "currency": brand.currency,
            "denominations": [plain(p.face_value) for p in brand.products if p.face_value is not None],
            "ranges": ranges,
        }
        raise HttpError(400, "INVALID_FACE_VALUE", allowed)
    return json_response(price_json(brand, product, value, coin))


def validate_order(app: SandboxApp, request: Request) -> Response:
    """Answer the validation of an order body."""
    return json_response(app.validator.validate(request.json()).as_json())


def create_order(app: SandboxApp, request: Request) -> Response:
    """Create an order, or answer 422 `{"detail": <first problem>}` as live."""
    validation = app.validator.validate(request.json())
    if validation.problems:
        raise HttpError(422, validation.problems[0]["problem"], detail_only=True)
    record = new_order(validation, now=app.clock(), config=app.config)
    app.store.insert(record)
    return json_response(lifecycle.public(record.doc), 201)


def get_order(app: SandboxApp, request: Request, order_id: str) -> Response:
    """Answer an order, brought up to date."""
    return json_response(app.require_order(order_id))


def subscribe(app: SandboxApp, request: Request, order_id: str) -> Response:
    """Stream an order's changes as server-sent events."""
    app.require_order(order_id)
    events = _watched_events(app, order_id)
    headers = [
        ("Content-Type", "text/event-stream; charset=utf-8"),
        ("Cache-Control", "no-cache"),
        ("X-Accel-Buffering", "no"),
    ]
    return Response(200, events, headers)


def _watched_events(app: SandboxApp, order_id: str):
    with app.order_watch(order_id) as read_order:
        yield from order_events(
            read_order,
            lifecycle.is_final,
            poll_seconds=app.config.sse_poll_seconds,
            max_seconds=app.config.sse_max_seconds,
        )


def available_countries(app: SandboxApp, request: Request) -> Response:
    """Answer the 233 supported countries."""
    return json_response({"countries": [{"isoCode": code, "name": name} for code, name in COUNTRIES]})


def simulate(app: SandboxApp, request: Request, order_id: str) -> Response:
    """Apply a simulated payment or support event to an order."""
    action = request.json().get("action")
    if action not in lifecycle.ACTIONS:
        raise HttpError(400, "BAD_REQUEST", {"action": action, "allowed": list(lifecycle.ACTIONS)})
    return json_response(app.simulate(order_id, SimulateAction(action)))


def request_log(app: SandboxApp, request: Request) -> Response:
    """Answer the recent requests with their headers."""
    return json_response([{"method": m, "path": p, "headers": h} for m, p, h in app.request_log])


def request_counts(app: SandboxApp, request: Request) -> Response:
    """Answer how many requests of each method and path arrived since the app started."""
    return json_response(dict(app.request_counts))


def logo_file(app: SandboxApp, request: Request, filename: str) -> Response:
    """Answer a brand logo image."""
    found = logo(filename, app.catalog.family_names)
    if found is None:
        raise HttpError(404, "NOT_FOUND", {"logo": filename})
    data, content_type = found
    headers = [
        ("Content-Type", content_type),
        ("Content-Length", str(len(data))),
        ("Cache-Control", "public, max-age=86400"),
    ]
    return Response(200, [data], headers)


def barcode_file(app: SandboxApp, request: Request, filename: str) -> Response:
    """Answer the image of a delivered barcode or of an order's QR code (drawn locally)."""
    data = barcode_png(filename)
    if data is None:
        raise HttpError(404, "NOT_FOUND", {"barcode": filename})
    headers = [
        ("Content-Type", "image/png"),
        ("Content-Length", str(len(data))),
        ("Cache-Control", "public, max-age=86400"),
    ]
    return Response(200, [data], headers)
