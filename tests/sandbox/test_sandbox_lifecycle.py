"""Orders over time in the live shape: creation, every state, manual action, partial and late payment."""

from __future__ import annotations

import re

import pytest

from storefront.sandbox.app import make_app

BUYER = "buyer@example.com"
# Every key of a live order (tests/contract/fixtures/order_created.json); no expires_at.
ORDER_KEYS = {
    "order_id",
    "created_at",
    "wallet_address",
    "payment_method",
    "network",
    "coin",
    "coin_amount",
    "original_price",
    "qr_url",
    "qr_text",
    "sent_coin_amount",
    "payment_state",
    "payment_via",
    "payment_requested_at",
    "payment_method_protocol",
    "payment_id",
    "payment_value",
    "updated_at",
    "deliveries",
    "order_state",
    "user",
    "is_payment_processor_external",
}
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def simulate(client, order_id: str, action: str):
    return client.post(f"/sandbox/orders/{order_id}/simulate", json={"action": action})


def gift(brand: str, denomination: str, account: str = BUYER) -> dict:
    return {
        "beneficiary_account": account,
        "brand_name": brand,
        "country_code": "US",
        "denomination": denomination,
    }


def test_a_new_order_waits_for_payment_in_the_live_shape(create_order):
    order = create_order()
    assert set(order) == ORDER_KEYS
    assert re.fullmatch(UUID, order["order_id"]) and re.fullmatch(UUID, order["payment_id"])
    assert (order["order_state"], order["payment_state"]) == ("WaitingForPayment", "WalletCreated")
    assert (order["coin_amount"], order["original_price"], order["sent_coin_amount"]) == (
        "25.48",
        "25.48",
        "0",
    )
    assert order["payment_value"] == 25.48
    assert (order["payment_method"], order["payment_method_protocol"]) == ("USDC-SOL", "SOLANA_LIKE")
    assert (
        re.fullmatch(r"\d{10}", order["created_at"]) and order["payment_requested_at"] == order["created_at"]
    )
    assert order["user"] == {"email": BUYER} and order["is_payment_processor_external"] is False
    (delivery,) = order["deliveries"]
    assert re.fullmatch(UUID, delivery["id"])
    assert (delivery["kind"], delivery["delivery_state"]) == ("giftcard", "WaitingForPayment")
    assert delivery["deliverable"]["brand_name"] == "Amazon.com"
    assert (
        delivery["deliverable"]["denomination"] == "25 USD"
        and delivery["deliverable"]["product_value"] == 25.0
    )
    assert "pin_code" not in delivery["deliverable"]


def test_the_window_runs_from_payment_requested_at(config, clock, make_client, make_body):
    app = make_app(config, clock=clock)
    with make_client(app) as http:
        order = http.post("/v5/orders", json=make_body()).json()
        assert int(order["payment_requested_at"]) == int(clock.now)
        clock.now += config.payment_window_seconds - 1
        assert http.get(f"/v5/orders/{order['order_id']}").json()["order_state"] == "WaitingForPayment"
        clock.now += 1
        assert http.get(f"/v5/orders/{order['order_id']}").json()["order_state"] == "Expired"


def test_flat_and_nested_deliveries_make_the_same_order(create_order):
    flat = gift("Airbnb", "50 USD")
    nested = {"kind": "giftcard", "quantity": 2, "deliverable": dict(flat), "localized_denomination": "$50"}
    from_flat = create_order(deliveries=[flat, flat])
    from_nested = create_order(deliveries=[nested])
    strip = ("id",)
    assert [{k: v for k, v in d.items() if k not in strip} for d in from_flat["deliveries"]] == [
        {k: v for k, v in d.items() if k not in strip} for d in from_nested["deliveries"]
    ]
    assert from_nested["coin_amount"] == "101.90"
    assert len({d["id"] for d in from_nested["deliveries"]}) == 2


