"""The order's event stream: the upstream's SSE relayed to the shopper, each message recorded on the way."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import httpx
from asgiref.sync import sync_to_async
from pydantic import ValidationError

from storefront.upstream import schemas

from .models import Order, OrderEvent
from .services import record_upstream_order

logger = logging.getLogger(__name__)
STOP_EVENT = b"event: stop\ndata: {}\n\n"


def encode_event(event: str, data: str) -> bytes:
    """Return one server-sent event as bytes."""
    lines = "".join(f"data: {line}\n" for line in data.split("\n"))
    return f"event: {event}\n{lines}\n".encode()


async def record_stream_message(*, order: Order, data: str) -> bool:
    """Record an order JSON from the stream on the order's row; return whether it is terminal."""
    try:
        upstream = schemas.Order.model_validate(json.loads(data))
    except (ValueError, ValidationError):
        # The payload may hold codes: say what failed, never what it said.
        logger.warning("order %s: stream message that is not an order skipped", order.reference)
        return False
    await sync_to_async(record_upstream_order)(
        order=order, upstream=upstream, source=OrderEvent.Source.STREAM
    )
    return upstream.is_terminal or order.is_terminal


async def relay_order_events(*, order: Order, lines: AsyncIterator[str], resources: AsyncExitStack):
    """Yield the upstream's events to the shopper, recording each order message; end at a terminal state."""
    event, data = "message", []
    try:
        async for line in lines:
            if line.startswith(":"):
                yield b": keep-alive\n\n"
                continue
            if line:
                field, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if field == "event":
                    event = value
                elif field == "data":
                    data.append(value)
                continue
            if not data and event == "message":
                continue
            payload = "\n".join(data)
            if event == "stop":
                yield STOP_EVENT
                return
            terminal = await record_stream_message(order=order, data=payload) if event == "message" else False
            yield encode_event(event, payload)
            if terminal:
                yield STOP_EVENT
                return
            event, data = "message", []
    except httpx.TransportError as exc:
        # The upstream dropped the stream: end ours too (what came before is recorded); the page
        # reconnects or polls. Headers are sent, so an exception here could only cut the connection.
        logger.warning("order %s: upstream stream dropped: %s", order.reference, exc)
    finally:
        await resources.aclose()
