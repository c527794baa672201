"""Server-sent events of an order: a message on every change, then stop at a terminal state."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

KEEP_ALIVE_SECONDS = 15.0


def event(name: str, data: dict | None) -> bytes:
    """Return one encoded SSE event (JSON data on one line; empty data for None, as live's stop)."""
    text = "" if data is None else json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"event: {name}\ndata: {text}\n\n".encode()


def order_events(
    read_order: Callable[[], dict | None],
    is_terminal: Callable[[dict], bool],
    *,
    poll_seconds: float,
    max_seconds: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[bytes]:
    """Yield the order as it changes until it ends, the stream times out or the order vanishes."""
    started = last_beat = clock()
    last_sent: dict | None = None
    while True:
        order = read_order()
        if order is None:
            return
        if order != last_sent:
            yield event("message", order)
            last_sent = order
        if is_terminal(order):
            yield event("stop", None)
            return
        now = clock()
        if now - started >= max_seconds:
            return
        if now - last_beat >= KEEP_ALIVE_SECONDS:
            yield b": keep-alive\n\n"
            last_beat = now
        sleep(poll_seconds)
