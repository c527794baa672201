"""Paying from the same device: the wallet link, the QR code and the browser wallet's request."""

from __future__ import annotations

import gzip
import re
import time
from datetime import timedelta
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from orders_factory import *  # noqa: F403  (fixtures: order, make_order, cart_order, live_answer)
from orders_factory import cart_order, live_answer

from orders import payment
from orders.models import Order
from orders.services import record_upstream_order
from orders.states import OrderState
from storefront.upstream import schemas

pytestmark = pytest.mark.django_db

BASE_USDC = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"
SOLANA_USDC = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"
SEPOLIA_USDC = "0x036CbD53842c5426634e7929541eC2318f3dCF7e"
ADDRESS = "0x52908400098527886E0F7030069857D2E4169EE7"


def page(client, order: Order, lang: str = "en") -> str:
    with translation.override(lang):
        url = reverse("orders:detail", kwargs={"token": order.token})
    return client.get(url).content.decode()


def attribute(html: str, element_id: str, name: str) -> str:
    """Return an attribute of the element with this id, as the browser reads it (entities decoded)."""
    tag = re.search(rf'<[a-z]+ [^>]*id="{element_id}"[^>]*>', html, re.S)
    assert tag, f"no element #{element_id}"
    value = re.search(rf'\s{name}="([^"]*)"', tag.group(0))
    assert value, f"#{element_id} has no {name}"
    return unescape(value.group(1))


def open_order(**fields) -> Order:
    """Return an order awaiting payment on an EVM network, as recorded from the upstream."""
    defaults = {
        "email": "jane.doe@example.com", "country_code": "US", "coin": "USDC", "network": "Base",
        "state": OrderState.WAITING_FOR_PAYMENT, "wallet_address": ADDRESS,
        "coin_amount_text": "25.48", "coin_amount": Decimal("25.48"),
        "expires_at": timezone.now() + timedelta(minutes=20),
    }
    return Order.objects.create(**{**defaults, **fields})


def vias_with(network: schemas.Network) -> list[schemas.PaymentVia]:
    currency = schemas.Currency(name="USDC", networks=[network])
    return [schemas.PaymentVia(name="USER_WALLET", currencies=[currency])]


def test_open_in_wallet_link_is_the_qr_payload_with_the_exact_address_token_and_amount(client, make_order):
    order = make_order(network="Base")
    html = page(client, order)
    href = attribute(html, "open-in-wallet", "href")
    assert href == f"ethereum:{BASE_USDC}@8453/transfer?address={order.wallet_address}&uint256=25480000"
    assert href == payment.build_payment_uri(order, end_user=None)


def test_solana_link_carries_the_mint_and_the_amount_in_whole_tokens(client, order):
    href = attribute(page(client, order), "open-in-wallet", "href")
    assert href == (
        f"solana:{order.wallet_address}?amount=25.48&spl-token={SOLANA_USDC}"
    )


def test_after_a_partial_payment_link_and_qr_ask_for_the_rest_though_the_upstream_qr_asks_for_all(client):
    now = str(int(time.time()))  # the live answer, placed a minute ago
    answer = live_answer("order_partial.json", created_at=now, payment_requested_at=now, updated_at=now)
    order = record_upstream_order(order=cart_order(), upstream=answer, source="sync")
    assert "amount=36.63" in order.qr_text  # the live answer still asks for the whole amount
    html = page(client, order)
    href = attribute(html, "open-in-wallet", "href")
    assert href == f"solana:{order.wallet_address}?amount=16.63&spl-token={SOLANA_USDC}"
    assert payment.build_payment_uri(order, end_user=None) == href
    assert '<span id="coin-amount-due">16.63</span>' in html


def test_evm_request_takes_contract_decimals_and_chain_id_from_the_payment_vias(monkeypatch):
    network = schemas.Network(
        name="Base", chain_id=84532,
        smart_contract=schemas.SmartContract(address=SEPOLIA_USDC, decimals=18),
    )
    monkeypatch.setattr("catalog.selectors.get_payment_vias", lambda **_: vias_with(network))
    request = payment.build_payment_request(order=open_order(), end_user=None)
    assert request.token == SEPOLIA_USDC
    assert (request.chain_id, request.chain_id_hex, request.decimals) == ("84532", "0x14a34", "18")
    assert request.units == "25480000000000000000"
    assert request.uri.endswith(f"@84532/transfer?address={ADDRESS}&uint256=25480000000000000000")


