"""Pydantic models of the partner API's answers, in the shapes the live API really sends.

API-NOTES' section "What the live API really answers" is the specification. Every model keeps
the fields it does not name (extra="allow"); numbers are accepted as JSON numbers or strings and
kept as Decimal; timestamps as epoch seconds (strings, numbers, fractions) or ISO text. Lists of
items (brands, products, deliveries, currencies...) are lenient: an item that does not parse is
left out, logged once with its id and the reason, and counted, so one bad item never blanks a page.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)

from .networks import STABLECOINS, WALLET_VIA

logger = logging.getLogger(__name__)

# -- the upstream's vocabulary ----------------------------------------------------------------------

# Order states after which the upstream moves an order no further on its own. Expired is here
# although a late payment can still turn it into Done: the shop keeps asking about recently
# expired orders (orders.services), but an expired order is not waiting for the shopper.
TERMINAL_ORDER_STATES = frozenset(
    {"Done", "Expired", "PaymentFailed", "PaymentSetupFailed", "Refunded", "Canceled"}
)
# Other spellings of the same state, seen in integrations, mapped to the one the shop stores.
ORDER_STATE_SPELLINGS = {"Cancelled": "Canceled"}
# A delivery is done under either spelling (live: Done; Cryptorefills' agent docs: Completed).
DELIVERED_STATES = frozenset({"Done", "Completed"})
# A payment is complete under either spelling (live: PaymentCompleted; their docs: PaymentReceived).
PAYMENT_COMPLETED_STATES = frozenset({"PaymentCompleted", "PaymentReceived"})
# What a delivered deliverable may carry for the shopper, in the order the order page shows it.
DELIVERED_FIELDS = ("pin_code", "pin_serial", "security_code", "barcode_image_url", "redeem_instructions")
RANGE_DENOMINATION = "range"
ESIM_CATEGORY = "e-sim"
ESIM_KIND = "esim"  # the shop's own name for eSIMs; upstream they are mobile_recharge in e-sim


# -- parse report: what was left out or not known, for logs, metrics and check_upstream -------------


@dataclass
class ParseReport:
    """What one or more parses left out: (model, item id, reason) per item."""

    skipped: list[tuple[str, str, str]] = field(default_factory=list)


SKIPPED_ITEMS: Counter[str] = Counter()  # items left out in this process, by model name
_current_report: ContextVar[ParseReport | None] = ContextVar("upstream_parse_report", default=None)
# By item id and reason: a brand left out of a category is the same news in all_brands.
_logged_once: set[tuple[str, str]] = set()


class collect_parse_report:  # noqa: N801 - used as a context manager, like contextlib's
    """Collect the items every parse inside the `with` block leaves out."""

    def __enter__(self) -> ParseReport:
        self.report = ParseReport()
        self._token = _current_report.set(self.report)
        return self.report

    def __exit__(self, *exc: object) -> None:
        _current_report.reset(self._token)


def _item_id(raw: Any) -> str:
    if isinstance(raw, dict):
        for key in ("brand_id", "product_id", "order_id", "id", "brand", "family", "name", "isoCode"):
            if raw.get(key) not in (None, ""):
                return str(raw[key])
    return repr(raw)[:60]


def _short_reason(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc'][1:]) or 'item'}: {err['msg']}" for err in exc.errors()[:3]
    )


def _skip_invalid_items(value: Any, handler: ValidatorFunctionWrapHandler, info: Any) -> list:
    """Validate a list item by item, leaving out (and reporting) the items that do not parse."""
    if value is None:
        return []
    if not isinstance(value, list):
        return handler(value)
    kept: list = []
    model = info.field_name or "item"
    for raw in value:
        try:
            kept.extend(handler([raw]))
        except ValidationError as exc:
            entry = (model, _item_id(raw), _short_reason(exc))
            SKIPPED_ITEMS[model] += 1
            report = _current_report.get()
            if report is not None:
                report.skipped.append(entry)
            if entry[1:] not in _logged_once:
                _logged_once.add(entry[1:])
                logger.warning("upstream %s %s left out: %s", entry[0], entry[1], entry[2])
    return kept


def _to_decimal(value: Any) -> Any:
    """Accept a JSON number or a numeric string ("11.26", " 5 ") as Decimal; leave the rest to pydantic."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        if text == "":
            return None
        try:
            return Decimal(text)
        except InvalidOperation:
            return value
    if isinstance(value, dict) and "amount" in value:  # {"amount": 5, "currency": "USD"}
        return _to_decimal(value["amount"])
    return value


