"""Order validation: the problem rules shared by /v5/orders/validations and /v5/orders."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from . import localization, pricing
from .catalog import BY_PHONE, Brand, Catalog, Product
from .coupons import check_coupon
from .http import HttpError
from .pricing import CENT
from .shapes import plain, points

PROBLEM_CODES: tuple[str, ...] = (
    "AMOUNT_LESS_THEN_MINIMUM_ALLOWED",
    "MAXIMUM_AMOUNT_PER_ORDER_EXCEEDED",
    "DAILY_SPENDING_LIMIT_EXCEEDED",
    "MONTHLY_SPENDING_LIMIT_EXCEEDED",
    "PRODUCT_COUNT_EXCEEDED",
    "MULTIPLE_LIMITED_PRODUCT_SAME_ORDER",
    "NOT_AVAILABLE_PRODUCT",
    "OUT_OF_STOCK",
    "NOT_ACTIVE",
    "INVALID_BENEFICIARY_ACCOUNT",
    "NOT_ALLOWED_PAYMENT_VIA",
    "UNSUPPORTED_PROTOCOL_COIN_COMBINATION",
    "LOGIN_REQUIRED",
    "COUPON_REQUIRES_LOGIN",
    "COUPON_NOT_FOUND",
    "COUPON_NOT_ACTIVE",
    "COUPON_ALREADY_SPENT",
    "COUPON_MAX_USAGE_REACHED",
    "COUPON_EXPIRED",
    "COUPON_BELOW_MIN_AMOUNT",
    "COUPON_NOT_VALID_FOR_USER",
    "COUPON_NOT_VALID_FOR_CATEGORY",
    "COUPON_NOT_VALID_FOR_KIND",
    "COUPON_NOT_VALID_FOR_BRAND",
    "COUPON_NOT_VALID_FOR_COUNTRY",
    "COUPON_NOT_VALID_FOR_STORE",
    "KYC_MISSING",
    "KYC_PENDING",
    "VERIFICATION_REQUIRED",
    "FULLNAME_MISSING",
)

MAX_DELIVERIES = 10
MIN_ORDER_USD = Decimal("2")
MAX_ORDER_USD = Decimal("1500")
DAILY_LIMIT_USD = Decimal("1000")
MONTHLY_LIMIT_USD = Decimal("3000")
DAY_SECONDS = 86400
SLOW_SECONDS = 3.0
RETRY_AFTER_SECONDS = 2
FORCED = {"reason": "Forced by the buyer email (sandbox)."}

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+\d{8,15}$")

SpentSince = Callable[[str, float], Decimal]


@dataclass
class Item:
    """One resolved delivery: what it is, who gets it, what it costs, and its answer's deliverable."""

    brand: Brand
    product: Product
    value: Decimal
    beneficiary: str
    usd: Decimal
    coin_amount: Decimal | None
    deliverable: dict = field(default_factory=dict)

    @property
    def category(self) -> str:
        """Return the brand's category."""
        return self.brand.category

    @property
    def kind(self) -> str:
        """Return the brand's kind (giftcard or mobile_recharge)."""
        return self.brand.kind

    @property
    def family(self) -> str:
        """Return the brand's family (display name)."""
        return self.brand.family

    @property
    def country_code(self) -> str:
        """Return the brand's country."""
        return self.brand.country_code


@dataclass
class Validation:
    """The outcome of validating an order body."""

    email: str
    coin: str
    network: str
    lang: str
    items: list[Item]
    deliveries: list[dict]
    problems: list[dict] = field(default_factory=list)
    usd_total: Decimal = Decimal(0)
    coin_total: Decimal | None = None
    discount: Decimal = Decimal("0.00")
    promo_code: str | None = None

    @property
    def coin_amount(self) -> Decimal | None:
        """Return what the buyer pays, discount applied."""
        return None if self.coin_total is None else self.coin_total - self.discount

    def add(self, problem: str, more_details: object = None) -> None:
        """Record a problem once."""
        entry: dict = {"problem": problem}
        if more_details is not None:
            entry["moreDetails"] = more_details
        if entry not in self.problems:
            self.problems.append(entry)

    @property
    def coupon_code(self) -> str | None:
        """Return the promo code when it applied."""
        return self.promo_code if self.discount else None

    def as_json(self) -> dict:
        """Return the Validation shape: `problems` is null when the order is valid, as live."""
        return {
            "coin": self.coin,
            "coin_amount": plain(self.coin_amount),
            "original_coin_amount": plain(self.coin_total),
            "coupon_code": self.coupon_code,
            "loyalty_summary": None,
            "deliveries": self.deliveries,
            "problems": self.problems or None,
        }


