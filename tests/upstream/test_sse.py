"""The order stream, read through httpx-sse, as both clients hand it to the shop."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import respx

from storefront.upstream import errors
from storefront.upstream.client import AsyncCryptorefillsClient, ClientConfig, CryptorefillsClient, EndUser

API = "https://api.test"
STREAM = (
    ': keep-alive\n\nevent: message\ndata: {"a":\ndata: 1}\nid: 7\n\ndata: x\n\nevent: stop\ndata: {}\n\n'
)
EVENT_STREAM = {"content-type": "text/event-stream; charset=utf-8"}
SHOPPER = EndUser(ip="198.51.100.4", user_agent="ShopperBrowser/1.0")


def _config() -> ClientConfig:
    return ClientConfig(
        base_url=API, partner_id="p", app_version="v", site_url=API, timeout=httpx.Timeout(1.0)
    )


@pytest.fixture
def upstream():
    with respx.mock(base_url=API, assert_all_called=False) as mock:
        yield mock


def _read_sync() -> list[tuple[str, str, str | None]]:
    client = CryptorefillsClient(_config())
    try:
        with client.subscribe_order(order_id="ord_1", end_user=SHOPPER) as events:
            return [(e.event, e.data, e.id) for e in events]
    finally:
        client.close()


async def _read_async() -> list[tuple[str, str, str | None]]:
    client = AsyncCryptorefillsClient(_config())
    try:
        async with client.open_order_stream(order_id="ord_1", end_user=SHOPPER) as events:
            return [(e.event, e.data, e.id) async for e in events]
    finally:
        await client.aclose()


EXPECTED = [("message", '{"a":\n1}', "7"), ("message", "x", "7"), ("stop", "{}", "7")]


def test_sync_stream_splits_events_skips_keep_alives_and_names_plain_data_message(upstream):
    upstream.get("/v5/orders/ord_1/subscribe").respond(200, headers=EVENT_STREAM, text=STREAM)
    assert _read_sync() == EXPECTED


def test_async_stream_yields_the_same_events(upstream):
    upstream.get("/v5/orders/ord_1/subscribe").respond(200, headers=EVENT_STREAM, text=STREAM)
    assert asyncio.run(_read_async()) == EXPECTED


def test_async_stream_error_status_is_raised_before_any_event(upstream):
    upstream.get("/v5/orders/ord_1/subscribe").respond(404, json={"detail": "ORDER_NOT_FOUND"})
    with pytest.raises(errors.UpstreamStatusError) as caught:
        asyncio.run(_read_async())
    assert caught.value.status_code == 404
    assert caught.value.detail == "ORDER_NOT_FOUND"


def test_a_stream_that_is_not_an_event_stream_is_a_response_error(upstream):
    upstream.get("/v5/orders/ord_1/subscribe").respond(200, json={"order_state": "Done"})
    with pytest.raises(errors.UpstreamResponseError, match="text/event-stream"):
        _read_sync()
    with pytest.raises(errors.UpstreamResponseError, match="text/event-stream"):
        asyncio.run(_read_async())


def test_async_stream_connection_failure_is_a_connection_error(upstream):
    upstream.get("/v5/orders/ord_1/subscribe").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(errors.UpstreamConnectionError):
        asyncio.run(_read_async())
