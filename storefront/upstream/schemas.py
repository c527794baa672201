"""Pydantic models of the partner API's answers: unknown fields kept, optional ones may be missing."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

TERMINAL_ORDER_STATES = frozenset({"Done", "Expired", "PaymentFailed", "PaymentSetupFailed", "Refunded"})


class UpstreamModel(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Problem(UpstreamModel):
    problem: str
    more_details: Any = Field(default=None, alias="moreDetails")


class SmartContract(UpstreamModel):
    address: str | None = None
    decimals: int | None = None
    symbol: str | None = None


class Network(UpstreamModel):
    name: str
    is_suspended: bool = False
    smart_contract: SmartContract | None = None


class Currency(UpstreamModel):
    name: str
    is_suspended: bool = False
    networks: list[Network] = []


class PaymentVia(UpstreamModel):
    name: str
    currencies: list[Currency] = []


class Brand(UpstreamModel):
    brand: str
    brand_id: int | str | None = None
    family: str
    category: str | None = None
    kind: str = "giftcard"
    currency: str | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    is_out_of_stock: bool = False
    logo_url: str | None = None
    logo_base_url: str | None = None


class BrandCategory(UpstreamModel):
    name: str
    brands: list[Brand] = []


class BrandCatalog(UpstreamModel):
    country_code: str
    categories: list[BrandCategory] = []


class HomepageSection(UpstreamModel):
    name: str
    title: str | None = None
    brands: list[Brand] = []


class Homepage(UpstreamModel):
    country_code: str
    sections: list[HomepageSection] = []


class ProductRange(UpstreamModel):
    min: Decimal
    max: Decimal
    currency: str | None = None
    step_size: Decimal | None = None


class Product(UpstreamModel):
    product_id: str
    brand_name: str | None = None
    family: str | None = None
    kind: str | None = None
    country_code: str | None = None
    denomination: str
    localized_denomination: str | None = None
    face_value: Decimal | None = None
    currency: str | None = None
    coin: str | None = None
    coin_amount: Decimal | None = None
    is_dynamic: bool = False
    range: ProductRange | None = None
    delivery_type: str = "by_email"
    is_out_of_stock: bool = False
    description: str | None = None
    redemption_instructions: str | None = None


class Price(UpstreamModel):
    product_id: str | None = None
    brand_name: str | None = None
    country_code: str | None = None
    is_dynamic: bool = False
    range: ProductRange | None = None
    face_value: Decimal | None = None
    currency: str | None = None
    coin: str
    coin_amount: Decimal
    delivery_type: str | None = None


class ValidationSummary(UpstreamModel):
    subtotal: Decimal | None = None
    fee: Decimal | None = None
    coin_amount: Decimal | None = None
    coin: str | None = None


class ValidationResult(UpstreamModel):
    coin: str | None = None
    network: str | None = None
    coin_amount: Decimal | None = None
    deliveries: list[dict[str, Any]] = []
    summary: ValidationSummary | None = None
    problems: list[Problem] = []


class Deliverable(UpstreamModel):
    beneficiary_account: str | None = None
    pin_code: str | None = None


class OrderDelivery(UpstreamModel):
    delivery_id: str | None = None
    brand_name: str | None = None
    country_code: str | None = None
    kind: str | None = None
    denomination: str | None = None
    product_value: Decimal | None = None
    beneficiary_account: str | None = None
    delivery_state: str | None = None
    deliverable: Deliverable | None = None


class Order(UpstreamModel):
    order_id: str
    order_state: str
    payment_state: str | None = None
    email: str | None = None
    coin: str | None = None
    network: str | None = None
    coin_amount: Decimal | None = None
    coin_amount_paid: Decimal | None = None
    coin_amount_due: Decimal | None = None
    wallet_address: str | None = None
    qr_text: str | None = None
    qr_url: str | None = None
    created_at: datetime | None = None
    expires_at: datetime | None = None
    late_payment: bool = False
    deliveries: list[OrderDelivery] = []

    @property
    def is_terminal(self) -> bool:
        """Return whether the upstream will never move this order again."""
        return self.order_state in TERMINAL_ORDER_STATES


class Country(UpstreamModel):
    code: str
    name: str


class StreamEvent(BaseModel):
    """One server-sent event of an order stream."""

    event: str = "message"
    data: str = ""
    id: str | None = None
