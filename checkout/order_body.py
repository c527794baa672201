"""The order body the upstream validates and creates from (one shape for both calls)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .selectors import PAYMENT_VIA

UTM_SOURCE = "coinshelf"


@dataclass(frozen=True)
class CheckoutLine:
    """One cart line as it is ordered: the product, its value, how many, and who receives it."""

    brand_name: str
    family: str
    kind: str
    country_code: str
    denomination: str
    localized_denomination: str
    product_value: Decimal | None
    face_value: Decimal | None
    currency: str
    beneficiary_account: str
    quantity: int = 1


@dataclass(frozen=True)
class CheckoutData:
    """Everything the shopper chose, cleaned: what the order body and the Order row are built from."""

    email: str
    coin: str
    network: str
    lines: list[CheckoutLine] = field(default_factory=list)
    full_name: str = ""
    promo_code: str = ""
    accepted_newsletter: bool = False
    # The least amount of `coin` the chosen network accepts (payment_vias' threshold), if known.
    network_minimum: Decimal | None = None

    @property
    def country_code(self) -> str:
        return self.lines[0].country_code if self.lines else ""


def json_number(value: Decimal) -> int | str:
    """Return a Decimal for JSON without passing through float: an int when whole, else its exact text."""
    return int(value) if value == value.to_integral_value() else format(value, "f")


def build_delivery(line: CheckoutLine) -> dict[str, Any]:
    """Return one flat delivery of the order body."""
    delivery: dict[str, Any] = {
        "beneficiary_account": line.beneficiary_account,
        "brand_name": line.brand_name,
        "country_code": line.country_code,
        "denomination": line.denomination,
    }
    if line.product_value is not None:
        delivery["denomination"] = "range"
        delivery["product_value"] = json_number(line.product_value)
    return delivery


def build_order_body(*, checkout: CheckoutData, lang: str) -> dict[str, Any]:
    """Return the JSON body of POST /v5/orders/validations and POST /v5/orders."""
    user: dict[str, Any] = {"email": checkout.email, "has_accepted_newsletter": checkout.accepted_newsletter}
    if checkout.full_name:
        user["full_name"] = checkout.full_name
    body: dict[str, Any] = {
        "email": checkout.email,
        "user": user,
        "payment": {
            "type": "via", "payment_via": PAYMENT_VIA, "coin": checkout.coin, "network": checkout.network,
        },
        # One delivery per unit: the flat shape has no quantity.
        "deliveries": [build_delivery(line) for line in checkout.lines for _ in range(line.quantity)],
        "lang": lang,
        "acquisition": {"utm_source": UTM_SOURCE},
    }
    if checkout.promo_code:
        body["promo_code"] = checkout.promo_code
    return body
