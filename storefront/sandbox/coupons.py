"""Sandbox coupons: SAVE10 works, the others are named after the problem they raise."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Protocol

DISCOUNT_RATE = Decimal("0.10")


class CouponItem(Protocol):
    """What a coupon rule looks at in one delivery."""

    category: str
    kind: str
    family: str
    country_code: str


ALWAYS_FAILING: dict[str, str] = {
    "NOTFOUND": "COUPON_NOT_FOUND",
    "NOTACTIVE": "COUPON_NOT_ACTIVE",
    "SPENT": "COUPON_ALREADY_SPENT",
    "MAXUSED": "COUPON_MAX_USAGE_REACHED",
    "EXPIRED": "COUPON_EXPIRED",
    "MEMBERS": "COUPON_REQUIRES_LOGIN",
    "VIPUSER": "COUPON_NOT_VALID_FOR_USER",
    "APPSTORE": "COUPON_NOT_VALID_FOR_STORE",
}

# Coupons limited to part of the catalog: (problem when an item is outside, item test).
RESTRICTED: dict[str, tuple[str, Callable[[CouponItem], bool]]] = {
    # The brand's own category only (not its additional ones).
    "BOOKSONLY": ("COUPON_NOT_VALID_FOR_CATEGORY", lambda item: item.category == "books_learning"),
    # eSIMs are kind mobile_recharge in category e-sim upstream.
    "ESIMONLY": ("COUPON_NOT_VALID_FOR_KIND", lambda item: item.category == "e-sim"),
    "AIRBNBONLY": ("COUPON_NOT_VALID_FOR_BRAND", lambda item: item.family == "Airbnb"),
    "GBONLY": ("COUPON_NOT_VALID_FOR_COUNTRY", lambda item: item.country_code == "GB"),
}

MINIMUM_USD: dict[str, Decimal] = {"MIN100": Decimal("100")}


def check_coupon(code: str, items: Sequence[CouponItem], usd_total: Decimal) -> tuple[str | None, Decimal]:
    """Return (problem or None, discount rate) for a promo code on these items."""
    code = code.strip().upper()
    if code in ALWAYS_FAILING:
        return ALWAYS_FAILING[code], Decimal(0)
    if code in RESTRICTED:
        problem, fits = RESTRICTED[code]
        return (None, DISCOUNT_RATE) if all(fits(item) for item in items) else (problem, Decimal(0))
    if code in MINIMUM_USD:
        if usd_total < MINIMUM_USD[code]:
            return "COUPON_BELOW_MIN_AMOUNT", Decimal(0)
        return None, DISCOUNT_RATE
    if code == "SAVE10":
        return None, DISCOUNT_RATE
    return "COUPON_NOT_FOUND", Decimal(0)
