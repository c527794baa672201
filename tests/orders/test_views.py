"""The order page: payment details, access by secret URL only, the polled status, sandbox controls."""

from __future__ import annotations

import secrets
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from orders_factory import *  # noqa: F403  (fixtures: order, make_order, upstream_calls, wait_until)
from thread_support import run_at_once

from orders.models import Order
from orders.payment import build_payment_uri
from orders.services import record_upstream_order, simulate_order_payment
from orders.states import OrderState

pytestmark = pytest.mark.django_db


def page_url(order: Order) -> str:
    return reverse("orders:detail", kwargs={"token": order.token})


def poll(client, order: Order):
    return client.get(page_url(order), headers={"HX-Request": "true"})


def test_payment_page_shows_exact_amount_address_network_qr_and_countdown(client, order):
    response = client.get(page_url(order))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<span id="coin-amount">25.48</span>' in html
    assert f'id="wallet-address">{order.wallet_address}<' in html
    assert 'data-copy-target="#coin-amount"' in html and 'data-copy-target="#wallet-address"' in html
    assert 'id="payment-network">Solana<' in html
    assert "Send only USDC on the Solana network" in html
    assert '<svg viewBox="0 0 ' in html and 'class="qr-svg"' in html
    assert f'data-countdown-to="{order.expires_at.isoformat()}"' in html
    assert "Sent too little, too late, or on the wrong network?" in html


def test_order_pages_are_private(client, order):
    response = client.get(page_url(order))
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize(
    "token",
    ["wrong", secrets.token_urlsafe(32), "x" * 65],
    ids=["short", "guessed-256-bit", "too-long"],
)
def test_a_wrong_or_guessed_token_is_not_found(client, order, token):
    response = client.get(reverse("orders:detail", kwargs={"token": token}))
    assert response.status_code == 404
    assert order.wallet_address not in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"


def test_a_token_prefix_is_not_enough(client, order):
    response = client.get(reverse("orders:detail", kwargs={"token": order.token[:-1]}))
    assert response.status_code == 404


def test_htmx_poll_gets_only_the_status_partial_and_keeps_polling(client, order):
    response = poll(client, order)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="status"')
    assert "<html" not in html
    assert 'hx-trigger="every 5s' in html


def test_polling_stops_at_a_terminal_state(client, order, end_user):
    simulate_order_payment(order=order, action="expire", end_user=end_user)
    response = poll(client, order)
    assert response.status_code == 286
    html = response.content.decode()
    assert "The payment window has closed" in html
    assert "hx-trigger" not in html
    assert 'id="wallet-address"' not in html


def test_without_javascript_an_open_order_refreshes_itself(client, order, end_user):
    html = client.get(page_url(order)).content.decode()
    assert '<noscript><meta http-equiv="refresh" content="10"></noscript>' in html
    assert f'href="{page_url(order)}" class="refresh-link"' in html
    simulate_order_payment(order=order, action="expire", end_user=end_user)
    assert 'http-equiv="refresh"' not in client.get(page_url(order)).content.decode()


def test_partial_payment_shows_the_amount_still_due(client, order, end_user):
    simulate_order_payment(order=order, action="partial", end_user=end_user)
    html = client.get(page_url(order)).content.decode()
    assert "Part of the payment arrived" in html
    assert '<span id="coin-amount-due">12.74</span>' in html
    assert '<span id="coin-amount">25.48</span>' in html
    assert "amount=12.74" in order.qr_text


def test_done_page_shows_the_code_to_the_secret_url_holder(client, order, end_user, wait_until):
    simulate_order_payment(order=order, action="pay", end_user=end_user)

    def done() -> bool:
        Order.objects.filter(pk=order.pk).update(synced_at=None)
        return poll(client, order).status_code == 286

    assert wait_until(done, timeout=5)
    code = order.items.get().delivered_secrets()["pin_code"]
    html = client.get(page_url(order)).content.decode()
    assert "Your order is complete" in html
    assert code in html
    assert 'id="wallet-address"' not in html


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="in-memory SQLite locks whole tables across threads"
)
def test_many_concurrent_polls_cause_one_upstream_call(order, upstream_calls, settings):
    settings.ORDERS_REFRESH_SECONDS = 30
    Order.objects.filter(pk=order.pk).update(synced_at=timezone.now() - timedelta(minutes=1))
    before = upstream_calls()

    def shopper_tab() -> list[int]:
        tab = Client()
        return [poll(tab, order).status_code for _ in range(3)]

    statuses = [status for tab in run_at_once(shopper_tab, count=20, timeout=60) for status in tab]
    assert statuses == [200] * 60
    assert upstream_calls() - before == 1


def test_a_stale_row_is_refreshed_by_the_poll(client, order, end_user, upstream_calls):
    from storefront.upstream.factory import get_client

    get_client().simulate_payment(order_id=order.upstream_order_id, action="pay", end_user=end_user)
    Order.objects.filter(pk=order.pk).update(synced_at=timezone.now() - timedelta(minutes=1))
    before = upstream_calls()
    response = poll(client, order)
    assert upstream_calls() - before == 1
    order.refresh_from_db()
    assert order.state != OrderState.WAITING_FOR_PAYMENT
    assert f'data-state="{order.state}"' in response.content.decode()