def _to_datetime(value: Any) -> Any:
    """Accept epoch seconds ("1787679708", 1787679708, 1787679708.25; milliseconds too) or ISO text."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*\d+(\.\d+)?\s*", value):
        number = float(value)
    if number is not None:
        if number > 1e11:  # milliseconds
            number /= 1000
        return datetime.fromtimestamp(number, tz=UTC)
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return value


def _to_text(value: Any) -> Any:
    """Accept numbers where the upstream sends labels or ids ("$5" or 5; uuid or 12)."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    return value


Num = Annotated[Decimal, BeforeValidator(_to_decimal)]
Timestamp = Annotated[datetime, BeforeValidator(_to_datetime)]
Text = Annotated[str, BeforeValidator(_to_text)]


def Items(model: Any) -> Any:  # noqa: N802 - reads as a type
    """A list of `model` in which items that do not parse are left out and reported."""
    return Annotated[list[model], WrapValidator(_skip_invalid_items)]


def family_slug(family: str) -> str:
    """Return the URL slug of a brand family ("Amazon.com" -> "amazon-com", "eSIM" -> "esim").

    Accents fold to ASCII and every run of other characters becomes one hyphen, so distinct
    display names stay distinct ("Amazon.com" vs "Amazon") and the slug finds its family again.
    """
    folded = unicodedata.normalize("NFKD", family).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return slug or re.sub(r"\W+", "-", family.lower()).strip("-")


