"""The order's live updates: the upstream's stream recorded on the order's row, the shopper told only
that something changed.

The upstream's order JSON holds the codes, ids and the buyer's email; it never goes to the browser.
The page is sent the order's new state as a signal and fetches the status fragment it can see.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import httpx
from asgiref.sync import sync_to_async
from pydantic import ValidationError

from storefront.upstream import schemas
from storefront.upstream.errors import UpstreamError

from .models import Order, OrderEvent
from .services import record_upstream_order

logger = logging.getLogger(__name__)
STOP_EVENT = b"event: stop\ndata: {}\n\n"


def encode_event(event: str, data: dict) -> bytes:
    """Return one server-sent event whose data is a JSON object, as bytes."""
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def state_signal(order: Order) -> bytes:
    """Return the event that tells the page the order changed: its state, nothing else."""
    return encode_event("message", {"state": order.state})


async def record_stream_message(*, order: Order, data: str) -> bool | None:
    """Record an order JSON from the stream on the order's row; return whether the order is now
    terminal, or None when the message is not an order."""
    try:
        upstream = schemas.Order.model_validate(json.loads(data))
    except (ValueError, ValidationError):
        # The payload may hold codes: say what failed, never what it said.
        logger.warning("order %s: stream message that is not an order skipped", order.reference)
        return None
    await sync_to_async(record_upstream_order)(
        order=order, upstream=upstream, source=OrderEvent.Source.STREAM
    )
    return upstream.is_terminal or order.is_terminal


async def relay_order_events(
    *, order: Order, events: AsyncIterator[schemas.StreamEvent], resources: AsyncExitStack
) -> AsyncIterator[bytes]:
    """Record each order message of the upstream's stream and signal the page; end at a terminal state."""
    try:
        async for event in events:
            if event.event == "stop":
                yield STOP_EVENT
                return
            if event.event != "message" or not event.data:
                continue
            terminal = await record_stream_message(order=order, data=event.data)
            if terminal is None:
                continue
            yield state_signal(order)
            if terminal:
                yield STOP_EVENT
                return
    except (httpx.TransportError, UpstreamError) as exc:
        # The upstream dropped the stream: end ours too (what came before is recorded); the page
        # reconnects or polls. Headers are sent, so an exception here could only cut the connection.
        logger.warning("order %s: upstream stream dropped: %s", order.reference, exc)
    finally:
        await resources.aclose()
