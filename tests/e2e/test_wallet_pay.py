"""A shopper pays from the phone that holds the wallet: the wallet link, and a browser wallet (EIP-1193)."""

from __future__ import annotations

import io
import json
import time
from datetime import timedelta
from decimal import Decimal

import pytest
import zxingcpp
from conftest import screenshot
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from orders.models import Order, OrderItem
from orders.states import OrderState
from storefront.sandbox import pricing
from storefront.sandbox.wallets import new_address
from storefront.upstream.networks import chain_id_of

pytestmark = pytest.mark.django_db(transaction=True)

EVM_NETWORKS = ("Ethereum", "Base", "Arbitrum", "Polygon (Matic)")
EVM_PAIRS = [(coin, network) for coin in ("USDC", "USDT") for network in EVM_NETWORKS]
ALL_PAIRS = [("USDC", "Solana"), ("USDT", "Solana"), *EVM_PAIRS, ("USDT", "Tron")]
TRANSFER = "a9059cbb"
SHOPPER_ACCOUNT = "0x1111111111111111111111111111111111111111"
TX_HASH = "0x" + "ab" * 32

# A recording EIP-1193 provider, as MetaMask would answer; window.__wallet.fail[method] makes a
# method throw the given {code, message}, as wallets report refusals.
RECORDING_PROVIDER = """
window.__wallet = {calls: [], chainId: "0x1", fail: {}};
window.ethereum = {
  isMetaMask: true,
  request: async function (args) {
    var w = window.__wallet;
    w.calls.push({method: args.method, params: args.params === undefined ? null : args.params});
    var failure = w.fail[args.method];
    if (failure) { var e = new Error(failure.message || "refused"); e.code = failure.code; throw e; }
    if (args.method === "eth_requestAccounts") return ["ACCOUNT"];
    if (args.method === "eth_chainId") return w.chainId;
    if (args.method === "wallet_switchEthereumChain" || args.method === "wallet_addEthereumChain") {
      w.chainId = args.params[0].chainId; return null;
    }
    if (args.method === "eth_sendTransaction") return "TX_HASH";
    var unsupported = new Error("unsupported"); unsupported.code = 4200; throw unsupported;
  }
};
""".replace("ACCOUNT", SHOPPER_ACCOUNT).replace("TX_HASH", TX_HASH)


def open_order(*, coin: str, network: str, amount: str = "25.48") -> Order:
    """Return an order awaiting payment, with a deposit address in the network's format."""
    order = Order.objects.create(
        email="shopper@example.com", country_code="US", coin=coin, network=network,
        state=OrderState.WAITING_FOR_PAYMENT, upstream_state=OrderState.WAITING_FOR_PAYMENT,
        wallet_address=new_address(network), coin_amount_text=amount, coin_amount=Decimal(amount),
        expires_at=timezone.now() + timedelta(minutes=25),
    )
    OrderItem.objects.create(
        order=order, brand_name="Airbnb", country_code="US", denomination="25 USD",
        localized_denomination="$25", beneficiary_account="shopper@example.com",
    )
    return order


def pay_part(order: Order, *, paid: str) -> None:
    """Record a partial payment the way a status answer does."""
    order.coin_amount_paid = Decimal(paid)
    order.coin_amount_due = order.coin_amount - Decimal(paid)
    order.state = order.upstream_state = OrderState.PARTIAL_PAYMENT_STARTED
    order.save()


def token_of(coin: str, network: str) -> str:
    """Return the contract the sandbox's payment_vias names for the pair."""
    return pricing.find_network(coin, network).address


@pytest.fixture
def phones(browser, live_server):
    """Open 390 px phone tabs, each in its own context, recording console errors (a CSP violation
    is one); with `wallet=True` the tab has the recording EIP-1193 provider."""
    contexts = []

    def open_phone(*, wallet: bool = False):
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True, has_touch=True,
            locale="en-US",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        tab = context.new_page()
        tab.base = live_server.url
        tab.console_errors = []
        tab.on("console", lambda m: m.type == "error" and tab.console_errors.append(m.text))
        if wallet:
            tab.add_init_script(RECORDING_PROVIDER)
        return tab

    yield open_phone
    for context in contexts:
        context.close()


@pytest.fixture
def phone(phones):
    return phones()


@pytest.fixture
def wallet_phone(phones):
    return phones(wallet=True)


def qr_payload(tab) -> str:
    """Return what the page's QR code decodes to, read from its pixels."""
    png = tab.locator(".qr-frame svg").screenshot()
    image = Image.open(io.BytesIO(png)).convert("L")
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(found) == 1, "the QR code does not decode"
    return found[0].text


