"""Deposit wallet addresses and payment URIs that look right for each network."""

from __future__ import annotations

import hashlib
import secrets
from decimal import Decimal

from . import pricing

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58encode(data: bytes) -> str:
    """Encode bytes in Bitcoin-style base58."""
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, digit = divmod(number, 58)
        out = B58[digit] + out
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + out


def new_address(network: str) -> str:
    """Return a fresh random address in the network's format."""
    if network == "Solana":
        return b58encode(secrets.token_bytes(32))
    if network == "Tron":
        # A Tron address is base58check of 0x41 + 20 bytes: 34 characters starting with T.
        payload = b"\x41" + secrets.token_bytes(20)
        checksum = hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
        return b58encode(payload + checksum)
    return "0x" + secrets.token_hex(20)


def payment_uri(coin: str, network: str, address: str, amount: Decimal) -> str:
    """Return the qr_text a wallet can scan: a payment URI, or the bare address where no standard exists."""
    pair = pricing.find_network(coin, network)
    if pair is None or network == "Tron":
        return address
    if network == "Solana":
        return f"solana:{address}?amount={format(amount.normalize(), 'f')}&spl-token={pair.address}"
    units = int(amount * (10**pair.decimals))
    return f"ethereum:{pair.address}@{pair.chain_id}/transfer?address={address}&uint256={units}"
