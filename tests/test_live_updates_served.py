"""Open payment pages as `make run` serves them: many watchers per order over 2 workers.

The shop runs as `python -m storefront.server --workers 2` against the sandbox upstream over HTTP;
orders are placed, pages subscribe to their streams, and the sandbox is told each payment arrived,
so the shop learns of it only through its own stream of the order.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from process_support import free_port, wait_for

ROOT = Path(__file__).resolve().parents[1]
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


def answers(url: str) -> bool:
    try:
        return httpx.get(url).status_code == 200
    except httpx.TransportError:
        return False


# Tell the sandbox a payment arrived, from outside the shop, in the sandbox's own store; prints when.
SIMULATE_PAY = """
import sys, time, django
django.setup()
from storefront.upstream.end_user import EndUser
from storefront.upstream.factory import get_client
shopper = EndUser(ip="127.0.0.1", user_agent="live-test", country_code="US")
for order_id in sys.argv[1:]:
    print(order_id, time.monotonic(), flush=True)
    get_client().simulate_payment(order_id=order_id, action="pay", end_user=shopper)
"""


@pytest.fixture(params=["sandbox over HTTP", "sandbox in process"])
def served_shop(request, tmp_path):
    sandbox_port, shop_port = free_port(), free_port()
    over_http = request.param == "sandbox over HTTP"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_ALLOW_ASYNC")},
        "DEBUG": "false",
        "LOG_LEVEL": "INFO",
        "SECRET_KEY": "live-test-" + "x" * 50,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shop.sqlite3'}",
        "CACHE_URL": f"diskcache://{tmp_path / 'cache'}",
        "CRYPTOREFILLS_API_URL": f"http://127.0.0.1:{sandbox_port}" if over_http else "",
        "SANDBOX_DB_PATH": str(tmp_path / "sandbox.sqlite3"),
        # The sandbox moves a paid order on a step at a time; short steps keep the wait short.
        "SANDBOX_STEP_SECONDS": "0.3",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    log = (tmp_path / "shop.log").open("w+")
    processes = [
        subprocess.Popen([*manage, "sandbox_upstream", "--port", str(sandbox_port)],
                         cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
    ] if over_http else []
    processes += [
        subprocess.Popen([sys.executable, "-m", "storefront.server", "--port", str(shop_port), "--workers=2"],
                         cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT),
    ]
    try:
        wait_for(lambda: answers(f"http://127.0.0.1:{shop_port}/healthz"), seconds=60, what="the shop")
        if over_http:
            wait_for(lambda: answers(f"http://127.0.0.1:{sandbox_port}/api/available-countries"),
                     seconds=60, what="the sandbox")
        placed = subprocess.run([sys.executable, "bench/place_order.py", "--count", str(ORDERS)],
                                cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
        orders = [line.split() for line in placed.splitlines()]
        sandbox = f"http://127.0.0.1:{sandbox_port}" if over_http else None

        def pay(order_ids: list[str]) -> dict[str, float]:
            said = subprocess.run([sys.executable, "-c", SIMULATE_PAY, *order_ids], cwd=ROOT, env=env,
                                  check=True, capture_output=True, text=True).stdout
            return {order_id: float(at) for order_id, at in (line.split() for line in said.splitlines())}

        yield shop_port, sandbox, orders, log, pay
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        log.close()


def stream_opens(sandbox: str) -> dict[str, int]:
    counts = httpx.get(f"{sandbox}/sandbox/request-counts").json()
    return {path: n for path, n in counts.items() if path.endswith("/subscribe")}


def test_every_page_is_told_at_once_and_each_payment_within_two_seconds_over_one_upstream_stream(served_shop):
    port, sandbox, orders, log, pay = served_shop

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