class UpstreamModel(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


# -- payment vias -----------------------------------------------------------------------------------


class SmartContract(UpstreamModel):
    engine: str | None = None
    address: str | None = None
    decimals: int | None = None
    symbol: str | None = None


class Network(UpstreamModel):
    name: str
    chain_id: int | None = None
    is_suspended: bool = False
    threshold: Num | None = None
    smart_contract_engine: str | None = None
    base_token: Any = None
    smart_contract: SmartContract | None = None

    @model_validator(mode="before")
    @classmethod
    def _blank_chain_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("chain_id") in ("", "null"):
            data = {**data, "chain_id": None}
        return data


class Currency(UpstreamModel):
    name: str
    is_suspended: bool = False
    threshold: Num | None = None
    logo_url: str | None = None
    networks: Items(Network) = []


class PaymentVia(UpstreamModel):
    name: str
    available: bool = True
    logo_url: str | None = None
    currencies: Items(Currency) = []

    @property
    def is_wallet(self) -> bool:
        """Return whether this via is paying from the shopper's own wallet, the one this shop offers."""
        return self.name == WALLET_VIA


def offered_currencies(vias: list[PaymentVia]) -> list[Currency]:
    """Return the stablecoins of the available USER_WALLET via, each with its open networks."""
    offered: list[Currency] = []
    for via in vias:
        if not (via.is_wallet and via.available):
            continue
        for currency in via.currencies:
            if currency.name.upper() not in STABLECOINS or currency.is_suspended:
                continue
            networks = [n for n in currency.networks if not n.is_suspended]
            if networks:
                offered.append(currency.model_copy(update={"networks": networks}))
    return offered


# -- brands -----------------------------------------------------------------------------------------


class Brand(UpstreamModel):
    brand: str
    family: str
    brand_id: Text | None = None
    kind: str = "giftcard"
    category: str | None = None
    additional_categories: list[Text] = []
    # Display labels ("$5", "1 GB 3 days"), not numbers.
    min: Text | None = None
    max: Text | None = None
    is_out_of_stock: bool = False
    country_code: str | None = None
    logo_url: str | None = None
    logo_base_url: str | None = None
    bg_color: str | None = None
    product_type: str | None = None
    brand_tags: Any = None

    @property
    def slug(self) -> str:
        """Return the URL slug of the brand's family."""
        return family_slug(self.family)

    @property
    def is_esim(self) -> bool:
        return self.category == ESIM_CATEGORY or self.family.casefold() == "esim"

    @property
    def shop_kind(self) -> str:
        """Return the kind the shop files the brand under: giftcard, mobile_recharge or esim."""
        return ESIM_KIND if self.is_esim else self.kind

    @property
    def categories(self) -> list[str]:
        """Return every category the brand is listed in, its own first."""
        names = [self.category] if self.category else []
        return names + [c for c in self.additional_categories if c and c not in names]


class BrandCategory(UpstreamModel):
    category: str
    kind: str | None = None
    brands: Items(Brand) = []
    popular_brands: Items(Brand) = []

    @model_validator(mode="before")
    @classmethod
    def _category_from_name(cls, data: Any) -> Any:
        # Some integrations call it `name`; the live API calls it `category`.
        if isinstance(data, dict) and not data.get("category") and data.get("name"):
            data = {**data, "category": data["name"]}
        return data


def _brand_key(brand: Brand) -> str:
    return brand.brand_id or f"{brand.family}\x00{brand.brand}"


class BrandCatalog(UpstreamModel):
    country_code: str | None = None
    categories: Items(BrandCategory) = []
    all_brands: Items(Brand) = []
    popular_brands: Items(Brand) = []
    last_user_purchases: list[Any] = []
    suggestions: list[Any] = []

    def unique_brands(self) -> list[Brand]:
        """Return every brand once (a brand sits in several categories), in the upstream's order."""
        seen: set[str] = set()
        brands: list[Brand] = []
        for brand in [b for c in self.categories for b in c.brands] + list(self.all_brands):
            key = _brand_key(brand)
            if key not in seen:
                seen.add(key)
                brands.append(brand)
        return brands


class HomepageSection(UpstreamModel):
    name: Text | None = None
    title: str | None = None
    brands: Items(Brand) = []


class Homepage(UpstreamModel):
    """The curated feed; no live shape is known, so everything is optional (fall back to brands)."""

    country_code: str | None = None
    sections: Items(HomepageSection) = []


# -- products ---------------------------------------------------------------------------------------


class FaceValueAmount(UpstreamModel):
    type: str | None = None  # "fixed" | "range"
    price: Num | None = None
    min: Num | None = None
    max: Num | None = None


class FaceValue(UpstreamModel):
    currency_code: str | None = None
    amount: FaceValueAmount | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_number(cls, data: Any) -> Any:
        # Older shapes give the face value as a bare number.
        if isinstance(data, int | float | str | Decimal) and not isinstance(data, bool):
            return {"amount": {"type": "fixed", "price": data}}
        if isinstance(data, dict) and isinstance(data.get("amount"), int | float | str):
            return {**data, "amount": {"type": "fixed", "price": data["amount"]}}
        return data


class ProductRange(UpstreamModel):
    min: Num
    max: Num
    currency: str | None = None
    step_size: Num | None = None
    default: Num | None = None


class RichDescription(UpstreamModel):
    """The family's HTML texts, as the upstream sends them: sanitize before showing."""

    description: str | None = None
    how_to_redeem: str | None = None
    term_and_conditions: str | None = None
    note: str | None = None
    brand_url: str | None = None


_DENOMINATION = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]{3})\s*$")


class Product(UpstreamModel):
    product_id: Text
    is_dynamic: bool = False
    coin: str | None = None
    payment_method: str | None = None
    delivery_type: str = "by_email"
    points: Any = None
    product_type: str | None = None
    face_value: FaceValue | None = None
    denomination: str | None = None  # fixed products only: "10 USD"
    localized_denomination: str | None = None
    coin_amount: Num | None = None  # fixed products only
    range: ProductRange | None = None  # range products only
    is_out_of_stock: bool = False
    # Filled from the product's family (the live API nests products in families).
    brand_name: str | None = None
    family: str | None = None
    kind: str | None = None
    category: str | None = None
    country_code: str | None = None

    @property
    def value_range(self) -> ProductRange | None:
        """Return the open value range of a range product (from `range`, else from `face_value`)."""
        if self.range is not None:
            return self.range
        amount = self.face_value.amount if self.face_value else None
        if amount is not None and amount.min is not None and amount.max is not None:
            return ProductRange(min=amount.min, max=amount.max, currency=self.currency)
        return None

    @property
    def is_range(self) -> bool:
        return self.value_range is not None and not self.denomination

    @property
    def value(self) -> Decimal | None:
        """Return the face value of a fixed product ("10 USD" -> 10), None for a range product."""
        if self.is_range:
            return None
        amount = self.face_value.amount if self.face_value else None
        if amount is not None and amount.price is not None:
            return amount.price
        match = _DENOMINATION.match(self.denomination or "")
        return Decimal(match.group(1)) if match else None

    @property
    def currency(self) -> str | None:
        """Return the face value's currency code ("USD")."""
        if self.face_value and self.face_value.currency_code:
            return self.face_value.currency_code
        if self.range is not None and self.range.currency:
            return self.range.currency
        match = _DENOMINATION.match(self.denomination or "")
        return match.group(2).upper() if match else None

    @property
    def order_denomination(self) -> str:
        """Return the denomination an order names: the product's own, or "range" with a product_value."""
        return RANGE_DENOMINATION if self.is_range else (self.denomination or "")

    @property
    def label(self) -> str:
        """Return what a shopper reads for this product ("$10", "$5 - $500", "1 GB 3 days")."""
        if self.localized_denomination:
            return self.localized_denomination
        if self.denomination:
            return self.denomination
        value_range = self.value_range
        if value_range is not None:
            currency = f" {self.currency}" if self.currency else ""
            return f"{value_range.min.normalize():f} - {value_range.max.normalize():f}{currency}"
        return self.product_id

    @property
    def delivered_by_phone(self) -> bool:
        return self.delivery_type == "by_phone"

    @property
    def is_esim(self) -> bool:
        return self.category == ESIM_CATEGORY or (self.family or "").casefold() == "esim"

    @property
    def shop_kind(self) -> str:
        return ESIM_KIND if self.is_esim else (self.kind or "giftcard")


