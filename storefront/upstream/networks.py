"""The coins and networks this shop sells for: one home for their names, chain ids and contracts."""

from __future__ import annotations

from dataclasses import dataclass

# The shop sells for stablecoins paid from the shopper's own wallet; other vias (GATE_PAY,
# KUCOIN_PAY, BUYDL) and coins (BTC, GRAM) that the upstream lists are ignored.
STABLECOINS = ("USDC", "USDT")
WALLET_VIA = "USER_WALLET"
DEFAULT_COIN = "USDC"
DEFAULT_NETWORK = "Solana"

# EVM chain ids by network name, in every spelling seen upstream (folded to lower case).
CHAIN_IDS: dict[str, int] = {
    "ethereum": 1,
    "eth mainnet": 1,
    "eth": 1,
    "base": 8453,
    "arbitrum": 42161,
    "arbitrum one": 42161,
    "polygon": 137,
    "polygon (matic)": 137,
    "matic": 137,
}


@dataclass(frozen=True)
class EvmChain:
    """What a browser wallet needs to add an EVM chain it lacks, and where a transaction is shown."""

    name: str
    native_symbol: str  # pays the network fee
    rpc_url: str
    explorer_url: str  # transactions at <explorer_url>/tx/<hash>
    explorer_name: str


EVM_CHAINS: dict[int, EvmChain] = {
    1: EvmChain("Ethereum", "ETH", "https://cloudflare-eth.com", "https://etherscan.io", "Etherscan"),
    8453: EvmChain("Base", "ETH", "https://mainnet.base.org", "https://basescan.org", "Basescan"),
    42161: EvmChain("Arbitrum One", "ETH", "https://arb1.arbitrum.io/rpc", "https://arbiscan.io", "Arbiscan"),
    137: EvmChain("Polygon", "POL", "https://polygon-rpc.com", "https://polygonscan.com", "Polygonscan"),
}

# Token contracts from API-NOTES, used only when payment_vias does not name one.
KNOWN_CONTRACTS: dict[tuple[str, int | str], str] = {
    ("USDC", "solana"): "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v",
    ("USDC", 1): "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48",
    ("USDC", 8453): "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
    ("USDC", 42161): "0xaf88d065e77c8cC2239327C5EDb3A432268e5831",
    ("USDC", 137): "0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359",
    ("USDT", 1): "0xdAC17F958D2ee523a2206206994597C13D831ec7",
    ("USDT", 137): "0xc2132D05D31c914a87C6611C10748AEb04B58e8F",
    ("USDT", "tron"): "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
    ("USDT", "solana"): "Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB",
}


def chain_id_of(network: str) -> int | None:
    """Return the EVM chain id of a network name, or None for Solana, Tron and unknown names."""
    return CHAIN_IDS.get(network.strip().casefold())


def known_contract(*, coin: str, network: str) -> str | None:
    """Return the documented token contract of a coin on a network, or None."""
    chain_id = chain_id_of(network)
    key: int | str = chain_id if chain_id is not None else network.strip().casefold()
    return KNOWN_CONTRACTS.get((coin.upper(), key))


def is_stablecoin(coin: str) -> bool:
    """Return whether this shop sells for `coin`."""
    return coin.upper() in STABLECOINS


def evm_chain(chain_id: int | None) -> EvmChain | None:
    """Return what is known of an EVM chain for browser wallets and explorers, or None."""
    return EVM_CHAINS.get(chain_id) if chain_id is not None else None
