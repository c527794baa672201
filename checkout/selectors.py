"""Reads for the cart and checkout: cart lines resolved against the catalog, prices, payment options."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from catalog.selectors import find_product, get_payment_vias, get_price
from orders.models import Order
from orders.states import OrderState
from storefront.numbers import plain_number
from storefront.upstream import errors, schemas
from storefront.upstream.client import EndUser
from storefront.upstream.networks import DEFAULT_COIN, DEFAULT_NETWORK, WALLET_VIA, is_stablecoin

from .cart import CartLine

logger = logging.getLogger(__name__)

RECOMMENDED = (DEFAULT_COIN, DEFAULT_NETWORK)
PAYMENT_VIA = WALLET_VIA
TRON = "tron"


@dataclass(frozen=True)
class CartItem:
    """A cart line with what the catalog says about it now (product None when it is gone)."""

    line: CartLine
    product: schemas.Product | None
    unit_coin_amount: Decimal | None = None

    @property
    def id(self) -> str:
        return self.line.id

    @property
    def available(self) -> bool:
        return self.product is not None and not self.product.is_out_of_stock

    @property
    def brand_name(self) -> str:
        """Return the exact brand the order names ("Lycamobile Bundle"), else the family."""
        return (self.product.brand_name if self.product else None) or self.line.family

    @property
    def kind(self) -> str:
        """Return the shop's kind of the product: giftcard, mobile_recharge or esim."""
        return self.product.shop_kind if self.product else "giftcard"

    @property
    def needs_phone(self) -> bool:
        """Return whether the beneficiary is a phone number: per product (some top-ups come by email)."""
        return self.product is not None and self.product.delivered_by_phone

    @property
    def currency(self) -> str:
        return (self.product.currency if self.product else None) or ""

    @property
    def face_value(self) -> Decimal | None:
        if self.line.product_value is not None:
            return self.line.product_value
        return self.product.value if self.product else None

    @property
    def label(self) -> str:
        """Return the denomination as the shopper reads it ("$25", "1 GB 7 days", "12 USD")."""
        if self.line.product_value is not None:
            return f"{plain_number(self.line.product_value)} {self.currency}".strip()
        if self.product is not None:
            return self.product.label
        return self.line.denomination

    @property
    def line_coin_amount(self) -> Decimal | None:
        if self.unit_coin_amount is None:
            return None
        return self.unit_coin_amount * self.line.quantity


@dataclass(frozen=True)
class CartSummary:
    items: list[CartItem]
    coin: str

    @property
    def count(self) -> int:
        return sum(item.line.quantity for item in self.items)

    @property
    def total(self) -> Decimal | None:
        """Return the sum of the line amounts, or None when one of them is unknown."""
        amounts = [item.line_coin_amount for item in self.items]
        if not amounts or any(a is None for a in amounts):
            return None
        return sum(amounts, Decimal(0))

    @property
    def all_available(self) -> bool:
        return bool(self.items) and all(item.available for item in self.items)


@dataclass(frozen=True)
class PaymentOption:
    coin: str
    network: str
    suspended: bool
    # The least amount of `coin` this network accepts (the upstream's `threshold`), if it names one.
    minimum: Decimal | None = None

    @property
    def value(self) -> str:
        return f"{self.coin}|{self.network}"

    @property
    def recommended(self) -> bool:
        return (self.coin, self.network.casefold()) == (RECOMMENDED[0], RECOMMENDED[1].casefold())

    @property
    def needs_full_name(self) -> bool:
        return self.network.casefold() == TRON

    def below_minimum(self, amount: Decimal | None) -> bool:
        """Return whether paying `amount` of this coin on this network is under what it accepts."""
        return amount is not None and self.minimum is not None and amount < self.minimum


def get_cart_summary(*, lines: list[CartLine], coin: str, lang: str, end_user: EndUser) -> CartSummary:
    """Resolve the cart's lines against the catalog, priced in `coin`."""
    items = []
    for line in lines:
        product = find_product(
            country_code=line.country_code, family=line.family, product_id=line.product_id, coin=coin,
            lang=lang, end_user=end_user,
        )
        unit = None
        if product is not None:
            unit = product.coin_amount if line.product_value is None else _range_price(
                product=product, country_code=line.country_code, value=line.product_value, coin=coin,
                end_user=end_user,
            )
        items.append(CartItem(line=line, product=product, unit_coin_amount=unit))
    return CartSummary(items=items, coin=coin)