class ProductFamily(UpstreamModel):
    """One brand of a family with its products (the products endpoint answers a list of these)."""

    family: str
    brand: str
    brand_id: Text | None = None
    kind: str = "giftcard"
    category: str | None = None
    country_code: str | None = None
    is_out_of_stock: bool = False
    logo_url: str | None = None
    logo_base_url: str | None = None
    bg_color: str | None = None
    additional_categories: list[Text] = []
    default_denomination: Any = None
    product_tc: str | None = None  # terms and conditions (text or HTML: sanitize)
    rich_description: RichDescription | None = None
    redeem_method: list[Any] = []
    products: Items(Product) = []

    @model_validator(mode="after")
    def _products_know_their_family(self) -> ProductFamily:
        for product in self.products:
            product.brand_name = product.brand_name or self.brand
            product.family = product.family or self.family
            product.kind = product.kind or self.kind
            product.category = product.category or self.category
            product.country_code = product.country_code or self.country_code
            if self.is_out_of_stock:
                product.is_out_of_stock = True
        return self

    @property
    def slug(self) -> str:
        return family_slug(self.family)


def family_products(families: list[ProductFamily]) -> list[Product]:
    """Return the products of every brand of the families, in the upstream's order."""
    return [product for family in families for product in family.products]


# -- prices and validation --------------------------------------------------------------------------


class Price(UpstreamModel):
    product_id: Text | None = None
    is_dynamic: bool = False
    range: ProductRange | None = None
    coin: str
    coin_amount: Num
    original_coin_amount: Num | None = None
    payment_method: str | None = None
    delivery_type: str | None = None
    points: Any = None
    product_type: str | None = None


class Problem(UpstreamModel):
    problem: str
    # An object ({"reason": ...}, allowed kinds, supported pairs) or a string: explain, never dump.
    more_details: Any = Field(default=None, alias="moreDetails")


class Deliverable(UpstreamModel):
    brand_name: str | None = None
    family: str | None = None
    denomination: str | None = None
    localized_denomination: str | None = None
    product_value: Num | None = None
    beneficiary_account: Text | None = None
    country_code: str | None = None
    delivery_type: str | None = None
    coin_amount: Num | None = None
    original_price: Num | None = None
    currency_code: str | None = None
    points: Any = None
    # What the shopper receives at Done (redeem_instructions is HTML: sanitize before showing).
    pin_code: Text | None = None
    pin_serial: Text | None = None
    security_code: Text | None = None
    barcode_image_url: str | None = None
    redeem_instructions: str | None = None

    def delivered(self) -> dict[str, str]:
        """Return the delivered fields that are present, in DELIVERED_FIELDS order."""
        return {name: str(getattr(self, name)) for name in DELIVERED_FIELDS if getattr(self, name)}


