"""The order stream proxy: upstream SSE relayed with the right headers, recorded, ended when terminal."""

from __future__ import annotations

import json

import httpx
import pytest
from django.urls import reverse
from orders_factory import *  # noqa: F403  (fixtures: order, make_order, upstream_calls, wait_until)
from serving_client import get_through_serving

from orders.models import Order, OrderEvent
from orders.services import record_upstream_order
from orders.states import OrderState
from storefront.upstream.client import AsyncCryptorefillsClient
from storefront.upstream.factory import client_config, get_client

pytestmark = pytest.mark.django_db(transaction=True)


def stream_url(order: Order) -> str:
    return reverse("orders_api:subscribe", kwargs={"token": order.token})


def open_stream(url: str) -> tuple[httpx.Response, list[bytes]]:
    """Request the stream as `make run` serves it and read it to its end."""
    response = get_through_serving(url)
    return response, [response.content]


def events_of(chunks: list[bytes]) -> list[tuple[str, str]]:
    text = b"".join(chunks).decode()
    out = []
    for block in text.split("\n\n"):
        if not block.strip() or block.startswith(":"):
            continue
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        out.append((lines.get("event", "message"), lines.get("data", "")))
    return out


def use_upstream(monkeypatch, handler) -> None:
    """Serve the async client from `handler` (an httpx MockTransport handler)."""

    def build():
        return AsyncCryptorefillsClient(client_config(), transport=httpx.MockTransport(handler))

    monkeypatch.setattr("orders.live.build_async_client", build)


def event_stream(body: bytes):
    """Return an httpx handler answering with `body` as an event stream."""
    return lambda request: httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})


def test_stream_records_updates_signals_only_the_state_and_stops_at_done(order, end_user):
    get_client().simulate_payment(order_id=order.upstream_order_id, action="pay", end_user=end_user)
    response, chunks = open_stream(stream_url(order))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-store, no-transform"
    assert response.headers["X-Accel-Buffering"] == "no"
    events = events_of(chunks)
    assert events[-1] == ("stop", "{}")
    messages = [json.loads(data) for name, data in events if name == "message"]
    assert messages[0]["state"] == "WaitingForPayment"  # the page is told where the order is, at once
    assert messages[-1]["state"] == "Done"
    order.refresh_from_db()
    assert order.state == OrderState.DONE
    assert order.events.filter(source=OrderEvent.Source.STREAM).exists()
    assert order.items.get().delivered_secrets()["pin_code"]


def test_the_live_stream_is_recorded_but_its_order_json_never_reaches_the_browser(monkeypatch):
    order = cart_order(upstream_order_id="3e7b1c52-9a4f-4d8e-b2c6-5f0a9d3e1b77")  # noqa: F405
    record_upstream_order(order=order, upstream=live_answer("order_created.json"), source="checkout")  # noqa: F405
    body = (LIVE_FIXTURES / "order_stream.txt").read_bytes()  # noqa: F405
    use_upstream(monkeypatch, event_stream(body))
    _response, chunks = open_stream(stream_url(order))
    text = b"".join(chunks).decode()
    for private in ("AQ7K-9MZT4R-2J6M", "jane.doe@example.com", "3e7b1c52", "wallet_address", "521def0e"):
        assert private not in text
    assert events_of(chunks)[-1] == ("stop", "{}")
    # What the page shows: the state and the amounts, nothing else.
    assert all(set(json.loads(data)) == {"state", "paid", "due"}
               for name, data in events_of(chunks) if name == "message")
    order.refresh_from_db()
    assert order.state == OrderState.DONE
    assert order.items.get(position=0).delivered_secrets()["pin_serial"] == "6021934857"


def test_stream_of_an_expired_order_ends_at_once(order, end_user):
    get_client().simulate_payment(order_id=order.upstream_order_id, action="expire", end_user=end_user)
    _response, chunks = open_stream(stream_url(order))
    events = events_of(chunks)
    assert [name for name, _ in events][-2:] == ["message", "stop"]
    assert json.loads(events[-2][1])["state"] == "Expired"
    order.refresh_from_db()
    assert order.state == OrderState.EXPIRED