def _range_price(
    *, product: schemas.Product, country_code: str, value: Decimal, coin: str, end_user: EndUser
) -> Decimal | None:
    """Return the coin amount of a custom face value, or None if the upstream won't price it."""
    try:
        price = get_price(country_code=country_code, brand_name=product.brand_name or "", face_value=value,
                          coin=coin, end_user=end_user)
    except errors.UpstreamStatusError as exc:
        logger.info("no price for %s %s: %s", product.brand_name, value, exc)
        return None
    return price.coin_amount


def get_payment_options(*, end_user: EndUser) -> list[PaymentOption]:
    """Return the stablecoins and networks of the shopper's own wallet, paused ones too (shown disabled).

    Other payment vias (exchanges' pay buttons) and other coins the upstream lists are not offered.
    """
    options: list[PaymentOption] = []
    for via in get_payment_vias(end_user=end_user):
        if not (via.is_wallet and via.available):
            continue
        for currency in via.currencies:
            if not is_stablecoin(currency.name):
                continue
            for network in currency.networks:
                options.append(PaymentOption(
                    coin=currency.name.upper(), network=network.name,
                    suspended=currency.is_suspended or network.is_suspended,
                    minimum=network.threshold if network.threshold is not None else currency.threshold,
                ))
    return options


@dataclass(frozen=True)
class CoinGroup:
    coin: str
    options: list[PaymentOption]

    @property
    def suspended(self) -> bool:
        return all(o.suspended for o in self.options)


def group_payment_options(options: list[PaymentOption]) -> list[CoinGroup]:
    """Group the options by coin: the recommended coin first, paused coins last."""
    coins: dict[str, list[PaymentOption]] = {}
    for option in options:
        coins.setdefault(option.coin, []).append(option)
    groups = [CoinGroup(coin=coin, options=sorted(opts, key=lambda o: not o.recommended))
              for coin, opts in coins.items()]
    return sorted(groups, key=lambda g: (g.suspended, g.coin != RECOMMENDED[0]))


@dataclass(frozen=True)
class PreviousInput:
    """What the shopper entered for an order that was not placed, to fill the checkout form again."""

    reference: str
    email: str
    payment: str
    full_name: str
    promo_code: str
    accepted_newsletter: bool
    # Cart line id -> the recipient entered for it ("" where the shopper left it to their own email).
    beneficiaries: dict[str, str]


def _product_key(country_code: str, family: str, denomination: str, value: Decimal | None) -> tuple:
    return (country_code.upper(), family.lower(), denomination, value)


def get_failed_checkout_input(*, order_token: str, items: list[CartItem]) -> PreviousInput | None:
    """Return what was entered for the order `order_token` if it failed to be placed, else None.

    The recipients are read from the order's items and matched to the cart's lines by product, so a
    line added since is left empty and a removed one is ignored.
    """
    if not order_token:
        return None
    order = Order.objects.filter(token=order_token, state=OrderState.SUBMIT_FAILED).first()
    if order is None:
        return None
    accounts: dict[tuple, str] = {}
    for row in order.items.all():
        key = _product_key(row.country_code, row.family, row.denomination, row.product_value)
        accounts.setdefault(key, row.beneficiary_account)
    beneficiaries = {}
    for item in items:
        line = item.line
        key = _product_key(line.country_code, line.family, line.denomination, line.product_value)
        account = accounts.get(key)
        if account is None:
            continue
        # A gift card left without a recipient was sent to the buyer's email: show it empty again.
        own = not item.needs_phone and account.casefold() == order.email.casefold()
        beneficiaries[line.id] = "" if own else account
    return PreviousInput(
        reference=order.reference, email=order.email, payment=f"{order.coin}|{order.network}",
        full_name=order.full_name, promo_code=order.promo_code,
        accepted_newsletter=order.accepted_newsletter, beneficiaries=beneficiaries,
    )