@pytest.mark.parametrize(
    ("network", "address", "qr"),
    [
        (
            "Solana",
            r"[1-9A-HJ-NP-Za-km-z]{32,44}",
            r"solana:{a}\?amount=25\.48&spl-token=EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v",
        ),
        (
            "Ethereum",
            r"0x[0-9a-f]{40}",
            r"ethereum:0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48@1/transfer\?address={a}&uint256=25480000",
        ),
        (
            "Base",
            r"0x[0-9a-f]{40}",
            r"ethereum:0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913@8453/transfer\?address={a}&uint256=25480000",
        ),
        (
            "Arbitrum",
            r"0x[0-9a-f]{40}",
            r"ethereum:0xaf88d065e77c8cC2239327C5EDb3A432268e5831@42161/transfer\?address={a}&uint256=25480000",
        ),
        (
            "polygon (matic)",
            r"0x[0-9a-f]{40}",
            r"ethereum:0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359@137/transfer\?address={a}&uint256=25480000",
        ),
        ("Tron", r"T[1-9A-HJ-NP-Za-km-z]{33}", r"{a}"),
    ],
)
def test_wallet_addresses_and_payment_uris_fit_the_network(create_order, network, address, qr):
    user = {"email": BUYER, "has_accepted_newsletter": False, "full_name": "Ada Lovelace"}
    coin = "USDT" if network == "Tron" else "USDC"
    order = create_order(
        payment={"type": "via", "payment_via": "USER_WALLET", "coin": coin, "network": network}, user=user
    )
    assert re.fullmatch(address, order["wallet_address"])
    # Tron has no wallet-wide URI standard: its qr_text is the bare address.
    assert re.fullmatch(qr.format(a=re.escape(order["wallet_address"])), order["qr_text"])


def test_created_email_starts_at_created_then_waits_for_payment(create_order, wait_for_state):
    order = create_order(email="created@sandbox.test")
    assert (order["order_state"], order["payment_state"]) == ("Created", "WalletCreated")
    assert wait_for_state(order["order_id"], "WaitingForPayment")["payment_state"] == "WalletCreated"


def test_paid_order_is_delivered_with_every_deliverable_field(client, create_order, wait_for_state):
    order = create_order(
        deliveries=[
            gift("Airbnb", "25 USD"),
            gift("Netflix", "25 USD"),
            gift("eSIM", "1 GB 3 days"),
            gift("AT&T", "15 USD", account="+14155551234"),
        ]
    )
    paid = simulate(client, order["order_id"], "pay").json()
    assert (paid["order_state"], paid["payment_state"]) == ("PaymentStarted", "PaymentRequested")
    assert paid["sent_coin_amount"] == paid["coin_amount"]
    done = wait_for_state(order["order_id"], "Done")
    assert done["payment_state"] == "PaymentCompleted"
    assert all(d["delivery_state"] == "Done" for d in done["deliveries"])
    airbnb, netflix, esim, topup = (d["deliverable"] for d in done["deliveries"])
    assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){3}", airbnb["pin_code"])
    assert re.fullmatch(r"\d{10}", airbnb["pin_serial"]) and re.fullmatch(r"\d{3}", airbnb["security_code"])
    assert airbnb["barcode_image_url"] == f"/sandbox/barcodes/{done['deliveries'][0]['id']}.png"
    assert airbnb["redeem_instructions"].startswith("<ol><li>Open the Airbnb website")
    assert netflix["pin_code"].startswith("https://redeem.sandbox.test/") and "pin_serial" not in netflix
    assert esim["pin_code"].startswith("LPA:1$") and re.fullmatch(r"8901\d{15}", esim["pin_serial"])
    assert "pin_code" not in topup and topup["redeem_instructions"]


def test_codes_and_their_instructions_come_in_the_orders_language(client, create_order, wait_for_state):
    order = create_order(lang="es")
    simulate(client, order["order_id"], "pay")
    (delivery,) = wait_for_state(order["order_id"], "Done")["deliveries"]
    assert "Canjear tarjeta regalo" in delivery["deliverable"]["redeem_instructions"]
    assert delivery["deliverable"]["localized_denomination"] == "25 US$"


def test_barcodes_are_drawn_locally(client, create_order, wait_for_state):
    order = create_order()
    simulate(client, order["order_id"], "pay")
    (delivery,) = wait_for_state(order["order_id"], "Done")["deliveries"]
    name = delivery["deliverable"]["barcode_image_url"].rsplit("/", 1)[1]
    image = client.get(f"/barcodes/{name}")
    assert image.status_code == 200 and image.headers["Content-Type"] == "image/png"
    assert image.content == client.get(f"/barcodes/{name}").content
    assert client.get(f"/barcodes/qr-{order['order_id']}.png").status_code == 200
    assert order["qr_url"] == f"/sandbox/barcodes/qr-{order['order_id']}.png"
    assert client.get("/barcodes/nope.png").status_code == 404


