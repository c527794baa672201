"""The order event stream: incremental messages, then stop at a terminal state."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
from httpx_sse import EventSource

from storefront.sandbox import sse
from storefront.sandbox.app import make_app


def read_events(response: httpx.Response) -> Iterator[tuple[str, dict | None]]:
    """Yield (event name, JSON data or None for empty data) pairs as they arrive."""
    for event in EventSource(response).iter_sse():
        yield event.event, json.loads(event.data) if event.data else None


def test_stream_sends_changes_as_they_happen_and_ends_with_stop(client, create_order):
    order_id = create_order()["order_id"]
    with client.stream("GET", f"/v5/orders/{order_id}/subscribe") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = read_events(response)
        name, first = next(events)
        assert name == "message" and first["order_id"] == order_id
        assert first["order_state"] == "WaitingForPayment"
        # The stream is still open: this payment happens after the first event was read.
        client.post(f"/sandbox/orders/{order_id}/simulate", json={"action": "pay"})
        rest = list(events)
    states = [data["order_state"] for name, data in rest if name == "message"]
    assert "PaymentStarted" in states and states[-1] == "Done"
    assert rest[-1] == ("stop", None)  # empty data, as live
    assert states == sorted(set(states), key=states.index)


def test_stream_of_a_terminal_order_sends_it_once_then_stops(client, create_order):
    order_id = create_order()["order_id"]
    client.post(f"/sandbox/orders/{order_id}/simulate", json={"action": "fail"})
    with client.stream("GET", f"/v5/orders/{order_id}/subscribe") as response:
        events = list(read_events(response))
    assert [name for name, _ in events] == ["message", "stop"]
    assert events[0][1]["order_state"] == "PaymentFailed"


def test_stream_of_a_late_payment_goes_on_past_expired_to_done(client, create_order):
    order_id = create_order()["order_id"]
    client.post(f"/sandbox/orders/{order_id}/simulate", json={"action": "late"})
    with client.stream("GET", f"/v5/orders/{order_id}/subscribe") as response:
        events = list(read_events(response))
    assert [data["order_state"] for name, data in events if name == "message"] == ["Expired", "Done"]
    assert events[-1] == ("stop", None)


def test_stream_of_an_unknown_order_is_a_json_404(client):
    response = client.get("/v5/orders/missing/subscribe")
    assert response.status_code == 404
    assert response.json()["detail"] == "ORDER_NOT_FOUND"


def test_stream_closes_after_its_maximum_duration(config, make_client, make_body):
    config.sse_max_seconds = 0.1
    with make_client(make_app(config)) as http:
        order_id = http.post("/v5/orders", json=make_body()).json()["order_id"]
        with http.stream("GET", f"/v5/orders/{order_id}/subscribe") as response:
            names = [name for name, _ in read_events(response)]
    assert "message" in names and "stop" not in names


def test_stream_sends_keep_alive_comments(monkeypatch):
    monkeypatch.setattr(sse, "KEEP_ALIVE_SECONDS", 0.0)
    ticks = iter(range(100))
    chunks = list(
        sse.order_events(
            lambda: {"order_state": "WaitingForPayment"},
            lambda doc: False,
            poll_seconds=0,
            max_seconds=3,
            clock=lambda: next(ticks),
            sleep=lambda _: None,
        )
    )
    assert chunks[0].startswith(b"event: message\n")
    assert b": keep-alive\n\n" in chunks
