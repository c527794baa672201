"""The shop as `make run` serves it, in processes of its own, for tests that need the real server.

`python -m storefront.server --workers 2` on a free port, with its own SQLite file and disk cache,
against the sandbox upstream over HTTP (`manage.py sandbox_upstream`) or in process; orders are
placed by bench/place_order.py, and payments are told to the sandbox from outside the shop.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import httpx
from process_support import free_port, wait_for

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class ServedShop:
    port: int
    url: str
    sandbox: str | None  # the sandbox upstream's URL, None when it runs inside the shop
    orders: list[tuple[str, str]]  # (token, upstream order id) of each placed order
    log: TextIO  # what the shop's processes printed
    pay: Callable[[list[str]], dict[str, float]]  # upstream order ids -> time.monotonic() of each payment


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


@contextmanager
def served_shop(tmp_path: Path, *, over_http: bool, orders: int) -> Iterator[ServedShop]:
    """Serve the shop with `orders` orders placed, until the block ends."""
    sandbox_port, shop_port = free_port(), free_port()
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
    # As make run does: with DEBUG off the pages' scripts are served from the collected files, which a
    # fresh clone does not have yet.
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
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
        placed = subprocess.run([sys.executable, "bench/place_order.py", "--count", str(orders)],
                                cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
        placed_orders = [tuple(line.split()) for line in placed.splitlines()]
        sandbox = f"http://127.0.0.1:{sandbox_port}" if over_http else None

        def pay(order_ids: list[str]) -> dict[str, float]:
            said = subprocess.run([sys.executable, "-c", SIMULATE_PAY, *order_ids], cwd=ROOT, env=env,
                                  check=True, capture_output=True, text=True).stdout
            return {order_id: float(at) for order_id, at in (line.split() for line in said.splitlines())}

        yield ServedShop(shop_port, f"http://127.0.0.1:{shop_port}", sandbox, placed_orders, log, pay)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        log.close()