def test_sandbox_offers_simulate_buttons_that_drive_the_order(client, order):
    html = client.get(page_url(order)).content.decode()
    for action in ("pay", "partial", "late", "expire", "fail"):
        assert f'value="{action}"' in html
    simulate_url = reverse("orders:simulate", kwargs={"token": order.token})
    response = client.post(simulate_url, {"action": "pay"})
    assert response.status_code == 302 and response["Location"] == page_url(order)
    order.refresh_from_db()
    assert order.state in {
        OrderState.PAYMENT_STARTED,
        OrderState.PAYMENT_RECEIVED,
        OrderState.WAITING_FOR_DELIVERY,
        OrderState.DONE,
    }
    assert order.events.last().source == "simulate"


def test_simulate_answers_a_misfit_action_with_a_message(client, order, end_user):
    simulate_order_payment(order=order, action="expire", end_user=end_user)
    response = client.post(
        reverse("orders:simulate", kwargs={"token": order.token}), {"action": "pay"}, follow=True
    )
    assert "does not fit the order" in response.content.decode()


def test_simulate_refuses_get_unknown_actions_and_wrong_tokens(client, order):
    url = reverse("orders:simulate", kwargs={"token": order.token})
    assert client.get(url).status_code == 405
    assert client.post(url, {"action": "steal"}).status_code == 404
    wrong = reverse("orders:simulate", kwargs={"token": "nope"})
    assert client.post(wrong, {"action": "pay"}).status_code == 404


def test_simulate_is_not_offered_outside_sandbox_mode(client, order, settings):
    settings.SANDBOX_MODE = False
    html = client.get(page_url(order)).content.decode()
    assert "data-simulate" not in html
    response = client.post(reverse("orders:simulate", kwargs={"token": order.token}), {"action": "pay"})
    assert response.status_code == 404
    order.refresh_from_db()
    assert order.state == OrderState.WAITING_FOR_PAYMENT


def test_tron_qr_carries_the_bare_address(make_order):
    order = make_order(coin="USDT", network="Tron")
    assert order.qr_text in ("", order.wallet_address)
    order.qr_text = ""
    assert build_payment_uri(order, end_user=None) == order.wallet_address


def test_qr_on_polygon_takes_the_chain_id_of_the_payment_via(make_order, end_user):
    order = make_order(network="Polygon (Matic)")
    order.qr_text = ""
    uri = build_payment_uri(order, end_user=end_user)
    assert uri.startswith("ethereum:0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359@137/transfer?address=")


def test_qr_falls_back_to_solana_pay_built_from_the_payment_vias(order, end_user):
    order.qr_text = ""
    uri = build_payment_uri(order, end_user=end_user)
    assert uri == (
        f"solana:{order.wallet_address}?amount=25.48&spl-token=EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"
    )


def test_qr_falls_back_to_eip681_on_evm_networks(make_order, end_user):
    order = make_order(network="Base")
    order.qr_text = ""
    uri = build_payment_uri(order, end_user=end_user)
    assert uri == (
        f"ethereum:0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913@8453/transfer"
        f"?address={order.wallet_address}&uint256=25480000"
    )