def visit(tab, order: Order, lang: str = "") -> None:
    tab.goto(f"{tab.base}{lang}/orders/{order.token}/")


def calls(tab, method: str) -> list:
    return [c["params"] for c in tab.evaluate("window.__wallet.calls") if c["method"] == method]


def transfer_calldata(to: str, units: int) -> str:
    return "0x" + TRANSFER + to[2:].lower().rjust(64, "0") + format(units, "x").rjust(64, "0")


@pytest.mark.parametrize(("coin", "network"), ALL_PAIRS)
def test_wallet_link_is_the_qr_payload_with_exact_address_token_and_amount(phone, coin, network):
    order = open_order(coin=coin, network=network)
    visit(phone, order)
    payload = qr_payload(phone)
    if network == "Tron":
        # No wallet-wide URI: the QR holds the address, the page says so, the copy buttons come first.
        assert payload == order.wallet_address
        expect(phone.locator("#open-in-wallet")).to_have_count(0)
        expect(phone.locator("#no-wallet-link")).to_be_visible()
        expect(phone.locator("[data-copy-target='#coin-amount']")).to_be_visible()
        return
    link = phone.locator("#open-in-wallet")
    expect(link).to_be_visible()
    assert link.get_attribute("href") == payload
    token = token_of(coin, network)
    if network == "Solana":
        assert payload == f"solana:{order.wallet_address}?amount=25.48&spl-token={token}"
    else:
        chain_id = chain_id_of(network)
        to = order.wallet_address
        assert payload == f"ethereum:{token}@{chain_id}/transfer?address={to}&uint256=25480000"
    if (coin, network) == ("USDC", "Base"):
        screenshot(phone, "wallet-link-phone")
    # After part of it arrives, the link and the QR ask for the rest.
    pay_part(order, paid="10.5")
    visit(phone, order)
    expect(phone.locator("#coin-amount-due")).to_have_text("14.98")
    payload = qr_payload(phone)
    assert phone.locator("#open-in-wallet").get_attribute("href") == payload
    assert ("amount=14.98&" in payload) if network == "Solana" else payload.endswith("&uint256=14980000")
    assert phone.console_errors == []


@pytest.mark.parametrize(("coin", "network"), EVM_PAIRS)
def test_browser_wallet_sends_one_transfer_of_what_is_due_to_the_token_contract(wallet_phone, coin, network):
    tab = wallet_phone
    order = open_order(coin=coin, network=network)
    chain_hex = hex(chain_id_of(network))
    token = token_of(coin, network)
    visit(tab, order)
    button = tab.locator("#browser-wallet-pay")
    expect(button).to_be_visible()
    button.click()
    expect(tab.locator("#wallet-tx-hash")).to_have_text(TX_HASH)
    switches = calls(tab, "wallet_switchEthereumChain")
    assert switches == ([] if chain_hex == "0x1" else [[{"chainId": chain_hex}]])
    [[tx]] = calls(tab, "eth_sendTransaction")
    assert tx["to"] == token and tx["from"] == SHOPPER_ACCOUNT and tx["value"] == "0x0"
    assert tx["chainId"] == chain_hex
    assert tx["data"] == transfer_calldata(order.wallet_address, 25_480_000)
    expect(tab.locator("#wallet-message")).to_contain_text("Payment sent from your wallet")
    expect(tab.locator("#wallet-message")).to_have_class("wallet-message wallet-ok")
    explorer = tab.locator("#wallet-tx-link")
    assert explorer.get_attribute("href").endswith(f"/tx/{TX_HASH}")
    # The same request cannot be sent twice by a second tap or a reload.
    expect(button).to_be_hidden()
    if (coin, network) == ("USDC", "Base"):
        screenshot(tab, "wallet-sent-phone")

    # Part of it arrives while the page is open: the next status update asks the wallet for the rest.
    pay_part(order, paid="10.5")
    tab.evaluate("document.body.dispatchEvent(new CustomEvent('order-changed'))")
    expect(tab.locator("#coin-amount-due")).to_have_text("14.98")
    expect(button).to_be_visible()
    button.click()
    tab.wait_for_function("window.__wallet.calls.filter(c => c.method === 'eth_sendTransaction').length > 1")
    expect(button).to_be_hidden()
    txs = calls(tab, "eth_sendTransaction")
    assert len(txs) == 2
    assert txs[1][0]["data"] == transfer_calldata(order.wallet_address, 14_980_000)
    assert txs[1][0]["to"] == token and txs[1][0]["chainId"] == chain_hex
    visit(tab, order)
    expect(tab.locator("#wallet-tx-hash")).to_have_text(TX_HASH)  # the receipt stays after a reload
    expect(tab.locator("#browser-wallet-pay")).to_be_hidden()
    assert tab.console_errors == []


