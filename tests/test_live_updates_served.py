"""Open payment pages as `make run` serves them: many watchers per order over 2 workers.

The shop runs as `python -m storefront.server --workers 2` (tests/served_shop.py), against the
sandbox upstream over HTTP and in process; orders are placed, pages subscribe to their streams, and
the sandbox is told each payment arrived, so the shop learns of it only through its own stream.
"""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
from served_shop import served_shop

ORDERS = 3
WATCHERS_PER_ORDER = 20


class Watcher:
    """One open payment page: an SSE connection read event by event, with when each arrived."""

    def __init__(self, port: int, token: str) -> None:
        self.port, self.token = port, token
        self.states: list[tuple[float, str]] = []
        self.reader = self.writer = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.writer.write(
            f"GET /api/orders/{self.token}/subscribe HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Accept: text/event-stream\r\n\r\n".encode()
        )
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200"), head

    async def read(self) -> None:
        """Record each state until the stream stops or the connection is cut."""
        while True:
            line = await self.reader.readline()
            if not line:
                return
            if line.startswith(b"data: {") and b'"state"' in line:
                self.states.append((time.monotonic(), json.loads(line[6:])["state"]))
            if line.startswith(b"event: stop"):
                return

    def cut(self) -> None:
        self.writer.transport.abort()  # the shopper closed the tab: no goodbye


@pytest.fixture(params=["sandbox over HTTP", "sandbox in process"])
def shop(request, tmp_path):
    with served_shop(tmp_path, over_http=request.param == "sandbox over HTTP", orders=ORDERS) as served:
        yield served


def stream_opens(sandbox: str) -> dict[str, int]:
    counts = httpx.get(f"{sandbox}/sandbox/request-counts").json()
    return {path: n for path, n in counts.items() if path.endswith("/subscribe")}


def test_every_page_is_told_at_once_and_each_payment_within_two_seconds_over_one_upstream_stream(shop):
    port, sandbox, orders, log, pay = shop.port, shop.sandbox, shop.orders, shop.log, shop.pay

    async def run():
        watchers = [Watcher(port, token) for token, _ in orders for _ in range(WATCHERS_PER_ORDER)]
        opened = time.monotonic()
        await asyncio.gather(*(watcher.open() for watcher in watchers))
        readers = [asyncio.create_task(watcher.read()) for watcher in watchers]
        await asyncio.sleep(1.0)
        assert all(watcher.states for watcher in watchers), "a page got no state when it subscribed"
        assert max(watcher.states[0][0] for watcher in watchers) - opened < 2.0
        assert {watcher.states[0][1] for watcher in watchers} == {"WaitingForPayment"}

        paid_at = await asyncio.to_thread(pay, [upstream_id for _token, upstream_id in orders])
        await asyncio.sleep(3.0)
        upstream_of = dict(orders)
        for watcher in watchers:
            changed = [at for at, state in watcher.states if state != "WaitingForPayment"]
            assert changed, "a page was never told the payment arrived"
            assert changed[0] - paid_at[upstream_of[watcher.token]] < 2.0
        for watcher in watchers:
            watcher.cut()
        await asyncio.gather(*readers, return_exceptions=True)

    asyncio.run(run())
    time.sleep(1.5)  # what the workers log about pages that left comes now
    if sandbox:  # the in-process sandbox counts in each worker; over HTTP one count says it all
        opens = stream_opens(sandbox)
        assert len(opens) == ORDERS and all(n == 1 for n in opens.values()), opens
    log.seek(0)
    above_info = ("WARNING", "ERROR", "CRITICAL")
    noisy = [line for line in log.read().splitlines()
             if line.split(":", 1)[0].split(" ", 1)[0] in above_info or "Traceback" in line]
    assert noisy == []
