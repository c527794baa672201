"""The cart, kept compact in the (signed-cookie) session: ids and values, never product JSON."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.sessions.backends.base import SessionBase

from catalog.quotes import COIN_SESSION_KEY as COIN_KEY
from orders.selectors import has_token_shape
from storefront.upstream.networks import DEFAULT_COIN, is_stablecoin

SESSION_KEY = "cart"
LAST_ORDER_KEY = "checkout_last_order"
FAILED_ORDER_KEY = "checkout_failed_order"
# The upstream takes 1 to 10 deliveries per order, and one cart becomes one order.
MAX_DELIVERIES = 10


class CartFull(Exception):
    """Adding or raising a quantity would put more than MAX_DELIVERIES deliveries in the cart."""


@dataclass(frozen=True)
class CartLine:
    """One product in the cart: `family` is the upstream's display name ("Amazon.com"), `denomination`
    the product's own ("10 USD") or "range" with a `product_value`."""

    id: str
    country_code: str
    family: str
    product_id: str
    denomination: str
    product_value: Decimal | None
    quantity: int

    def as_session(self) -> dict[str, Any]:
        return {
            "id": self.id, "cc": self.country_code, "fam": self.family, "pid": self.product_id,
            "den": self.denomination, "val": None if self.product_value is None else str(self.product_value),
            "qty": self.quantity,
        }

    @classmethod
    def from_session(cls, raw: Any) -> CartLine | None:
        """Return the line a session entry holds, or None for anything malformed."""
        try:
            value = None if raw.get("val") in (None, "") else Decimal(str(raw["val"]))
            line = cls(
                id=str(raw["id"]), country_code=str(raw["cc"]).upper(), family=str(raw["fam"]),
                product_id=str(raw["pid"]), denomination=str(raw["den"]), product_value=value,
                quantity=int(raw["qty"]),
            )
        except (AttributeError, KeyError, TypeError, ValueError, InvalidOperation):
            return None
        return line if 1 <= line.quantity <= MAX_DELIVERIES else None

    def same_product(self, other: CartLine) -> bool:
        return (self.country_code, self.product_id, self.product_value) == (
            other.country_code, other.product_id, other.product_value)


def get_coin(session: SessionBase) -> str:
    """Return the coin the shopper sees prices in (shared with the catalog)."""
    coin = session.get(COIN_KEY, DEFAULT_COIN)
    return coin if isinstance(coin, str) and is_stablecoin(coin) else DEFAULT_COIN


def set_coin(session: SessionBase, *, coin: str) -> None:
    """Keep the coin the shopper sees prices in (the catalog reads the same key)."""
    if is_stablecoin(coin):
        session[COIN_KEY] = coin


def get_cart(session: SessionBase) -> list[CartLine]:
    """Return the lines of this session's cart."""
    raw = session.get(SESSION_KEY)
    if not isinstance(raw, list):
        return []
    return [line for line in map(CartLine.from_session, raw) if line is not None]


def count_deliveries(lines: list[CartLine]) -> int:
    """Return how many deliveries the cart makes (quantities count)."""
    return sum(line.quantity for line in lines)


def _save(session: SessionBase, lines: list[CartLine]) -> None:
    session[SESSION_KEY] = [line.as_session() for line in lines]


def add_line(
    session: SessionBase, *, country_code: str, family: str, product_id: str, denomination: str,
    product_value: Decimal | None, quantity: int,
) -> CartLine:
    """Add a product to the cart (merging with the same product and value); raise CartFull past the limit."""
    lines = get_cart(session)
    new = CartLine(
        id=secrets.token_hex(4), country_code=country_code.upper(), family=family, product_id=product_id,
        denomination=denomination, product_value=product_value, quantity=quantity,
    )
    if count_deliveries(lines) + quantity > MAX_DELIVERIES:
        raise CartFull
    for index, line in enumerate(lines):
        if line.same_product(new):
            merged = CartLine(**{**line.__dict__, "quantity": line.quantity + quantity})
            lines[index] = merged
            _save(session, lines)
            return merged
    lines.append(new)
    _save(session, lines)
    session.pop(LAST_ORDER_KEY, None)
    return new


def set_quantity(session: SessionBase, *, line_id: str, quantity: int) -> None:
    """Change a line's quantity (0 removes it); raise CartFull past the limit."""
    lines = get_cart(session)
    if quantity <= 0:
        remove_line(session, line_id=line_id)
        return
    others = sum(line.quantity for line in lines if line.id != line_id)
    if others + quantity > MAX_DELIVERIES:
        raise CartFull
    _save(session, [CartLine(**{**line.__dict__, "quantity": quantity}) if line.id == line_id else line
                    for line in lines])


def remove_line(session: SessionBase, *, line_id: str) -> None:
    """Remove a line from the cart."""
    _save(session, [line for line in get_cart(session) if line.id != line_id])


def clear_cart(session: SessionBase, *, placed_order_token: str | None = None) -> None:
    """Empty the cart, remembering the order it became so the back button can lead to it."""
    session[SESSION_KEY] = []
    session.pop(FAILED_ORDER_KEY, None)
    if placed_order_token:
        session[LAST_ORDER_KEY] = placed_order_token


def remember_failed_order(session: SessionBase, *, order_token: str) -> None:
    """Remember the order this cart failed to become, so the next checkout form can refill its input."""
    # Only the token: the session is a signed cookie, and the order row already holds what was typed.
    if has_token_shape(order_token):
        session[FAILED_ORDER_KEY] = order_token
    else:
        session.pop(FAILED_ORDER_KEY, None)


def get_failed_order_token(session: SessionBase) -> str:
    """Return the token of the order this cart last failed to become, or ""."""
    token = session.get(FAILED_ORDER_KEY)
    return token if has_token_shape(token) else ""