def refusal(tab, method: str, code: int, message: str = "") -> None:
    tab.evaluate(f"window.__wallet.fail = {json.dumps({method: {'code': code, 'message': message}})}")


def test_each_wallet_refusal_is_explained_and_nothing_is_sent(wallet_phone):
    tab = wallet_phone
    visit(tab, open_order(coin="USDC", network="Base"))
    button, message = tab.locator("#browser-wallet-pay"), tab.locator("#wallet-message")

    refusal(tab, "wallet_switchEthereumChain", 4001, "User rejected the request.")
    button.click()
    expect(message).to_have_text(
        "You declined the switch to Base. This order can only be paid on Base, so nothing was sent."
    )
    refusal(tab, "eth_sendTransaction", 4001, "User denied transaction signature.")
    tab.evaluate("window.__wallet.chainId = '0x1'")
    button.click()
    expect(message).to_have_text(
        "You rejected the payment in your wallet. Nothing was sent; you can try again."
    )
    refusal(tab, "eth_sendTransaction", -32603, "execution reverted: ERC20: transfer amount exceeds balance")
    button.click()
    expect(message).to_have_text(
        "Your wallet reports too little USDC on Base for this payment. Nothing was sent."
    )
    refusal(tab, "eth_requestAccounts", 4001, "User rejected the request.")
    button.click()
    expect(message).to_have_text("You declined the connection in your wallet. Nothing was sent.")
    expect(tab.locator("#wallet-tx-hash")).to_have_count(0)
    expect(button).to_be_visible()
    assert tab.console_errors == []


def test_a_chain_the_wallet_lacks_is_added_by_its_chain_id(wallet_phone):
    tab = wallet_phone
    order = open_order(coin="USDT", network="Polygon (Matic)")
    visit(tab, order)
    refusal(tab, "wallet_switchEthereumChain", 4902, "Unrecognized chain ID")
    tab.locator("#browser-wallet-pay").click()
    expect(tab.locator("#wallet-tx-hash")).to_have_text(TX_HASH)
    [[added]] = calls(tab, "wallet_addEthereumChain")
    assert added["chainId"] == "0x89" and added["nativeCurrency"]["symbol"] == "POL"
    assert added["rpcUrls"] and added["blockExplorerUrls"] == ["https://polygonscan.com"]
    assert tab.locator("#wallet-tx-link").get_attribute("href") == f"https://polygonscan.com/tx/{TX_HASH}"


def test_refusals_are_told_in_the_shoppers_language(wallet_phone):
    tab = wallet_phone
    visit(tab, open_order(coin="USDC", network="Arbitrum"), lang="/es")
    refusal(tab, "eth_sendTransaction", 4001, "User denied transaction signature.")
    tab.locator("#browser-wallet-pay").click()
    expect(tab.locator("#wallet-message")).to_have_text(
        "Rechazaste el pago en tu billetera. No se envió nada; puedes volver a intentarlo."
    )
    assert tab.locator("#open-in-wallet").get_attribute("href").endswith("&uint256=25480000")


def test_without_a_wallet_or_after_the_window_no_browser_wallet_button_is_offered(phones):
    phone, wallet_phone = phones(), phones(wallet=True)
    visit(phone, open_order(coin="USDC", network="Base"))
    expect(phone.locator("#open-in-wallet")).to_be_visible()
    expect(phone.locator("#browser-wallet-pay")).to_be_hidden()
    closing = open_order(coin="USDC", network="Base")
    closing.expires_at = timezone.now() + timedelta(seconds=2)
    closing.save()
    time.sleep(2.2)
    visit(wallet_phone, closing)
    expect(wallet_phone.locator("#browser-wallet-pay")).to_have_count(0)


def test_with_javascript_off_the_link_qr_and_copy_fields_still_serve(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    tab = context.new_page()
    order = open_order(coin="USDC", network="Ethereum")
    tab.goto(f"{live_server.url}/orders/{order.token}/")
    link = tab.locator("#open-in-wallet")
    expect(link).to_be_visible()
    assert link.get_attribute("href").startswith(f"ethereum:{token_of('USDC', 'Ethereum')}@1/transfer?")
    expect(tab.locator("#wallet-address")).to_have_text(order.wallet_address)
    expect(tab.locator("#coin-amount")).to_have_text("25.48")
    expect(tab.locator("#browser-wallet-pay")).to_be_hidden()
    context.close()