def test_pay_passes_through_every_intermediate_state(config, clock, make_client, make_body):
    app = make_app(config, clock=clock)
    with make_client(app) as http:
        order_id = http.post("/v5/orders", json=make_body()).json()["order_id"]
        seen = [
            http.post(f"/sandbox/orders/{order_id}/simulate", json={"action": "pay"}).json()["order_state"]
        ]
        for _ in range(3):
            clock.now += config.step_seconds
            seen.append(http.get(f"/v5/orders/{order_id}").json()["order_state"])
    assert seen == ["PaymentStarted", "PaymentReceived", "WaitingForDelivery", "Done"]


def test_partial_payment_then_the_rest(client, create_order, wait_for_state):
    order = create_order()
    partial = simulate(client, order["order_id"], "partial").json()
    assert (partial["order_state"], partial["payment_state"]) == (
        "PartialPaymentStarted",
        "PartialPaymentReceived",
    )
    assert (partial["coin_amount"], partial["sent_coin_amount"]) == ("25.48", "12.74")
    assert "amount=12.74" in partial["qr_text"]
    assert simulate(client, order["order_id"], "pay_rest").json()["sent_coin_amount"] == "25.48"
    wait_for_state(order["order_id"], "Done")


def test_window_lapsing_expires_the_order(config, clock, make_client, make_body):
    app = make_app(config, clock=clock)
    with make_client(app) as http:
        order_id = http.post("/v5/orders", json=make_body()).json()["order_id"]
        clock.now += config.payment_window_seconds + 1
        order = http.get(f"/v5/orders/{order_id}").json()
    assert (order["order_state"], order["payment_state"]) == ("Expired", "Expired")


def test_partial_payment_expires_when_the_window_lapses(config, clock, make_client, make_body):
    app = make_app(config, clock=clock)
    with make_client(app) as http:
        order_id = http.post("/v5/orders", json=make_body()).json()["order_id"]
        http.post(f"/sandbox/orders/{order_id}/simulate", json={"action": "partial"})
        clock.now += config.payment_window_seconds
        assert http.get(f"/v5/orders/{order_id}").json()["order_state"] == "Expired"


def test_expire_action_ends_the_order(client, create_order):
    order = simulate(client, create_order()["order_id"], "expire").json()
    assert (order["order_state"], order["payment_state"]) == ("Expired", "Expired")
    assert {d["delivery_state"] for d in order["deliveries"]} == {"Expired"}


def test_late_payment_expires_then_is_delivered(config, clock, make_client, make_body):
    app = make_app(config, clock=clock)
    with make_client(app) as http:
        order_id = http.post("/v5/orders", json=make_body()).json()["order_id"]
        late = simulate(http, order_id, "late").json()
        assert (late["order_state"], late["payment_state"]) == ("Expired", "ExpiredAfterPaymentDetection")
        assert late["sent_coin_amount"] == late["coin_amount"]
        clock.now += config.step_seconds
        done = http.get(f"/v5/orders/{order_id}").json()
    assert (done["order_state"], done["payment_state"]) == ("Done", "ExpiredAfterPaymentDetection")
    assert done["deliveries"][0]["deliverable"]["pin_code"]


def test_cancel_action_and_canceled_email_cancel_the_order(client, create_order, wait_for_state):
    order = simulate(client, create_order()["order_id"], "cancel").json()
    assert (order["order_state"], order["payment_state"]) == ("Canceled", "WalletCreated")
    assert {d["delivery_state"] for d in order["deliveries"]} == {"Canceled"}
    assert simulate(client, order["order_id"], "pay").status_code == 409
    wait_for_state(create_order(email="canceled@sandbox.test")["order_id"], "Canceled")


