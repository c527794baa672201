"""The shopper's pick on a product page and its exact coin price."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from storefront.upstream import schemas
from storefront.upstream.client import EndUser
from storefront.upstream.errors import UpstreamError, UpstreamStatusError
from storefront.upstream.networks import DEFAULT_COIN, STABLECOINS

from .forms import plain, suggested_amount
from .selectors import get_price

logger = logging.getLogger(__name__)
COIN_SESSION_KEY = "coin"


@dataclass(frozen=True)
class Quote:
    """What the selected product costs in the chosen coin, or why that is not known."""

    product: schemas.Product
    coin: str
    face_value: Decimal | None = None
    coin_amount: Decimal | None = None
    # Before a discount or promotion, when the upstream names one (equal to coin_amount otherwise).
    original_coin_amount: Decimal | None = None
    problem: str = ""

    @property
    def product_value(self) -> str:
        """Return the custom amount as the cart expects it ("" for a fixed denomination)."""
        return plain(self.face_value) if self.product.is_range and self.face_value is not None else ""

    @property
    def can_add(self) -> bool:
        """Return whether the pick can go into the cart."""
        return self.face_value is not None and not self.product.is_out_of_stock


def choose_coin(*, params: QueryDict, session) -> str:
    """Return the coin asked for in `params`, kept as the shopper's preference, else the kept one."""
    requested = params.get("coin", "")
    if requested in STABLECOINS:
        if session.get(COIN_SESSION_KEY) != requested:
            session[COIN_SESSION_KEY] = requested
        return requested
    kept = session.get(COIN_SESSION_KEY)
    return kept if kept in STABLECOINS else DEFAULT_COIN


def default_product(products: list[schemas.Product]) -> schemas.Product | None:
    """Return the product picked before the shopper chooses: the first one in stock."""
    return next((p for p in products if not p.is_out_of_stock), products[0] if products else None)


def selection_data(*, params: QueryDict, products: list[schemas.Product], coin: str) -> dict[str, str]:
    """Return the product form's data: what the shopper sent, defaults where it is missing or unknown."""
    by_id = {p.product_id: p for p in products}
    chosen = by_id.get(params.get("product", "")) or default_product(products)
    amount = params.get("amount")
    if amount is None and chosen is not None and chosen.is_range and chosen.value_range is not None:
        amount = plain(suggested_amount(chosen.value_range))
    return {"product": chosen.product_id if chosen else "", "amount": amount or "", "coin": coin}


def quote_product(
    *,
    country_code: str,
    brand_name: str,
    product: schemas.Product,
    face_value: Decimal | None,
    coin: str,
    end_user: EndUser,
) -> Quote:
    """Return the exact coin amount the upstream asks for this product and face value."""
    if product.is_out_of_stock:
        return Quote(product=product, coin=coin, face_value=face_value,
                     problem=_("This amount is out of stock right now."))
    if face_value is None:
        return Quote(product=product, coin=coin, problem=_("Enter a valid amount to see the price."))
    try:
        price = get_price(
            country_code=country_code, brand_name=product.brand_name or brand_name,
            face_value=face_value, coin=coin, end_user=end_user,
        )
    except UpstreamStatusError as exc:
        if exc.status_code >= 500:
            return _unavailable(product, coin, face_value, exc)
        if exc.detail == "SUSPENDED_COIN":
            return Quote(product=product, coin=coin,
                         problem=_("Payments in %(coin)s are paused right now; choose another coin.")
                         % {"coin": coin})
        # The upstream refused the value (INVALID_FACE_VALUE, SUSPENDED_COIN...): say so, do not sell it.
        logger.info("price refused for %s %s: %s", product.product_id, face_value, exc.detail)
        return Quote(product=product, coin=coin, problem=_("This amount can't be bought right now."))
    except UpstreamError as exc:
        return _unavailable(product, coin, face_value, exc)
    return Quote(product=product, coin=price.coin, face_value=face_value, coin_amount=price.coin_amount,
                 original_coin_amount=price.original_coin_amount)


def _unavailable(product: schemas.Product, coin: str, face_value: Decimal, exc: Exception) -> Quote:
    logger.warning("live price unavailable for %s: %s", product.product_id, exc)
    # The pick stays addable: checkout asks the upstream for the exact amount again before any payment.
    problem = _("The live price is unavailable right now; you will see the exact amount at checkout.")
    return Quote(product=product, coin=coin, face_value=face_value, problem=problem)
