"""Orders over time: creation shapes, every terminal state, manual action and partial payment."""

from __future__ import annotations

import re

import pytest

from storefront.sandbox.app import make_app

BUYER = "buyer@example.com"
ORDER_KEYS = {
    "order_id",
    "order_state",
    "payment_state",
    "email",
    "coin",
    "network",
    "coin_amount",
    "coin_amount_paid",
    "coin_amount_due",
    "wallet_address",
    "qr_text",
    "created_at",
    "expires_at",
    "late_payment",
    "lang",
    "deliveries",
}


def simulate(client, order_id: str, action: str):
    return client.post(f"/sandbox/orders/{order_id}/simulate", json={"action": action})


def test_created_order_shape(create_order):
    order = create_order()
    assert set(order) == ORDER_KEYS
    assert re.fullmatch(r"ord_[A-Za-z0-9]{22}", order["order_id"])
    assert (order["order_state"], order["payment_state"]) == ("Created", "WalletCreated")
    assert (order["coin_amount"], order["coin_amount_paid"], order["coin_amount_due"]) == (
        "25.48",
        "0",
        "25.48",
    )
    assert order["late_payment"] is False and order["lang"] == "en"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", order["created_at"])
    (delivery,) = order["deliveries"]
    assert delivery["kind"] == "giftcard" and delivery["delivery_state"] == "Created"
    assert delivery["deliverable"] == {"beneficiary_account": BUYER, "pin_code": None}


def test_expires_at_is_created_plus_the_window(create_order):
    from datetime import datetime

    order = create_order()
    created = datetime.fromisoformat(order["created_at"])
    assert (datetime.fromisoformat(order["expires_at"]) - created).total_seconds() == 1800


def test_flat_and_nested_deliveries_make_the_same_order(create_order):
    flat = {
        "beneficiary_account": BUYER,
        "brand_name": "Airbnb",
        "country_code": "US",
        "denomination": "50 USD",
    }
    nested = {"kind": "giftcard", "quantity": 2, "deliverable": dict(flat), "localized_denomination": "$50"}
    from_flat = create_order(deliveries=[flat, flat])
    from_nested = create_order(deliveries=[nested])
    strip = ("delivery_id",)
    assert [{k: v for k, v in d.items() if k not in strip} for d in from_flat["deliveries"]] == [
        {k: v for k, v in d.items() if k not in strip} for d in from_nested["deliveries"]
    ]
    assert from_nested["coin_amount"] == "101.90"
    assert len({d["delivery_id"] for d in from_nested["deliveries"]}) == 2


@pytest.mark.parametrize(
    ("network", "address", "qr"),
    [
        (
            "Solana",
            r"[1-9A-HJ-NP-Za-km-z]{32,44}",
            r"solana:{a}\?amount=25\.48&spl-token=EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v",
        ),
        (
            "ETH Mainnet",
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
        ("Tron", r"T[1-9A-HJ-NP-Za-km-z]{33}", None),
    ],
)
def test_wallet_addresses_and_payment_uris_fit_the_network(create_order, network, address, qr):
    user = {"email": BUYER, "has_accepted_newsletter": False, "full_name": "Ada Lovelace"}
    order = create_order(
        payment={"type": "via", "payment_via": "USER_WALLET", "coin": "USDC", "network": network}, user=user
    )
    assert re.fullmatch(address, order["wallet_address"])
    if qr is None:
        assert "qr_text" not in order
    else:
        assert re.fullmatch(qr.format(a=re.escape(order["wallet_address"])), order["qr_text"])


def test_created_order_waits_for_payment_after_a_step(create_order, wait_for_state):
    order = wait_for_state(create_order()["order_id"], "WaitingForPayment")
    assert order["payment_state"] == "PaymentRequested"


def test_paid_order_is_delivered_with_codes(client, create_order, wait_for_state):
    order = create_order(
        deliveries=[
            {
                "beneficiary_account": BUYER,
                "brand_name": "Airbnb",
                "country_code": "US",
                "denomination": "25 USD",
            },
            {
                "beneficiary_account": BUYER,
                "brand_name": "Netflix",
                "country_code": "US",
                "denomination": "25 USD",
            },
            {
                "beneficiary_account": BUYER,
                "brand_name": "eSIM USA",
                "country_code": "US",
                "denomination": "1 GB 7 days",
            },
            {
                "beneficiary_account": "+14155551234",
                "brand_name": "AT&T",
                "country_code": "US",
                "denomination": "15 USD",
            },
        ]
    )
    paid = simulate(client, order["order_id"], "pay").json()
    assert paid["order_state"] == "PaymentStarted"
    assert (paid["coin_amount_paid"], paid["coin_amount_due"]) == (paid["coin_amount"], "0")
    done = wait_for_state(order["order_id"], "Done")
    assert done["payment_state"] == "PaymentReceived"
    assert all(d["delivery_state"] == "Completed" for d in done["deliveries"])
    airbnb, netflix, esim, topup = (d["deliverable"] for d in done["deliveries"])
    assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){3}", airbnb["pin_code"])
    assert netflix["pin_code"].startswith("https://redeem.sandbox.test/")
    assert esim["esim_activation_code"].startswith("LPA:1$")
    assert topup == {"beneficiary_account": "+14155551234", "pin_code": None}


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
    assert partial["order_state"] == "PartialPaymentStarted"
    assert (partial["coin_amount_paid"], partial["coin_amount_due"]) == ("12.74", "12.74")
    assert "amount=12.74" in partial["qr_text"]
    assert simulate(client, order["order_id"], "pay_rest").json()["coin_amount_due"] == "0"
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
    assert (order["order_state"], order["payment_state"], order["late_payment"]) == (
        "Expired",
        "Expired",
        False,
    )


def test_late_payment_ends_expired_and_flagged(client, create_order):
    order = simulate(client, create_order()["order_id"], "late").json()
    assert (order["order_state"], order["late_payment"]) == ("Expired", True)
    assert order["coin_amount_paid"] == order["coin_amount"]


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
    for response in (client.get("/v5/orders/ord_missing"), simulate(client, "ord_missing", "pay")):
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
