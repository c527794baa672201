"""Exchange rates, coin fees, coin amounts and the payment vias (coins and networks)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from storefront.upstream.networks import chain_id_of, known_contract

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
# A reserved domain that never resolves: nothing leaves the machine (the shop shows no via logos).
LOGO_HOST = "https://cdn.sandbox.test"


@dataclass(frozen=True)
class Engine:
    """How a network runs tokens, and the codes orders name it by."""

    engine: str  # smart_contract_engine
    base_token: str
    method_code: str  # payment_method is "<coin>-<method_code>" ("USDC-SOL", "USDC-MATIC")
    protocol: str  # payment_method_protocol


ENGINES: dict[str, Engine] = {
    "Solana": Engine("SVM", "SOL", "SOL", "SOLANA_LIKE"),
    "Ethereum": Engine("EVM", "ETH", "ETH", "ETHEREUM_LIKE"),
    "Base": Engine("EVM", "ETH", "BASE", "ETHEREUM_LIKE"),
    "Arbitrum": Engine("EVM", "ETH", "ARB", "ETHEREUM_LIKE"),
    "Polygon (Matic)": Engine("EVM", "POL", "MATIC", "ETHEREUM_LIKE"),
    "Tron": Engine("TVM", "TRX", "TRX", "TRON_LIKE"),
}


@dataclass(frozen=True)
class Network:
    """One coin on one network, as payment_vias reports it (names as the live API spells them)."""

    coin: str
    name: str
    threshold: Decimal  # the least coin amount the network accepts
    contract: str | None = None  # None: the documented contract of storefront.upstream.networks
    suspended: bool = False
    decimals: int = 6

    @property
    def address(self) -> str:
        """Return the token contract."""
        return self.contract or known_contract(coin=self.coin, network=self.name) or ""

    @property
    def chain_id(self) -> int | None:
        return chain_id_of(self.name)


NETWORKS: tuple[Network, ...] = (
    Network("USDC", "Solana", Decimal("0.562099175481640")),
    Network("USDC", "Ethereum", Decimal("9.873210000000000")),
    Network("USDC", "Base", Decimal("0.611820000000000")),
    Network("USDC", "Arbitrum", Decimal("0.704410000000000")),
    Network("USDC", "Polygon (Matic)", Decimal("0.531770000000000")),
    Network("USDT", "Solana", Decimal("0.562099175481640")),
    Network("USDT", "Ethereum", Decimal("9.873210000000000")),
    Network("USDT", "Base", Decimal("0.611820000000000"), "0xfde4C96c8593536E31F229EA8f37b2ADa2699bb2"),
    Network(
        "USDT",
        "Arbitrum",
        Decimal("0.704410000000000"),
        "0xFd086bC7CD5C481DCC9C85ebE478A1C0b69FCbb9",
        suspended=True,
    ),
    Network("USDT", "Polygon (Matic)", Decimal("0.531770000000000")),
    Network("USDT", "Tron", Decimal("2.150000000000000")),
    Network("EURC", "Ethereum", Decimal("9.873210000000000"), "0x1aBaEA1f7C830bD89Acc67eC4af516284b1bC33c"),
    Network("EURC", "Base", Decimal("0.611820000000000"), "0x60a3E35Cc302bFA44Cb288Bc5a4F316Fdb1adb42"),
)
COIN_THRESHOLD = Decimal("0.5")

SUSPENDED_COINS: frozenset[str] = frozenset({"EURC"})

# Spellings clients use for the same networks.
NETWORK_ALIASES: dict[str, str] = {
    "eth mainnet": "Ethereum",
    "eth": "Ethereum",
    "polygon": "Polygon (Matic)",
    "matic": "Polygon (Matic)",
}

# What payment_vias also lists and this shop must ignore: a non-stablecoin on the wallet via, and
# other vias (shapes as the live fixtures show them).
BTC_NETWORKS: tuple[tuple[str, str], ...] = (("Lightning", "0.00000100"), ("Mainnet", "0.00010000"))
OTHER_VIAS: tuple[tuple[str, str], ...] = (("GATE_PAY", "USDT"), ("KUCOIN_PAY", "USDC"))


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


def supported_pairs_text(coin: str | None) -> str:
    """Return the supported networks in words, as the live API's moreDetails strings read."""
    pairs = supported_pairs()
    networks = [p["network"] for p in pairs if p["coin"] == coin]
    if networks:
        return f"{coin} is supported on: {', '.join(networks)}"
    return f"Supported coins: {', '.join(dict.fromkeys(p['coin'] for p in pairs))}"


def payment_method(coin: str, network: str) -> str:
    """Return the live API's payment method code ("USDC-SOL")."""
    return f"{coin}-{ENGINES[network].method_code}"


def _network_json(n: Network) -> dict:
    engine, base_token = ENGINES[n.name].engine, ENGINES[n.name].base_token
    doc: dict = {"name": n.name}
    if n.chain_id is not None:
        doc["chain_id"] = n.chain_id
    doc.update(
        is_suspended=n.suspended,
        threshold=format(n.threshold, "f"),
        smart_contract_engine=engine,
        base_token=base_token,
        smart_contract={"engine": engine, "address": n.address, "decimals": n.decimals, "symbol": n.coin},
    )
    return doc


def _currency_json(name: str, networks: list[dict], suspended: bool = False, threshold: str = "0.5") -> dict:
    return {
        "name": name,
        "is_suspended": suspended,
        "threshold": threshold,
        "logo_url": f"{LOGO_HOST}/currencies/{name.lower()}.svg",
        "networks": networks,
    }


def _via_json(name: str, currencies: list[dict], available: bool = True) -> dict:
    return {
        "name": name,
        "available": available,
        "logo_url": f"{LOGO_HOST}/payment_vias/{name.lower()}.svg",
        "currencies": currencies,
    }


def payment_vias() -> list[dict]:
    """Return the payment_vias document."""
    currencies = [
        _currency_json(
            coin,
            [_network_json(n) for n in NETWORKS if n.coin == coin],
            suspended=coin in SUSPENDED_COINS,
            threshold=format(COIN_THRESHOLD, "f"),
        )
        for coin in dict.fromkeys(n.coin for n in NETWORKS)
    ]
    btc_networks = [
        {
            "name": name,
            "is_suspended": False,
            "threshold": threshold,
            "smart_contract_engine": None,
            "base_token": "BTC",
            "smart_contract": None,
        }
        for name, threshold in BTC_NETWORKS
    ]
    currencies.append(_currency_json("BTC", btc_networks, threshold="0.00001"))
    vias = [_via_json(PAYMENT_VIA, currencies)]
    vias += [_via_json(name, [_currency_json(coin, [], threshold="1")]) for name, coin in OTHER_VIAS]
    return vias