def buyer_email(body: dict) -> str:
    """Return the buyer's email from ``email`` or ``user.email``."""
    user = body.get("user") if isinstance(body.get("user"), dict) else {}
    email = body.get("email") or user.get("email")
    if not isinstance(email, str) or not email.strip():
        raise HttpError(400, "BAD_REQUEST", "email (or user.email) is required.")
    return email.strip()


def email_trigger(email: str) -> str:
    """Return the lower-case local part of an email, which selects sandbox behaviours."""
    return email.split("@", 1)[0].lower()


def suspended_coin(coin: str) -> dict:
    """Return the moreDetails of SUSPENDED_COIN: an object, as live."""
    return {"coin": coin, "reason": "Temporarily suspended"}


def suspended_network(network: str) -> str:
    """Return the moreDetails of SUSPENDED_NETWORK: a string, as live."""
    return f"{network} is temporarily suspended"


def apply_http_triggers(email: str, sleep: Callable[[float], None] = time.sleep) -> None:
    """Fail or slow down the request when the buyer email asks for it."""
    trigger = email_trigger(email)
    if trigger == "http_500":
        raise HttpError(500, "INTERNAL_ERROR", "Forced by http_500@ buyer email.")
    if trigger == "suspended_coin":
        raise HttpError(400, "SUSPENDED_COIN", suspended_coin("USDC"))
    if trigger == "suspended_network":
        raise HttpError(400, "SUSPENDED_NETWORK", suspended_network("Solana"))
    if trigger == "rate_limited":
        raise HttpError(
            429,
            "TOO_MANY_REQUESTS",
            headers=[
                ("Retry-After", str(RETRY_AFTER_SECONDS)),
                ("X-RateLimit-Limit", "60"),
                ("X-RateLimit-Remaining", "0"),
            ],
        )
    if trigger == "slow":
        sleep(SLOW_SECONDS)


def flat_deliveries(body: dict) -> list[dict]:
    """Return the deliveries as flat dicts, expanding the nested shape and its quantity."""
    raw = body.get("deliveries")
    if not isinstance(raw, list) or not raw:
        raise HttpError(400, "BAD_REQUEST", "deliveries must be a non-empty list.")
    flat: list[dict] = []
    for entry in raw:
        if not isinstance(entry, dict):
            raise HttpError(400, "BAD_REQUEST", "Each delivery must be an object.")
        if isinstance(entry.get("deliverable"), dict):
            quantity = entry.get("quantity", 1)
            if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
                raise HttpError(400, "BAD_REQUEST", "quantity must be a positive integer.")
            flat.extend(dict(entry["deliverable"]) for _ in range(quantity))
        else:
            flat.append(entry)
    return flat


def _decimal(value: object) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise HttpError(400, "BAD_REQUEST", f"product_value {value!r} is not a number.") from None
    if not number.is_finite():
        raise HttpError(400, "BAD_REQUEST", f"product_value {value!r} is not a number.")
    return number


def _beneficiary_ok(product: Product, account: str) -> bool:
    # Per product, as live: most top-ups reach a phone, some (PIN plans) an email.
    pattern = PHONE_RE if product.delivery_type == BY_PHONE else EMAIL_RE
    return bool(pattern.match(account))


def _delivery_json(kind: str, deliverable: dict) -> dict:
    return {"id": str(uuid.uuid4()), "delivery_state": "Created", "kind": kind, "deliverable": deliverable}


