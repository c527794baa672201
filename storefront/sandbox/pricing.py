"""Exchange rates, coin fees, coin amounts and the payment vias (coins and networks)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

# Value of one unit of each currency in USD.
USD_RATES: dict[str, Decimal] = {
    "USD": Decimal("1"),
    "GBP": Decimal("1.27"),
    "EUR": Decimal("1.08"),
    "MXN": Decimal("0.0585"),
    "BRL": Decimal("0.18"),
    "NGN": Decimal("0.00065"),
    "PHP": Decimal("0.0172"),
    "INR": Decimal("0.012"),
    "CNY": Decimal("0.138"),
}

COIN_FEES: dict[str, Decimal] = {"USDC": Decimal("0.019"), "USDT": Decimal("0.024"), "EURC": Decimal("0.019")}

PAYMENT_VIA = "USER_WALLET"


@dataclass(frozen=True)
class Network:
    """One coin on one network, as payment_vias reports it."""

    coin: str
    name: str
    contract: str
    suspended: bool = False
    decimals: int = 6


NETWORKS: tuple[Network, ...] = (
    Network("USDC", "Solana", "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"),
    Network("USDC", "ETH Mainnet", "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"),
    Network("USDC", "Base", "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"),
    Network("USDC", "Arbitrum", "0xaf88d065e77c8cC2239327C5EDb3A432268e5831"),
    Network("USDC", "Polygon (Matic)", "0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359"),
    Network("USDC", "Tron", "TEkxiTehnzSmSe2XqrBj4w32RUN966rdz8"),
    Network("USDT", "Solana", "Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB"),
    Network("USDT", "ETH Mainnet", "0xdAC17F958D2ee523a2206206994597C13D831ec7"),
    Network("USDT", "Base", "0xfde4C96c8593536E31F229EA8f37b2ADa2699bb2"),
    Network("USDT", "Arbitrum", "0xFd086bC7CD5C481DCC9C85ebE478A1C0b69FCbb9", suspended=True),
    Network("USDT", "Polygon (Matic)", "0xc2132D05D31c914a87C6611C10748AEb04B58e8F"),
    Network("USDT", "Tron", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"),
    Network("EURC", "ETH Mainnet", "0x1aBaEA1f7C830bD89Acc67eC4af516284b1bC33c"),
    Network("EURC", "Base", "0x60a3E35Cc302bFA44Cb288Bc5a4F316Fdb1adb42"),
)

SUSPENDED_COINS: frozenset[str] = frozenset({"EURC"})

CHAIN_IDS: dict[str, int] = {"ETH Mainnet": 1, "Base": 8453, "Arbitrum": 42161, "Polygon (Matic)": 137}

# Spellings clients use for the same networks.
NETWORK_ALIASES: dict[str, str] = {
    "ethereum": "ETH Mainnet",
    "eth": "ETH Mainnet",
    "polygon": "Polygon (Matic)",
    "matic": "Polygon (Matic)",
}


def to_usd(amount: Decimal, currency: str) -> Decimal:
    """Return ``amount`` of ``currency`` in USD, unrounded."""
    return amount * USD_RATES[currency]


def coin_amount(usd: Decimal, coin: str) -> Decimal:
    """Return what the buyer pays in ``coin`` for ``usd`` worth of goods, fee included."""
    return (usd * (1 + COIN_FEES[coin])).quantize(CENT, rounding=ROUND_HALF_UP)


def canonical_coin(name: str | None) -> str | None:
    """Return the coin symbol as known here, or None for an unknown coin."""
    wanted = (name or "").strip().upper()
    return wanted if wanted in COIN_FEES else None


def canonical_network(name: str | None) -> str | None:
    """Return the network's canonical name, matched case-insensitively, or None."""
    wanted = " ".join((name or "").split()).lower()
    for network in NETWORKS:
        if network.name.lower() == wanted:
            return network.name
    return NETWORK_ALIASES.get(wanted)


def find_network(coin: str, network: str) -> Network | None:
    """Return the (coin, network) pair, or None when it is not offered."""
    for candidate in NETWORKS:
        if candidate.coin == coin and candidate.name == network:
            return candidate
    return None


def supported_pairs() -> list[dict[str, str]]:
    """Return the coin/network pairs that can be paid with right now."""
    return [
        {"coin": n.coin, "network": n.name}
        for n in NETWORKS
        if not n.suspended and n.coin not in SUSPENDED_COINS
    ]


def payment_vias() -> list[dict]:
    """Return the payment_vias document."""
    currencies = []
    for coin in dict.fromkeys(n.coin for n in NETWORKS):
        networks = [
            {
                "name": n.name,
                "is_suspended": n.suspended,
                "smart_contract": {"address": n.contract, "decimals": n.decimals, "symbol": coin},
            }
            for n in NETWORKS
            if n.coin == coin
        ]
        currencies.append({"name": coin, "is_suspended": coin in SUSPENDED_COINS, "networks": networks})
    return [{"name": PAYMENT_VIA, "currencies": currencies}]
