"""Route handlers: each takes the app and the request and returns a Response."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from . import lifecycle, pricing
from .catalog_data import COUNTRIES
from .http import HttpError, Request, Response, json_response
from .logos import logo
from .orders import new_order
from .shapes import brand_json, categories_json, plain, price_json, product_json
from .sse import order_events

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
        raise HttpError(400, "SUSPENDED_COIN", {"coin": coin})
    return coin


def payment_vias(app: SandboxApp, request: Request) -> Response:
    """Answer the coins and networks."""
    return json_response(pricing.payment_vias())


def brands(app: SandboxApp, request: Request) -> Response:
    """Answer a country's brands grouped by category."""
    code = _country(app, request)
    categories = categories_json(app.catalog.country_brands(code), app.config.logo_base_url)
    return json_response({"country_code": code, "categories": categories})


def homepage(app: SandboxApp, request: Request) -> Response:
    """Answer a country's popular and featured brands."""
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
    """Answer the products of one brand family in a country."""
    code = _country(app, request, country_code)
    coin = _coin(request)
    brand = app.catalog.find_family(code, request.query("family_name") or "")
    if brand is None:
        return json_response([])
    lang = request.query("lang") or "en"
    return json_response([product_json(brand, p, coin, lang) for p in brand.products])


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
    """Create an order, or answer 422 with its problems."""
    validation = app.validator.validate(request.json())
    if validation.problems:
        raise HttpError(422, "VALIDATION_FAILED", problems=validation.problems)
    record = new_order(
        validation,
        now=app.clock(),
        window_seconds=app.config.payment_window_seconds,
        step_seconds=app.config.step_seconds,
    )
    app.store.insert(record)
    return json_response(record.doc, 201)


def get_order(app: SandboxApp, request: Request, order_id: str) -> Response:
    """Answer an order, brought up to date."""
    return json_response(app.require_order(order_id))


def subscribe(app: SandboxApp, request: Request, order_id: str) -> Response:
    """Stream an order's changes as server-sent events."""
    app.require_order(order_id)
    events = order_events(
        lambda: app.read_order(order_id),
        lambda doc: doc["order_state"] in lifecycle.TERMINAL,
        poll_seconds=app.config.sse_poll_seconds,
        max_seconds=app.config.sse_max_seconds,
    )
    headers = [
        ("Content-Type", "text/event-stream; charset=utf-8"),
        ("Cache-Control", "no-cache"),
        ("X-Accel-Buffering", "no"),
    ]
    return Response(200, events, headers)


def available_countries(app: SandboxApp, request: Request) -> Response:
    """Answer the 233 supported countries."""
    return json_response([{"code": code, "name": name} for code, name in COUNTRIES])


def simulate(app: SandboxApp, request: Request, order_id: str) -> Response:
    """Apply a simulated payment or support event to an order."""
    action = request.json().get("action")
    if action not in lifecycle.ACTIONS:
        raise HttpError(400, "BAD_REQUEST", {"action": action, "allowed": list(lifecycle.ACTIONS)})
    return json_response(app.simulate(order_id, action))


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