def test_stream_ends_at_a_terminal_message_even_without_a_stop_event(order, monkeypatch):
    done = json.dumps({"order_id": order.upstream_order_id, "order_state": "Done", "deliveries": []})
    later = json.dumps({"order_id": order.upstream_order_id, "order_state": "Refunded"})
    body = f": hello\n\nevent: message\ndata: {done}\n\nevent: message\ndata: {later}\n\n".encode()
    use_upstream(monkeypatch, event_stream(body))
    _response, chunks = open_stream(stream_url(order))
    states = [json.loads(data)["state"] if name == "message" else name for name, data in events_of(chunks)]
    assert states == ["WaitingForPayment", "Done", "stop"]
    order.refresh_from_db()
    assert order.state == OrderState.DONE


def test_a_malformed_message_is_neither_relayed_nor_recorded(order, monkeypatch):
    body = b"event: message\ndata: {not json\n\nevent: stop\ndata: {}\n\n"
    use_upstream(monkeypatch, event_stream(body))
    _response, chunks = open_stream(stream_url(order))
    assert [name for name, _ in events_of(chunks)] == ["message", "stop"]  # the current state, then the end
    order.refresh_from_db()
    assert order.state == OrderState.WAITING_FOR_PAYMENT


def test_unreachable_upstream_gives_502(order, monkeypatch):
    def refuse(request):
        raise httpx.ConnectError("connection refused", request=request)

    use_upstream(monkeypatch, refuse)
    response, _chunks = open_stream(stream_url(order))
    assert response.status_code == 502
    assert response.json() == {"error": "Failed to connect to upstream stream"}
    assert response.headers["X-Request-ID"]


@pytest.mark.parametrize("status", [404, 429, 503])
def test_upstream_error_status_is_passed_on(order, monkeypatch, status):
    use_upstream(monkeypatch, lambda request: httpx.Response(status, json={"status": status, "detail": "X"}))
    response, _chunks = open_stream(stream_url(order))
    assert response.status_code == status
    assert response.json() == {"error": "Upstream returned an error"}


def test_unknown_order_upstream_is_passed_on_from_the_sandbox(order):
    Order.objects.filter(pk=order.pk).update(upstream_order_id="ord_doesnotexist0000000000")
    response, _chunks = open_stream(stream_url(order))
    assert response.status_code == 404


def test_wrong_token_is_not_found(order):
    response, _chunks = open_stream(reverse("orders_api:subscribe", kwargs={"token": "guess"}))
    assert response.status_code == 404


def test_the_stream_speaks_for_the_shopper(order, monkeypatch):
    seen = {}

    def handler(request):
        seen.update(request.headers)
        return event_stream(b"event: stop\ndata: {}\n\n")(request)

    use_upstream(monkeypatch, handler)
    get_through_serving(stream_url(order), headers={"User-Agent": "ShopperPhone/1.0"})
    assert seen["user-agent"] == "ShopperPhone/1.0"
    assert seen["accept"] == "text/event-stream"
    assert seen["x-cr-application"]


def test_a_plain_wsgi_server_offers_no_stream_and_says_so(client, order):
    page = client.get(reverse("orders:detail", kwargs={"token": order.token}))
    assert b"data-stream-url" not in page.content  # the page polls alone
    response = client.get(stream_url(order))
    assert response.status_code == 404
    assert response.json() == {"error": "This server does not stream; the order page polls"}


def test_the_page_served_as_make_run_serves_it_offers_the_stream_and_what_it_shows(order):
    page = get_through_serving(reverse("orders:detail", kwargs={"token": order.token}))
    assert f'data-stream-url="{stream_url(order)}"' in page.text
    assert 'data-live="{&quot;state&quot;:&quot;WaitingForPayment&quot;' in page.text


def test_opening_the_upstream_stream_is_counted_in_the_metrics(order, end_user):
    before = streams_opened()  # noqa: F405
    get_client().simulate_payment(order_id=order.upstream_order_id, action="expire", end_user=end_user)
    open_stream(stream_url(order))
    assert streams_opened() == before + 1  # noqa: F405
