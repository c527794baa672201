"""What a shopper's wallet needs to pay an order: the payment URI and its QR code."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from functools import lru_cache

import segno
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from storefront.numbers import plain_number
from storefront.upstream.errors import UpstreamError
from storefront.upstream.networks import EvmChain, chain_id_of, evm_chain, known_contract

from .models import Order

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TokenContract:
    address: str
    decimals: int = 6
    chain_id: int | None = None  # as the payment via reports it, when it does


@dataclass(frozen=True)
class PaymentRequest:
    """What is due, as every wallet path asks for it. Each value is machine-exact text, never
    localized, so the link, the QR code and the browser wallet's request say the same thing."""

    address: str  # where the coins go
    amount: str  # what is due in whole tokens ("12.74"), at most `decimals` places
    qr_text: str  # what the QR code carries: `uri`, else the upstream's qr_text, else the address
    uri: str = ""  # a Solana Pay or EIP-681 URI for "Open in your wallet"; empty where none exists
    token: str = ""  # the token contract (EVM) or mint (Solana)
    decimals: str = ""
    chain_id: str = ""  # EVM only, in decimal
    units: str = ""  # EVM only: the amount in the token's base units
    chain: EvmChain | None = None  # EVM only, when the shop knows how to add it and its explorer

    @property
    def chain_id_hex(self) -> str:
        return hex(int(self.chain_id)) if self.chain_id else ""

    @property
    def is_evm(self) -> bool:
        return bool(self.chain_id and self.token)


def plain_amount(value: Decimal | None) -> str:
    """Return a coin amount without exponent or trailing zeros ("12.740000000" -> "12.74")."""
    return plain_number(value)


def amount_to_send(order: Order) -> Decimal | None:
    """Return what the shopper still has to send: the rest after a partial payment, else the whole."""
    if order.coin_amount_due is not None and order.coin_amount_paid:
        return order.coin_amount_due
    return order.coin_amount


def round_up_to_decimals(amount: Decimal, decimals: int) -> Decimal:
    """Return `amount` in whole tokens a wallet can send: rounded up to the token's smallest unit,
    because sending one unit less than due leaves the order partly paid."""
    return amount.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_CEILING)


def base_units(amount: Decimal, decimals: int) -> int:
    """Return `amount` in the token's base units (12.74 at 6 decimals -> 12740000), exactly."""
    return int(round_up_to_decimals(amount, decimals).scaleb(decimals))


def find_contract(*, coin: str, network: str, end_user) -> TokenContract | None:
    """Return the token contract (and chain id) the payment vias report, else the documented one."""
    from catalog.selectors import get_payment_vias

    try:
        vias = get_payment_vias(end_user=end_user)
    except UpstreamError as exc:
        logger.info("payment vias unavailable for a QR code: %s", exc)
        vias = []
    for via in vias:
        for currency in via.currencies:
            if currency.name.upper() != coin.upper():
                continue
            for net in currency.networks:
                contract = net.smart_contract
                if net.name.casefold() == network.casefold() and contract and contract.address:
                    return TokenContract(contract.address, contract.decimals or 6, net.chain_id)
    known = known_contract(coin=coin, network=network)
    return TokenContract(known) if known else None


def build_payment_request(*, order: Order, end_user) -> PaymentRequest | None:
    """Return what a wallet must send for this order now (what is still due after a partial payment),
    as a Solana Pay or EIP-681 URI where one exists; None without an address or an amount."""
    due = amount_to_send(order)
    if due is None or not order.wallet_address:
        return None
    address = order.wallet_address
    # The upstream's qr_text asks for the whole amount even after a partial payment (live fixture).
    fallback = order.qr_text if order.qr_text and not order.coin_amount_paid else address
    network = order.network.strip().casefold()
    contract = None if network == "tron" else find_contract(
        coin=order.coin, network=order.network, end_user=end_user
    )
    if contract is None:
        return PaymentRequest(address=address, amount=plain_amount(due), qr_text=fallback)
    amount = plain_amount(round_up_to_decimals(due, contract.decimals))
    if network == "solana":
        uri = f"solana:{address}?amount={amount}&spl-token={contract.address}"
        return PaymentRequest(
            address=address, amount=amount, qr_text=uri, uri=uri, token=contract.address,
            decimals=str(contract.decimals),
        )
    chain_id = contract.chain_id or chain_id_of(order.network)
    if chain_id is None:
        return PaymentRequest(address=address, amount=amount, qr_text=fallback)
    units = base_units(due, contract.decimals)
    uri = f"ethereum:{contract.address}@{chain_id}/transfer?address={address}&uint256={units}"
    return PaymentRequest(
        address=address, amount=amount, qr_text=uri, uri=uri, token=contract.address,
        decimals=str(contract.decimals), chain_id=str(chain_id), units=str(units),
        chain=evm_chain(chain_id),
    )


def build_payment_uri(order: Order, *, end_user) -> str:
    """Return what the QR code carries: Solana Pay or EIP-681 for what is due, else the address."""
    request = build_payment_request(order=order, end_user=end_user)
    return request.qr_text if request else order.wallet_address


def payment_page_context(*, order: Order, end_user, now) -> dict:
    """Return what the payment card shows: the amounts, the QR code, the wallet link and button."""
    request = build_payment_request(order=order, end_user=end_user)
    qr_text = request.qr_text if request else order.wallet_address
    window_closed = bool(order.expires_at and order.expires_at <= now)
    paid = order.coin_amount_paid
    return {
        "pay_request": request,
        "payment_uri": qr_text,
        "qr_svg": qr_svg(qr_text, title=_("QR code to pay this order")),
        "amount_due_text": plain_amount(amount_to_send(order)) if paid else "",
        "amount_paid_text": plain_amount(paid) if paid else "",
        "window_closed": window_closed,
        # The browser wallet pays an EVM token transfer, and only while the window is open.
        "browser_wallet": bool(request and request.is_evm and not window_closed),
    }


def qr_svg(text: str, *, title: str = "") -> SafeString:
    """Return `text` as a QR code in inline SVG (drawn here: no image request leaves the page)."""
    if not text:
        return mark_safe("")
    return mark_safe(_draw_qr(text, str(title)))  # noqa: S308 - segno escapes the title


@lru_cache(maxsize=1024)
def _draw_qr(text: str, title: str) -> str:
    """Draw a QR code once per payment URI: encoding tries eight masks and costs tens of ms, and the
    status fragment is polled every few seconds by every open payment page."""
    qr = segno.make(text, error="m", micro=False)
    return qr.svg_inline(
        scale=6, border=2, omitsize=True, svgclass="qr-svg", title=title or None, dark="#0b1220"
    )