def test_simulate_buttons_work_from_a_no_referrer_page_with_csrf_checks(order):
    # A page sent with Referrer-Policy: no-referrer makes browsers post with `Origin: null`.
    browser = Client(enforce_csrf_checks=True)
    url = reverse("orders:simulate", kwargs={"token": order.token})
    response = browser.post(url, {"action": "expire"}, headers={"Origin": "null"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.EXPIRED


def test_a_late_payment_is_told_to_contact_support(client, order, end_user):
    simulate_order_payment(order=order, action="late", end_user=end_user)
    html = client.get(page_url(order)).content.decode()
    assert 'id="late-payment-notice"' in html and order.reference in html


def test_no_inline_scripts_or_styles_on_the_order_page(client, order):
    html = client.get(page_url(order)).content.decode()
    assert "<script>" not in html and " style=" not in html and " onclick=" not in html


def test_many_concurrent_pollers_coalesce_into_one_upstream_call(order, monkeypatch, settings):
    """The lock itself, under real thread concurrency, with a slow upstream (runs on any database)."""
    from orders import services

    settings.ORDERS_REFRESH_SECONDS = 30
    calls: list[str] = []

    def slow_upstream(*, order, source):
        calls.append(source)
        threading.Event().wait(0.2)
        return order

    monkeypatch.setattr(services, "refresh_order_from_upstream", slow_upstream)
    order.synced_at = timezone.now() - timedelta(minutes=1)
    barrier = threading.Barrier(50, timeout=60)

    def poller() -> None:
        barrier.wait()
        services.refresh_order_if_stale(
            order=Order(
                pk=order.pk,
                **{
                    f: getattr(order, f)
                    for f in ("state", "upstream_order_id", "synced_at", "expires_at", "reference")
                },
            )
        )

    threads = [threading.Thread(target=poller) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == ["poll"]


def test_a_token_with_a_nul_byte_or_foreign_letters_is_a_404(client, db):
    for token in ("abc\x00def", "ünïcode-token", "a" * 65):
        assert client.get(f"/orders/{token}/").status_code == 404


# -- the order page on the live API's answers (tests/contract/fixtures) ---------------------------


def live_order(*names: str, **overrides) -> Order:
    """Return the fixtures' cart order with each named answer recorded in turn."""
    order = cart_order()  # noqa: F405
    for name in names:
        record_upstream_order(order=order, upstream=live_answer(name, **overrides), source="sync")  # noqa: F405
    order.refresh_from_db()
    return order


def test_done_page_shows_every_delivered_field_with_the_instructions_sanitized(client, settings):
    settings.SANDBOX_MODE = False  # the barcode is on the upstream's CDN, which the CSP allows live
    order = live_order("order_created.json", "order_done.json")
    html = client.get(page_url(order)).content.decode()
    assert "Your order is complete" in html
    assert 'id="code-1">AQ7K-9MZT4R-2J6M<' in html
    assert 'id="serial-1">6021934857<' in html
    assert 'id="security-code-1">481<' in html
    barcode = "https://cdn.cryptorefills.com/barcodes/521def0e-7b78-48d9-b907-b4ed130e3015.png"
    assert f'<img src="{barcode}"' in html
    link = '<a href="https://www.amazon.com/redeem" rel="noopener noreferrer nofollow">amazon.com/redeem</a>'
    assert link in html
    assert 'href="https://redeem.cryptorefills.com/c/8f4c2a61-3d7e-4b9a-a5c1-6e2f0d9b7a34"' in html
    assert "Open the link to reveal your Steam Wallet code." in html
    assert "alert(" not in html and "onclick" not in html
    assert "Payment: Payment complete" in html


def test_in_sandbox_mode_a_barcode_from_another_host_is_not_loaded(client):
    order = live_order("order_created.json", "order_done.json")
    html = client.get(page_url(order)).content.decode()
    assert "cdn.cryptorefills.com/barcodes" not in html
    assert 'id="code-1">AQ7K-9MZT4R-2J6M<' in html


def test_a_sandbox_barcode_is_shown_from_the_shop_itself(client, order, end_user, wait_until):
    simulate_order_payment(order=order, action="pay", end_user=end_user)

    def done() -> bool:
        Order.objects.filter(pk=order.pk).update(synced_at=None)
        return poll(client, order).status_code == 286

    assert wait_until(done, timeout=5)
    html = client.get(page_url(order)).content.decode()
    assert '<img src="/' in html and 'id="barcode-1"' in html


def test_payment_page_counts_down_the_derived_window_and_names_the_payment_state(client):
    now = int(timezone.now().timestamp())
    order = live_order("order_created.json", payment_requested_at=str(now), created_at=str(now))
    html = client.get(page_url(order)).content.decode()
    assert order.expires_at == datetime.fromtimestamp(now, tz=UTC) + timedelta(minutes=30)
    assert f'data-countdown-to="{order.expires_at.isoformat()}"' in html
    assert '<span id="coin-amount">36.63</span>' in html
    assert "Payment: Payment address created" in html


def test_an_unknown_upstream_state_is_told_honestly(client):
    order = live_order("order_created.json", "order_unknown_state.json")
    html = client.get(page_url(order)).content.decode()
    assert 'id="unknown-state-notice"' in html
    assert "The supplier reports a state we do not know yet: OnHold." in html


def test_a_canceled_order_says_so_and_stops_polling(client):
    order = live_order("order_created.json", "order_canceled.json")
    response = poll(client, order)
    assert response.status_code == 286
    html = response.content.decode()
    assert "This order was canceled" in html and 'id="wallet-address"' not in html


def test_a_late_payment_delivered_after_expiry_shows_the_codes(client):
    order = live_order("order_created.json", "order_expired.json", "order_late_done.json")
    html = client.get(page_url(order)).content.decode()
    assert "Your order is complete" in html and "AQ7K-9MZT4R-2J6M" in html


def test_an_expired_order_with_a_late_payment_seen_keeps_polling_and_one_without_stops(client):
    now = str(int(timezone.now().timestamp()))
    late = live_order(
        "order_expired.json", payment_state="ExpiredAfterPaymentDetection", payment_requested_at=now
    )
    response = poll(client, late)
    assert response.status_code == 200 and 'hx-trigger="every 5s' in response.content.decode()
    assert 'id="late-payment-notice"' in response.content.decode()
    Order.objects.filter(pk=late.pk).update(late_payment=False, coin_amount_paid=0)
    assert poll(client, late).status_code == 286