def test_without_payment_vias_the_documented_contract_and_chain_id_are_used(monkeypatch):
    def down(**_):
        from storefront.upstream.errors import UpstreamConnectionError

        raise UpstreamConnectionError("down")

    monkeypatch.setattr("catalog.selectors.get_payment_vias", down)
    request = payment.build_payment_request(order=open_order(network="Polygon (Matic)"), end_user=None)
    assert request.uri == (
        f"ethereum:0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359@137/transfer?address={ADDRESS}&uint256=25480000"
    )
    assert request.chain.explorer_url == "https://polygonscan.com"


@pytest.mark.parametrize(
    ("amount", "decimals", "units"),
    [
        ("4.35", 18, 4350000000000000000),  # float: 4.35e18 is 4349999999999999488
        ("1234.567891", 6, 1234567891),
        ("0.29", 6, 290000),
        ("10.0000001", 6, 10000001),  # finer than the token: rounded up, never short of what is due
    ],
)
def test_base_units_are_exact_and_never_short(amount, decimals, units):
    assert payment.base_units(Decimal(amount), decimals) == units


def test_amounts_and_addresses_stay_machine_exact_in_spanish_and_chinese(client):
    order = open_order(coin_amount_text="1234.56", coin_amount=Decimal("1234.56"), network="Arbitrum")
    for lang in ("es", "zh-hans"):
        html = page(client, order, lang)
        assert attribute(html, "open-in-wallet", "href").endswith(f"?address={ADDRESS}&uint256=1234560000")
        assert attribute(html, "browser-wallet-pay", "data-amount") == "1234.56"
        assert attribute(html, "browser-wallet-pay", "data-chain-id") == "0xa4b1"
        assert attribute(html, "browser-wallet-pay", "data-to") == ADDRESS
        assert '<span id="coin-amount">1234.56</span>' in html


def test_tron_says_no_wallet_link_exists_and_keeps_the_copy_buttons(client, make_order):
    order = make_order(coin="USDT", network="Tron")
    html = page(client, order)
    assert 'id="open-in-wallet"' not in html and 'id="browser-wallet-pay"' not in html
    assert "Tron has no payment link that every wallet opens." in html
    assert 'data-copy-target="#coin-amount"' in html and 'data-copy-target="#wallet-address"' in html
    assert "js/wallet.js" not in html


def test_browser_wallet_is_offered_on_evm_networks_while_the_window_is_open(client, order):
    evm = open_order()
    html = page(client, evm)
    assert "js/wallet.js" in html and 'id="browser-wallet-pay" hidden' in html
    assert attribute(html, "browser-wallet-pay", "data-token") == BASE_USDC
    assert attribute(html, "browser-wallet-pay", "data-explorer-url") == "https://basescan.org"
    # Solana has the link but no EIP-1193 wallet; a lapsed window offers no button at all.
    solana = page(client, order)
    assert 'id="open-in-wallet"' in solana
    assert "browser-wallet-pay" not in solana and "wallet.js" not in solana
    lapsed = open_order(expires_at=timezone.now() - timedelta(seconds=5))
    assert "browser-wallet-pay" not in page(client, lapsed)


def test_wallet_messages_are_in_the_shoppers_language(client):
    html = page(client, open_order(), "es")
    assert attribute(html, "browser-wallet-pay", "data-msg-rejected") != (
        "You rejected the payment in your wallet. Nothing was sent; you can try again."
    )
    assert "Base" in attribute(html, "browser-wallet-pay", "data-msg-switch-refused")


def test_payment_page_js_and_css_stay_under_60_kb_compressed(client):
    html = page(client, open_order())
    assets = re.findall(r'(?:src|href)="/static/([^"]+\.(?:js|css))"', html)
    assert "js/wallet.js" in assets and "css/orders.css" in assets
    static = Path(settings.BASE_DIR) / "static"
    total = sum(len(gzip.compress((static / name).read_bytes(), 9)) for name in assets)
    assert total < 60 * 1024
