"""What each upstream problem code means to a shopper: the form field it concerns and what to do.

Every code of the partner API's validation (`problems[].problem`) and its HTTP-level answers
(`detail`) has an entry; an unknown code still gets an honest generic message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.forms import plain
from storefront.i18n import join_sentences

# Where a problem is shown: a field of the checkout form, the beneficiary of one item, or the top.
EMAIL = "email"
PAYMENT = "payment"
FULL_NAME = "full_name"
PROMO = "promo_code"
BENEFICIARY = "beneficiary"
ITEMS = "items"
TOP = None


@dataclass(frozen=True)
class ProblemInfo:
    field: str | None
    message: Promise
    action: Promise | None = None


_COUPON_FIX = _("Check the code, or remove it to pay the full price.")
_LIMIT_FIX = _(
    "Spending limits apply to every Cryptorefills account; verified accounts get higher ones. "
    "Remove some items, or verify your identity with Cryptorefills using this email address."
)
_REMOVE_ITEM = _("Remove it from your cart to continue; the rest of your cart is kept.")
_RETRY = _(
    "Nothing was ordered and no payment was requested. Try again in a minute; everything you typed is kept."
)

PROBLEMS: dict[str, ProblemInfo] = {
    # Amount and limits
    "AMOUNT_LESS_THEN_MINIMUM_ALLOWED": ProblemInfo(
        ITEMS, _("The amount is below the minimum allowed."), _("Choose a higher amount or add another item.")
    ),
    "MAXIMUM_AMOUNT_PER_ORDER_EXCEEDED": ProblemInfo(
        ITEMS, _("This order is above the maximum allowed for one order."),
        _("Remove some items or lower an amount, and buy the rest in a second order."),
    ),
    "DAILY_SPENDING_LIMIT_EXCEEDED": ProblemInfo(
        TOP, _("This order would take you over your daily spending limit."), _LIMIT_FIX
    ),
    "MONTHLY_SPENDING_LIMIT_EXCEEDED": ProblemInfo(
        TOP, _("This order would take you over your monthly spending limit."), _LIMIT_FIX
    ),
    "PRODUCT_COUNT_EXCEEDED": ProblemInfo(
        ITEMS, _("An order can hold at most 10 items."), _("Lower a quantity or remove an item.")
    ),
    "MULTIPLE_LIMITED_PRODUCT_SAME_ORDER": ProblemInfo(
        ITEMS, _("Your cart holds more than one product that must be bought on its own."),
        _("Keep one of them in this order and buy the other in a separate order."),
    ),
    # Availability
    "NOT_AVAILABLE_PRODUCT": ProblemInfo(ITEMS, _("A product in your cart is not available."), _REMOVE_ITEM),
    "OUT_OF_STOCK": ProblemInfo(ITEMS, _("A product in your cart is out of stock."), _REMOVE_ITEM),
    "NOT_ACTIVE": ProblemInfo(
        ITEMS, _("A product in your cart is paused by the brand right now."), _REMOVE_ITEM
    ),
    "INVALID_BENEFICIARY_ACCOUNT": ProblemInfo(
        BENEFICIARY, _("This recipient can't receive this product."),
        _("Gift cards and eSIMs need an email address; top-ups need the phone number with its country code."),
    ),
    # Payment and network
    "NOT_ALLOWED_PAYMENT_VIA": ProblemInfo(PAYMENT, _("This payment method is not allowed for this order.")),
    "UNSUPPORTED_PROTOCOL_COIN_COMBINATION": ProblemInfo(
        PAYMENT, _("This coin can't be paid on this network."), _("Pick one of the supported pairs.")
    ),
    "SUSPENDED_COIN": ProblemInfo(
        PAYMENT, _("Payments in this coin are paused right now."), _("Pick another coin; your cart is kept.")
    ),
    "SUSPENDED_NETWORK": ProblemInfo(
        PAYMENT, _("Payments on this network are paused right now."),
        _("Pick another network for this coin; your cart is kept."),
    ),
    # Sign-in
    "LOGIN_REQUIRED": ProblemInfo(
        ITEMS, _("A product in your cart can only be bought with a signed-in Cryptorefills account."),
        _("This shop has no sign-in, so remove it from your cart, or buy it on cryptorefills.com."),
    ),
    "COUPON_REQUIRES_LOGIN": ProblemInfo(
        PROMO, _("This promo code only works for signed-in Cryptorefills accounts."),
        _("Remove the code to pay the full price."),
    ),
    # Coupons
    "COUPON_NOT_FOUND": ProblemInfo(PROMO, _("We don't know this promo code."), _COUPON_FIX),
    "COUPON_NOT_ACTIVE": ProblemInfo(PROMO, _("This promo code is not active yet."), _COUPON_FIX),
    "COUPON_ALREADY_SPENT": ProblemInfo(PROMO, _("This promo code has already been used."), _COUPON_FIX),
    "COUPON_MAX_USAGE_REACHED": ProblemInfo(PROMO, _("This promo code has been used up."), _COUPON_FIX),
    "COUPON_EXPIRED": ProblemInfo(PROMO, _("This promo code has expired."), _COUPON_FIX),
    "COUPON_BELOW_MIN_AMOUNT": ProblemInfo(
        PROMO, _("Your order is below the minimum amount for this promo code."),
        _("Add items to reach the minimum, or remove the code."),
    ),
    "COUPON_NOT_VALID_FOR_USER": ProblemInfo(
        PROMO, _("This promo code isn't valid for your account."), _COUPON_FIX
    ),
    "COUPON_NOT_VALID_FOR_CATEGORY": ProblemInfo(
        PROMO, _("This promo code isn't valid for this category of products."), _COUPON_FIX
    ),
    "COUPON_NOT_VALID_FOR_KIND": ProblemInfo(
        PROMO, _("This promo code isn't valid for this kind of product."), _COUPON_FIX
    ),
    "COUPON_NOT_VALID_FOR_BRAND": ProblemInfo(
        PROMO, _("This promo code isn't valid for this brand."), _COUPON_FIX
    ),
    "COUPON_NOT_VALID_FOR_COUNTRY": ProblemInfo(
        PROMO, _("This promo code isn't valid for this country."), _COUPON_FIX
    ),
    "COUPON_NOT_VALID_FOR_STORE": ProblemInfo(
        PROMO, _("This promo code isn't valid in this shop."), _COUPON_FIX
    ),
    # Compliance
    "KYC_MISSING": ProblemInfo(
        TOP, _("Cryptorefills needs to verify your identity before it can accept this order."),
        _("Verify your identity on cryptorefills.com with this same email address, then place the order "
          "again. A smaller order may not need it. Nothing was ordered and your cart is kept."),
    ),
    "KYC_PENDING": ProblemInfo(
        TOP, _("Your identity verification is still being reviewed."),
        _("This usually takes about 20 minutes and can take up to 48 hours. Try again later; "
          "your cart is kept and nothing was ordered."),
    ),
    "VERIFICATION_REQUIRED": ProblemInfo(
        TOP, _("An extra verification is needed for this order."),
        _("Complete the verification Cryptorefills sent to your email address (or on cryptorefills.com), "
          "then place the order again. Nothing was ordered."),
    ),
    "FULLNAME_MISSING": ProblemInfo(
        FULL_NAME, _("Payments on Tron need your full name."),
        _("Enter your full name, or pick another network."),
    ),
    # HTTP-level answers and failures of the call itself
    "BAD_REQUEST": ProblemInfo(
        TOP, _("Our supplier could not read this order."),
        _("Nothing was ordered. Please check your details and try again; if it keeps happening, contact us."),
    ),
    "VALIDATION_FAILED": ProblemInfo(
        TOP, _("Our supplier refused this order."),
        _("Nothing was ordered. Fix the problems shown and try again."),
    ),
    "RATE_LIMITED": ProblemInfo(
        TOP, _("Too many orders are being checked right now."),
        _("Nothing was ordered. Wait a minute and try again; everything you typed is kept."),
    ),
    "UPSTREAM_ERROR": ProblemInfo(
        TOP, _("Our supplier had an error while checking your order."),
        _RETRY,
    ),
    "UPSTREAM_TIMEOUT": ProblemInfo(
        TOP, _("Our supplier took too long to check your order."),
        _RETRY,
    ),
    "UPSTREAM_UNREACHABLE": ProblemInfo(
        TOP, _("We couldn't reach our supplier to check your order."),
        _RETRY,
    ),
}

# The codes of API-NOTES that come in `problems` (the rest above are HTTP-level or ours).
VALIDATION_CODES: tuple[str, ...] = (
    "AMOUNT_LESS_THEN_MINIMUM_ALLOWED", "MAXIMUM_AMOUNT_PER_ORDER_EXCEEDED", "DAILY_SPENDING_LIMIT_EXCEEDED",
    "MONTHLY_SPENDING_LIMIT_EXCEEDED", "PRODUCT_COUNT_EXCEEDED", "MULTIPLE_LIMITED_PRODUCT_SAME_ORDER",
    "NOT_AVAILABLE_PRODUCT", "OUT_OF_STOCK", "NOT_ACTIVE", "INVALID_BENEFICIARY_ACCOUNT",
    "NOT_ALLOWED_PAYMENT_VIA", "UNSUPPORTED_PROTOCOL_COIN_COMBINATION", "LOGIN_REQUIRED",
    "COUPON_REQUIRES_LOGIN", "COUPON_NOT_FOUND", "COUPON_NOT_ACTIVE", "COUPON_ALREADY_SPENT",
    "COUPON_MAX_USAGE_REACHED", "COUPON_EXPIRED", "COUPON_BELOW_MIN_AMOUNT", "COUPON_NOT_VALID_FOR_USER",
    "COUPON_NOT_VALID_FOR_CATEGORY", "COUPON_NOT_VALID_FOR_KIND", "COUPON_NOT_VALID_FOR_BRAND",
    "COUPON_NOT_VALID_FOR_COUNTRY", "COUPON_NOT_VALID_FOR_STORE", "KYC_MISSING", "KYC_PENDING",
    "VERIFICATION_REQUIRED", "FULLNAME_MISSING",
)
HTTP_CODES: tuple[str, ...] = ("SUSPENDED_COIN", "SUSPENDED_NETWORK", "BAD_REQUEST", "VALIDATION_FAILED")

PAYMENT_VIA_NAMES = {"USER_WALLET": _("your own wallet (USER_WALLET)")}


@dataclass(frozen=True)
class ExplainedProblem:
    """One problem as the shopper reads it, and where it goes on the page."""

    code: str
    field: str | None
    message: str
    details: str = ""
    action: str = ""
    # For item problems: which delivery the upstream named (brand, country, denomination, beneficiary).
    where: dict[str, Any] | None = None

    @property
    def text(self) -> str:
        """Return the message, details and action as one sentence group."""
        return join_sentences((self.message, self.details, self.action))


def _pairs_text(pairs: Iterable[Any]) -> str:
    names = []
    for pair in pairs:
        if isinstance(pair, dict) and pair.get("coin") and pair.get("network"):
            names.append(format_lazy(_("{coin} on {network}"), coin=pair["coin"], network=pair["network"]))
        elif isinstance(pair, str):
            names.append(pair)
    return ", ".join(str(n) for n in names)


def _named_list(more: Any, *keys: str) -> list[Any] | None:
    """Return the list the upstream gave, bare or under one of `keys` ({"allowed": [...]})."""
    if isinstance(more, list):
        return more
    if isinstance(more, dict):
        for key in keys:
            if isinstance(more.get(key), list):
                return more[key]
    return None


def _supported_networks(text: str) -> str:
    """Return the network names of "USDC is supported on: Solana, Base" ("" if it says otherwise)."""
    _head, sep, tail = text.partition(":")
    names = [name.strip() for name in tail.split(",") if name.strip()] if sep else []
    # Network names only: a sentence of the upstream's is not shown to the shopper as it is.
    if not names or any(len(name) > 40 for name in names):
        return ""
    return ", ".join(names)


def describe_more_details(code: str, more: Any) -> str:
    """Put the upstream's `moreDetails` of a problem into the shop's words ("" when nothing useful).

    moreDetails comes as an object (the allowed kinds, supported pairs, a reason...) or as a string;
    only facts the shopper can act on are kept (the upstream's own sentences are English and meant
    for developers), so nothing is shown raw.
    """
    if more is None or more == "":
        return ""
    if code == "NOT_ALLOWED_PAYMENT_VIA":
        allowed = _named_list(more, "allowed", "allowed_payment_vias", "payment_vias")
        if allowed:
            names = ", ".join(str(PAYMENT_VIA_NAMES.get(str(m), m)) for m in allowed if isinstance(m, str))
            return gettext("Allowed payment methods: %(allowed)s.") % {"allowed": names}
        return ""
    if code == "UNSUPPORTED_PROTOCOL_COIN_COMBINATION":
        pairs = _named_list(more, "supported", "pairs", "allowed")
        if pairs:
            return gettext("Supported coin and network pairs: %(pairs)s.") % {"pairs": _pairs_text(pairs)}
        if isinstance(more, str) and _supported_networks(more):
            return gettext("Supported networks: %(networks)s.") % {"networks": _supported_networks(more)}
        return ""
    if isinstance(more, dict):
        if "min" in more and "max" in more:
            return gettext("Allowed amounts: %(min)s to %(max)s %(currency)s.") % {
                "min": more["min"], "max": more["max"], "currency": more.get("currency", "")}
        if "min_usd" in more:
            return gettext("The minimum is %(amount)s USD.") % {"amount": more["min_usd"]}
        if "max_usd" in more:
            return gettext("The maximum per order is %(amount)s USD.") % {"amount": more["max_usd"]}
        if "limit_usd" in more:
            return gettext("The limit is %(amount)s USD.") % {"amount": more["limit_usd"]}
        if "max" in more and "count" in more:
            return gettext("Your cart has %(count)s; the maximum is %(max)s.") % more
        if more.get("expected") == "E.164 phone number":
            return gettext("Expected a phone number with its country code, like +14155551234.")
        if more.get("expected") == "email address":
            return gettext("Expected an email address.")
        if "coin" in more and "network" in more:
            return gettext("%(coin)s on %(network)s.") % more
        if "coin" in more:
            return gettext("Coin: %(coin)s.") % more
        # {"reason": "..."} and the like: the message above already says it in the shop's words.
        return ""
    if isinstance(more, list):
        return ", ".join(str(m) for m in more if isinstance(m, str | int))
    return ""


def below_network_minimum(*, coin: str, network: str, minimum: Decimal, amount: Decimal) -> ExplainedProblem:
    """Return the problem of an order under the least amount a network accepts (its `threshold`)."""
    return ExplainedProblem(
        code="BELOW_NETWORK_MINIMUM",
        field=PAYMENT,
        message=gettext(
            "Payments on %(network)s must be at least %(minimum)s %(coin)s; "
            "this order comes to %(amount)s %(coin)s."
        ) % {"network": network, "coin": coin, "minimum": plain(minimum), "amount": plain(amount)},
        action=gettext("Pick another network, or add to your cart."),
    )


def _where(more: Any) -> dict[str, Any] | None:
    if isinstance(more, dict) and more.get("brand_name"):
        return {k: more.get(k) for k in ("brand_name", "country_code", "denomination", "beneficiary_account")}
    return None


def explain_problem(code: str, more_details: Any = None) -> ExplainedProblem:
    """Return what a problem code (with its moreDetails) means to the shopper."""
    info = PROBLEMS.get(code)
    if info is None:
        return ExplainedProblem(
            code=code,
            field=TOP,
            message=gettext("Our supplier can't accept this order (%(code)s).") % {"code": code},
            action=gettext(
                "Nothing was ordered. Check your details and try again, or contact us with this code."
            ),
        )
    where = _where(more_details)
    message = str(info.message)
    if where and info.field in (ITEMS, BENEFICIARY):
        item = " ".join(str(where[k]) for k in ("brand_name", "denomination") if where.get(k))
        message = f"{item}: {message}"
    return ExplainedProblem(
        code=code,
        field=info.field,
        message=message,
        details=describe_more_details(code, more_details),
        action=str(info.action) if info.action else "",
        where=where,
    )