def test_onhold_email_reaches_a_state_the_reference_does_not_list(client, create_order, wait_for_state):
    order = create_order(email="onhold@sandbox.test")
    simulate(client, order["order_id"], "pay")
    held = wait_for_state(order["order_id"], "OnHold")
    assert held["payment_state"] == "PaymentCompleted"
    assert simulate(client, order["order_id"], "resolve").json()["order_state"] == "WaitingForDelivery"


def test_failed_payment(client, create_order):
    assert simulate(client, create_order()["order_id"], "fail").json()["order_state"] == "PaymentFailed"


def test_setup_failed_email_fails_payment_setup(create_order, wait_for_state):
    wait_for_state(create_order(email="setup-failed@sandbox.test")["order_id"], "PaymentSetupFailed")


def test_manual_email_waits_for_manual_action_then_resolves(client, create_order, wait_for_state):
    order = create_order(email="manual@sandbox.test")
    simulate(client, order["order_id"], "pay")
    wait_for_state(order["order_id"], "WaitingForManualAction")
    assert simulate(client, order["order_id"], "resolve").json()["order_state"] == "WaitingForDelivery"
    wait_for_state(order["order_id"], "Done")


def test_manual_action_can_refund(client, create_order, wait_for_state):
    order = create_order(email="manual@sandbox.test")
    simulate(client, order["order_id"], "pay")
    wait_for_state(order["order_id"], "WaitingForManualAction")
    assert simulate(client, order["order_id"], "refund").json()["order_state"] == "Refunded"


def test_refund_email_is_refunded_after_manual_action(config, clock, make_client, make_body):
    app = make_app(config, clock=clock)
    with make_client(app) as http:
        order_id = http.post("/v5/orders", json=make_body(email="refund@sandbox.test")).json()["order_id"]
        http.post(f"/sandbox/orders/{order_id}/simulate", json={"action": "pay"})
        states = []
        for _ in range(3):
            clock.now += config.step_seconds
            states.append(http.get(f"/v5/orders/{order_id}").json()["order_state"])
    assert states == ["PaymentReceived", "WaitingForManualAction", "Refunded"]


def test_terminal_states_never_move_and_illegal_actions_conflict(client, create_order):
    order_id = create_order()["order_id"]
    simulate(client, order_id, "expire")
    for action in ("pay", "resolve", "expire", "refund"):
        response = simulate(client, order_id, action)
        assert response.status_code == 409 and response.json()["detail"] == "ILLEGAL_ACTION"
    assert client.get(f"/v5/orders/{order_id}").json()["order_state"] == "Expired"


def test_pay_rest_without_partial_payment_conflicts(client, create_order):
    assert simulate(client, create_order()["order_id"], "pay_rest").status_code == 409


def test_unknown_action_and_unknown_order(client, create_order):
    response = simulate(client, create_order()["order_id"], "teleport")
    assert response.status_code == 400 and response.json()["detail"] == "BAD_REQUEST"
    for response in (client.get("/v5/orders/missing"), simulate(client, "missing", "pay")):
        assert response.status_code == 404 and response.json()["detail"] == "ORDER_NOT_FOUND"


def test_orders_survive_a_new_app_on_the_same_database(config, make_client, make_body):
    with make_client(make_app(config)) as first:
        order = first.post("/v5/orders", json=make_body()).json()
        first.post(f"/sandbox/orders/{order['order_id']}/simulate", json={"action": "partial"})
    with make_client(make_app(config)) as second:
        again = second.get(f"/v5/orders/{order['order_id']}").json()
    assert again["order_state"] == "PartialPaymentStarted"
    assert again["wallet_address"] == order["wallet_address"]
    assert config.db_path.exists()


def test_concurrent_reads_and_writes_are_safe(sandbox, make_client, make_body):
    from concurrent.futures import ThreadPoolExecutor

    def create_and_read(index: int) -> str:
        with make_client(sandbox) as http:
            body = make_body(email=f"buyer{index}@example.com")
            order_id = http.post("/v5/orders", json=body).json()["order_id"]
            http.post(f"/sandbox/orders/{order_id}/simulate", json={"action": "pay"})
            return http.get(f"/v5/orders/{order_id}").json()["order_state"]

    with ThreadPoolExecutor(8) as pool:
        states = list(pool.map(create_and_read, range(16)))
    assert len(states) == 16 and all(states)
