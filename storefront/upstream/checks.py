"""Call every read endpoint of the configured upstream and say, per endpoint, what came back.

For a partner going live (`manage.py check_upstream`): whether each endpoint answered, whether its
answer parsed, how many items it held, which items were left out and why, and which fields the
models do not know. Validation and order creation are never called: they would create orders.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
from pydantic import BaseModel

from . import errors, schemas
from .client import CryptorefillsClient, EndUser
from .networks import DEFAULT_COIN


@dataclass
class EndpointCheck:
    """What one call of one endpoint showed."""

    name: str  # "brands", "products Amazon.com"
    status: int | None = None  # the last HTTP status seen, None when nothing answered
    ms: float = 0.0
    parsed: bool = False
    items: int | None = None
    left_out: list[tuple[str, str, str]] = field(default_factory=list)  # (list, item id, reason)
    unknown: set[str] = field(default_factory=set)
    error: str | None = None
    # A failure of an optional endpoint is reported but does not fail the check: the shop works
    # without it (the homepage feed, whose live shape nobody has seen, falls back to the brands).
    optional: bool = False

    @property
    def answered(self) -> bool:
        return self.status is not None

    @property
    def ok(self) -> bool:
        return self.parsed and not self.left_out and self.error is None

    @property
    def fails(self) -> bool:
        return not self.ok and not self.optional

    def left_out_ids(self) -> dict[str, str]:
        """Return each left-out item once, with the first reason given for it."""
        found: dict[str, str] = {}
        for _, item_id, reason in self.left_out:
            found.setdefault(item_id, reason)
        return found


@dataclass
class UpstreamCheck:
    country_code: str
    checks: list[EndpointCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(check.fails for check in self.checks)


class _StatusRecorder:
    """Remember the status of the latest answer the client received."""

    def __init__(self) -> None:
        self.status: int | None = None

    def __call__(self, response: httpx.Response) -> None:
        self.status = response.status_code


def _unknown_of(value: Any) -> set[str]:
    if isinstance(value, BaseModel):
        return schemas.unknown_fields(value)
    if isinstance(value, list):
        return {f"[].{path}" for item in value for path in _unknown_of(item)}
    return set()


def _probe(
    name: str,
    call: Callable[[], Any],
    *,
    recorder: _StatusRecorder,
    count: Callable[[Any], int],
    optional: bool = False,
) -> tuple[EndpointCheck, Any]:
    """Make one call and record what it showed; return the check and the parsed answer (or None)."""
    check = EndpointCheck(name=name, optional=optional)
    recorder.status = None
    started = time.perf_counter()
    answer = None
    with schemas.collect_parse_report() as report:
        try:
            answer = call()
        except errors.UpstreamStatusError as exc:
            check.error = f"answered {exc.status_code}" + (f": {exc.detail}" if exc.detail else "")
        except errors.UpstreamResponseError as exc:
            check.error = str(exc)
        except errors.UpstreamError as exc:
            check.error = str(exc) or type(exc).__name__
    check.ms = (time.perf_counter() - started) * 1000
    check.status = recorder.status
    check.left_out = list(report.skipped)
    if answer is not None and check.status is not None and check.status >= 400:
        # The client reads some refusals as "nothing here" (a homepage's 404); say so all the same.
        check.error = f"answered {check.status}: read as empty"
    if answer is not None:
        check.parsed = True
        check.items = count(answer)
        check.unknown = _unknown_of(answer)
    return check, answer


def _not_run(name: str, reason: str) -> EndpointCheck:
    return EndpointCheck(name=name, error=f"not called: {reason}")


def pick_families(catalog: schemas.BrandCatalog) -> list[str]:
    """Return a few families to try: one gift card, one eSIM and one top-up, when the catalog has them."""
    picks: dict[str, str] = {}
    for brand in catalog.unique_brands():
        if not brand.is_out_of_stock:
            picks.setdefault(brand.shop_kind, brand.family)
    return [picks[kind] for kind in ("giftcard", schemas.ESIM_KIND, "mobile_recharge") if kind in picks]


def _price_face_value(product: schemas.Product) -> Decimal | None:
    if not product.is_range:
        return product.value
    value_range = product.value_range
    return value_range.default or value_range.min


def check_upstream(
    *,
    build_client: Callable[[Callable[[httpx.Response], None]], CryptorefillsClient],
    country_code: str,
    end_user: EndUser,
    families: list[str] | None = None,
    coin: str = DEFAULT_COIN,
    lang: str = "en",
) -> UpstreamCheck:
    """Call every read endpoint for `country_code` and return what each showed."""
    recorder = _StatusRecorder()
    client = build_client(recorder)
    result = UpstreamCheck(country_code=country_code)
    cc = country_code.upper()
    try:
        check, _ = _probe(
            "payment_vias", lambda: client.payment_vias(end_user=end_user), recorder=recorder, count=len
        )
        result.checks.append(check)
        check, catalog = _probe(
            "brands",
            lambda: client.brands(country_code=cc, end_user=end_user),
            recorder=recorder,
            count=lambda c: len(c.unique_brands()),
        )
        result.checks.append(check)
        check, _ = _probe(
            "homepage",
            lambda: client.homepage(country_code=cc, end_user=end_user),
            recorder=recorder,
            count=lambda h: len(h.sections),
            optional=True,
        )
        result.checks.append(check)

        chosen = families or (pick_families(catalog) if catalog is not None else [])
        products: list[schemas.Product] = []
        if not chosen:
            reason = "no brands to take families from" if catalog is None else "the catalog has no brands"
            result.checks.append(_not_run("products", reason))
        for family in chosen:
            check, answer = _probe(
                f"products {family}",
                lambda family=family: client.products(
                    country_code=cc, family_name=family, coin=coin, lang=lang, end_user=end_user
                ),
                recorder=recorder,
                count=lambda fams: len(schemas.family_products(fams)),
            )
            if answer is not None and not answer:
                check.error = "no brand of this family in the answer"
            result.checks.append(check)
            products += schemas.family_products(answer or [])

        for label, wanted in (("fixed", False), ("range", True)):
            product = next((p for p in products if p.is_range == wanted and _price_face_value(p)), None)
            if product is None:
                # Not every catalog has both kinds: nothing to price is not a failure of the upstream.
                skipped = _not_run(f"price ({label})", f"no {label} product among the families tried")
                skipped.optional = True
                result.checks.append(skipped)
                continue
            face_value = _price_face_value(product)
            check, _ = _probe(
                f"price {product.brand_name} {face_value.normalize():f}",
                lambda product=product, face_value=face_value: client.price(
                    brand_name=product.brand_name,
                    country_code=cc,
                    face_value=face_value,
                    coin=coin,
                    end_user=end_user,
                ),
                recorder=recorder,
                count=lambda _: 1,
            )
            result.checks.append(check)

        check, _ = _probe(
            "available_countries",
            lambda: client.available_countries(end_user=end_user),
            recorder=recorder,
            count=lambda c: len(c.countries),
        )
        result.checks.append(check)
    finally:
        client.close()
    return result


def format_report(result: UpstreamCheck, *, unknown_shown: int = 8) -> list[str]:
    """Return the report as lines: one table row per endpoint, then what was left out or not known."""
    header = ("endpoint", "answered", "parsed", "items", "left out", "unknown fields")
    rows = [header]
    for check in result.checks:
        answered = f"{check.status} {check.ms:.0f} ms" if check.answered else "no"
        rows.append(
            (
                check.name,
                answered,
                "yes" if check.parsed else "no",
                "" if check.items is None else str(check.items),
                str(len(check.left_out_ids())),
                str(len(check.unknown)),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    for check in result.checks:
        verdict = "ok" if check.ok else ("warning" if check.optional else "FAILED")
        if check.ok and not check.unknown:
            continue
        lines.append("")
        lines.append(f"{check.name}: {verdict}")
        if check.error:
            lines.append(f"  {check.error}")
        for item_id, reason in check.left_out_ids().items():
            lines.append(f"  left out {item_id}: {reason}")
        if check.unknown:
            shown = sorted(check.unknown)[:unknown_shown]
            more = len(check.unknown) - len(shown)
            lines.append("  unknown fields: " + ", ".join(shown) + (f" and {more} more" if more else ""))
    return lines