class Delivery(UpstreamModel):
    id: Text | None = None
    delivery_state: str | None = None
    kind: str | None = None
    deliverable: Deliverable | None = None

    @model_validator(mode="before")
    @classmethod
    def _flat_to_nested(cls, data: Any) -> Any:
        # Older shapes put the deliverable's fields on the delivery itself.
        if isinstance(data, dict) and "deliverable" not in data:
            nested = {k: v for k, v in data.items() if k in Deliverable.model_fields}
            if nested:
                data = {**data, "deliverable": nested}
        if isinstance(data, dict) and data.get("id") is None and data.get("delivery_id") is not None:
            data = {**data, "id": data["delivery_id"]}
        return data

    @property
    def is_delivered(self) -> bool:
        return self.delivery_state in DELIVERED_STATES


class ValidationResult(UpstreamModel):
    coin: str | None = None
    coin_amount: Num | None = None
    original_coin_amount: Num | None = None
    coupon_code: Any = None
    loyalty_summary: Any = None
    deliveries: Items(Delivery) = []
    # A valid order has "problems": null.
    problems: Annotated[list[Problem], BeforeValidator(lambda v: [] if v is None else v)] = []

    @property
    def is_valid(self) -> bool:
        return not self.problems


# -- orders -----------------------------------------------------------------------------------------


class OrderUser(UpstreamModel):
    email: str | None = None


def _order_state(value: Any) -> Any:
    return ORDER_STATE_SPELLINGS.get(value, value) if isinstance(value, str) else value


class Order(UpstreamModel):
    order_id: Text
    order_state: Annotated[str, BeforeValidator(_order_state)]
    payment_state: str | None = None
    coin: str | None = None
    network: str | None = None
    coin_amount: Num | None = None
    original_price: Num | None = None
    sent_coin_amount: Num | None = None  # what has been paid so far
    wallet_address: str | None = None
    qr_text: str | None = None  # a ready payment URI
    qr_url: str | None = None
    payment_via: str | None = None
    payment_method: str | None = None
    payment_method_protocol: str | None = None
    payment_id: Any = None
    payment_value: Num | None = None
    created_at: Timestamp | None = None
    payment_requested_at: Timestamp | None = None
    updated_at: Timestamp | None = None
    expires_at: Timestamp | None = None  # not sent live; kept if a source sends it
    user: OrderUser | None = None
    email: str | None = None
    is_payment_processor_external: bool | None = None
    deliveries: Items(Delivery) = []

    @property
    def is_terminal(self) -> bool:
        """Return whether the upstream will move this order no further on its own."""
        return self.order_state in TERMINAL_ORDER_STATES

    @property
    def amount_paid(self) -> Decimal | None:
        return self.sent_coin_amount

    @property
    def amount_due(self) -> Decimal | None:
        """Return what is still to be paid (never below zero), or None when the amount is unknown."""
        if self.coin_amount is None:
            return None
        return max(self.coin_amount - (self.sent_coin_amount or Decimal(0)), Decimal(0))

    @property
    def window_opened_at(self) -> datetime | None:
        """Return when the payment window opened: payment requested, else created."""
        return self.payment_requested_at or self.created_at

    @property
    def buyer_email(self) -> str | None:
        return (self.user.email if self.user else None) or self.email


# -- countries and streams --------------------------------------------------------------------------


class Country(UpstreamModel):
    code: str = Field(alias="isoCode")
    name: str

    @model_validator(mode="before")
    @classmethod
    def _code_spellings(cls, data: Any) -> Any:
        if isinstance(data, dict) and "isoCode" not in data:
            for key in ("code", "iso_code", "country_code"):
                if data.get(key):
                    return {**data, "isoCode": data[key]}
        return data


class CountryList(UpstreamModel):
    countries: Items(Country) = []

    @model_validator(mode="before")
    @classmethod
    def _bare_list(cls, data: Any) -> Any:
        return {"countries": data} if isinstance(data, list) else data


class StreamEvent(BaseModel):
    """One server-sent event of an order stream."""

    event: str = "message"
    data: str = ""
    id: str | None = None


def unknown_fields(model: BaseModel, *, path: str = "") -> set[str]:
    """Return the dotted paths of fields the models do not name, anywhere in a parsed answer."""
    found: set[str] = {f"{path}{key}" for key in (model.model_extra or {})}
    for name in type(model).model_fields:
        value = getattr(model, name)
        prefix = f"{path}{name}[]." if isinstance(value, list) else f"{path}{name}."
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, BaseModel):
                found |= unknown_fields(item, path=prefix)
    return found