class Validator:
    """Check an order body against the catalog, the payment vias and the buyer's history."""

    def __init__(self, catalog: Catalog, spent_since: SpentSince, clock: Callable[[], float] = time.time):
        self.catalog = catalog
        self.spent_since = spent_since
        self.clock = clock

    def validate(self, body: dict) -> Validation:
        """Return the validation of ``body``; HTTP-level failures raise HttpError."""
        email = buyer_email(body)
        apply_http_triggers(email)
        payment = body.get("payment")
        if not isinstance(payment, dict):
            raise HttpError(400, "BAD_REQUEST", "payment must be an object.")
        coin_name = str(payment.get("coin") or "")
        network_name = str(payment.get("network") or "Solana")
        coin = pricing.canonical_coin(coin_name)
        network = pricing.canonical_network(network_name)
        if coin in pricing.SUSPENDED_COINS:
            raise HttpError(400, "SUSPENDED_COIN", suspended_coin(coin))
        pair = pricing.find_network(coin, network) if coin and network else None
        if pair is not None and pair.suspended:
            raise HttpError(400, "SUSPENDED_NETWORK", suspended_network(network))
        deliveries = flat_deliveries(body)
        lang = str(body.get("lang") or "en")
        result = Validation(
            email=email,
            coin=coin or coin_name,
            network=network or network_name,
            lang=lang,
            items=[],
            deliveries=[],
        )
        if payment.get("payment_via", pricing.PAYMENT_VIA) != pricing.PAYMENT_VIA:
            result.add("NOT_ALLOWED_PAYMENT_VIA", {"allowed": [pricing.PAYMENT_VIA]})
        if pair is None:
            # A string, as the live API sends it for this problem (others come as objects).
            result.add("UNSUPPORTED_PROTOCOL_COIN_COMBINATION", pricing.supported_pairs_text(coin))
        user = body.get("user") if isinstance(body.get("user"), dict) else {}
        if network == "Tron" and not str(user.get("full_name") or "").strip():
            result.add("FULLNAME_MISSING")
        if len(deliveries) > MAX_DELIVERIES:
            result.add("PRODUCT_COUNT_EXCEEDED", {"max": MAX_DELIVERIES, "count": len(deliveries)})
        fee_coin = coin if pair is not None else None
        for delivery in deliveries:
            self._check_delivery(result, delivery, fee_coin)
        self._check_totals(result, body)
        below_minimum = any(p["problem"] == "AMOUNT_LESS_THEN_MINIMUM_ALLOWED" for p in result.problems)
        if (
            pair
            and result.coin_amount is not None
            and result.coin_amount < pair.threshold
            and not below_minimum
        ):
            result.add(
                "AMOUNT_LESS_THEN_MINIMUM_ALLOWED",
                {"network": pair.name, "threshold": format(pair.threshold, "f"), "coin": pair.coin},
            )
        forced = email_trigger(email).upper()
        if forced in PROBLEM_CODES:
            result.add(forced, FORCED)
        return result

    def _check_delivery(self, result: Validation, delivery: dict, coin: str | None) -> None:
        name = str(delivery.get("brand_name") or "")
        country_code = str(delivery.get("country_code") or "").upper()
        denomination = str(delivery.get("denomination") or "")
        account = str(delivery.get("beneficiary_account") or "").strip()
        where = {"brand_name": name, "country_code": country_code, "denomination": denomination}
        brand = self.catalog.find_brand(country_code, name)
        product = brand.find_product(denomination) if brand else None
        if brand is None or product is None:
            deliverable = {
                "denomination": denomination,
                "brand_name": name,
                "beneficiary_account": account,
                "country_code": country_code,
            }
            result.deliveries.append(_delivery_json(str(delivery.get("kind") or "giftcard"), deliverable))
            result.add("NOT_AVAILABLE_PRODUCT", where)
            return
        if product.value_range is None:
            value = product.face_value
        else:
            if delivery.get("product_value") is None:
                raise HttpError(400, "BAD_REQUEST", "product_value is required for a range product.")
            value = _decimal(delivery["product_value"])
            allowed = {
                "min": plain(product.value_range.low),
                "max": plain(product.value_range.high),
                "step_size": plain(product.value_range.step),
                "currency": brand.currency,
            }
            if value < product.value_range.low:
                result.add("AMOUNT_LESS_THEN_MINIMUM_ALLOWED", {**where, **allowed})
            elif not product.value_range.allows(value):
                result.add("NOT_AVAILABLE_PRODUCT", {**where, "product_value": plain(value), **allowed})
        if "paused" in brand.flags:
            result.add("NOT_ACTIVE", where)
        if product.out_of_stock or "oos" in brand.flags:
            result.add("OUT_OF_STOCK", where)
        if "login" in brand.flags:
            result.add("LOGIN_REQUIRED", where)
        if not _beneficiary_ok(product, account):
            expected = "E.164 phone number" if product.delivery_type == BY_PHONE else "email address"
            result.add(
                "INVALID_BENEFICIARY_ACCOUNT", {**where, "beneficiary_account": account, "expected": expected}
            )
        usd = pricing.to_usd(value, brand.currency)
        amount = pricing.coin_amount(usd, coin) if coin else None
        lang = localization.pick_lang(result.lang)
        deliverable: dict = {
            # A range purchase echoes its value as the denomination ("25 USD"), as live.
            "denomination": product.denomination
            if product.value_range is None
            else f"{plain(value)} {brand.currency}",
            "localized_denomination": (
                localization.esim_plan(*product.esim_plan, lang)
                if product.esim_plan
                else localization.money(value, brand.currency, lang)
            ),
            "family": brand.family,
            "brand_name": brand.name,
        }
        if product.value_range is not None:
            deliverable["product_value"] = float(value)
        deliverable.update(
            beneficiary_account=account,
            country_code=brand.country_code,
            delivery_type=product.delivery_type,
            points=points(usd),
            coin_amount=plain(amount),
            original_price=plain(amount),
            currency_code=brand.currency,
        )
        result.deliveries.append(_delivery_json(brand.kind, deliverable))
        result.items.append(Item(brand, product, value, account, usd, amount, deliverable))

    def _check_totals(self, result: Validation, body: dict) -> None:
        items = result.items
        result.usd_total = sum((item.usd for item in items), Decimal(0))
        if all(item.coin_amount is not None for item in items) and items:
            result.coin_total = sum((item.coin_amount for item in items), Decimal("0.00"))
        if sum(1 for item in items if "limited" in item.brand.flags) > 1:
            result.add("MULTIPLE_LIMITED_PRODUCT_SAME_ORDER")
        if items and result.usd_total < MIN_ORDER_USD:
            result.add("AMOUNT_LESS_THEN_MINIMUM_ALLOWED", {"min_usd": plain(MIN_ORDER_USD)})
        if result.usd_total > MAX_ORDER_USD:
            result.add("MAXIMUM_AMOUNT_PER_ORDER_EXCEEDED", {"max_usd": plain(MAX_ORDER_USD)})
        if result.usd_total > 0:
            now = self.clock()
            email = result.email.lower()
            if self.spent_since(email, now - DAY_SECONDS) + result.usd_total > DAILY_LIMIT_USD:
                result.add("DAILY_SPENDING_LIMIT_EXCEEDED", {"limit_usd": plain(DAILY_LIMIT_USD)})
            if self.spent_since(email, now - 30 * DAY_SECONDS) + result.usd_total > MONTHLY_LIMIT_USD:
                result.add("MONTHLY_SPENDING_LIMIT_EXCEEDED", {"limit_usd": plain(MONTHLY_LIMIT_USD)})
        promo = body.get("promo_code")
        if isinstance(promo, str) and promo.strip():
            result.promo_code = promo.strip()
            problem, rate = check_coupon(promo, items, result.usd_total)
            if problem:
                result.add(problem, {"promo_code": promo})
            elif result.coin_total is not None:
                result.discount = (result.coin_total * rate).quantize(CENT)
