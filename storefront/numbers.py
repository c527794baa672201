"""Numbers written plainly: the shop's one formatter for amounts without exponent or trailing zeros."""

from __future__ import annotations

from decimal import Decimal


def plain_number(value: Decimal | None) -> str:
    """Return `value` as "25", "12.5", "0" (never "0E-9", "35.770000000" or "1E+2"); None as ""."""
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
