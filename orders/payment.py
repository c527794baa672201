"""What a shopper's wallet needs to pay an order: the payment URI and its QR code."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import segno
from django.utils.safestring import SafeString, mark_safe

from storefront.upstream.errors import UpstreamError
from storefront.upstream.networks import chain_id_of, known_contract

from .models import Order

logger = logging.getLogger(__name__)

@dataclass(frozen=True)
class TokenContract:
    address: str
    decimals: int = 6
    chain_id: int | None = None  # as the payment via reports it, when it does


def plain_amount(value: Decimal | None) -> str:
    """Return a coin amount without exponent or trailing zeros ("12.740000000" -> "12.74")."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text


def amount_to_send(order: Order) -> Decimal | None:
    """Return what the shopper still has to send: the rest after a partial payment, else the whole."""
    if order.coin_amount_due is not None and order.coin_amount_paid:
        return order.coin_amount_due
    return order.coin_amount


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


def build_payment_uri(order: Order, *, end_user) -> str:
    """Return what the QR code carries: upstream qr_text, else Solana Pay or EIP-681, else the address."""
    if order.qr_text:
        return order.qr_text
    network = order.network.strip().casefold()
    amount = amount_to_send(order)
    if network == "tron" or amount is None or not order.wallet_address:
        return order.wallet_address
    contract = find_contract(coin=order.coin, network=order.network, end_user=end_user)
    if contract is None:
        return order.wallet_address
    if network == "solana":
        return f"solana:{order.wallet_address}?amount={plain_amount(amount)}&spl-token={contract.address}"
    chain_id = contract.chain_id or chain_id_of(order.network)
    if chain_id is None:
        return order.wallet_address
    units = int(amount * (10**contract.decimals))
    return f"ethereum:{contract.address}@{chain_id}/transfer?address={order.wallet_address}&uint256={units}"


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
