"""`make run`'s defaults hold across its two workers: SQLite, the embedded disk cache, no Redis.

The real server (`python -m storefront.server --workers 2`) on the sandbox upstream over HTTP, driven
over fresh connections so the kernel spreads them over both workers. With a cache per worker (local
memory, the old default) each of these fails: the admin log-in limit doubles, each worker takes its
own refresh lock, and each worker fetches the catalog for itself. The cache is the default backend on
a folder of this test's own, so a running `make run` is neither read nor disturbed.
"""

from __future__ import annotations

import re
import subprocess
import threading
import time

import httpx
import pytest
from cluster.cluster_stack import PY, ROOT, Cluster, cluster_environment, find_form, wait_until_up
from process_support import free_port, wait_for, worker_pids
from thread_support import run_at_once

ADMIN_LOGIN_LIMIT = 10  # the default RATE_LIMIT_ADMIN_LOGIN, per 5 minutes
POLLERS = 50
POLL_SECONDS = 15.0
MAX_STATUS_CALLS = 6  # one per ORDERS_REFRESH_SECONDS (3 s) in 15 s, and the first


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """Serve the shop as `make run` does, on a database and a cache folder of its own."""
    tmp = tmp_path_factory.mktemp("shared-cache-workers")
    env = cluster_environment(tmp=tmp, database=f"sqlite:///{tmp / 'shop.sqlite3'}",
                              cache=f"diskcache://{tmp / 'cache'}", step_seconds=5)
    env.pop("RATE_LIMIT_ADMIN_LOGIN", None)
    upstream_port, shop_port = free_port(), free_port()
    cluster = Cluster(tmp=tmp, env=env, upstream_url=f"http://127.0.0.1:{upstream_port}",
                      web_urls=[f"http://127.0.0.1:{shop_port}"])
    env["CRYPTOREFILLS_API_URL"] = cluster.upstream_url
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    try:
        cluster.start("sandbox", [PY, "manage.py", "sandbox_upstream", "--port", str(upstream_port)])
        server = cluster.start("web", [PY, "-m", "storefront.server", "--port", str(shop_port),
                                       "--workers", "2", "--log-level", "warning"])
        wait_until_up(cluster, f"{cluster.upstream_url}/sandbox/request-counts")
        wait_until_up(cluster, f"{cluster.web_urls[0]}/healthz", timeout=90)
        wait_for(lambda: len(worker_pids(server.pid)) == 2, seconds=60, what="two workers")
        yield cluster
    finally:
        cluster.stop()


def fresh_get(url: str, **kwargs) -> httpx.Response:
    """GET on a new connection, which the kernel hands to either worker."""
    with httpx.Client(timeout=30) as client:
        return client.get(url, **kwargs)


def upstream_calls(before: dict[str, int], after: dict[str, int], prefix: str = "") -> int:
    return sum(n - before.get(k, 0) for k, n in after.items() if k.startswith(prefix) and "/logos/" not in k)


def test_admin_log_in_limit_holds_across_both_workers(shop):
    url = f"{shop.web_urls[0]}/admin/login/"
    statuses = []
    for _ in range(ADMIN_LOGIN_LIMIT + 1):
        with httpx.Client(timeout=30) as client:  # a fresh connection for each attempt
            form = find_form(client.get(url).text, having="csrfmiddlewaretoken")
            answer = client.post(url, data={**form["fields"], "username": "staff", "password": "wrong"},
                                 headers={"Referer": url})
            statuses.append(answer.status_code)
    assert statuses == [200] * ADMIN_LOGIN_LIMIT + [429], shop.logs()
    assert 1 <= int(answer.headers["Retry-After"]) <= 300


def test_pollers_on_both_workers_ask_the_upstream_once_per_refresh_interval(shop):
    placed = subprocess.run([PY, str(ROOT / "bench" / "place_order.py")], cwd=ROOT, env=shop.env,
                            capture_output=True, text=True, check=True)
    url = f"{shop.web_urls[0]}/orders/{placed.stdout.split()[-1]}/"
    assert fresh_get(url).status_code == 200
    time.sleep(3.5)  # past the refresh interval the placing left behind
    polls, lock = [], threading.Lock()

    def poll() -> None:
        deadline = time.monotonic() + POLL_SECONDS
        with httpx.Client(timeout=30, headers={"HX-Request": "true"}) as client:
            while time.monotonic() < deadline:
                status = client.get(url).status_code
                with lock:
                    polls.append(status)

    before = shop.upstream_counts()
    run_at_once(poll, count=POLLERS)
    calls = upstream_calls(before, shop.upstream_counts(), "GET /v5/orders/")
    assert set(polls) == {200}
    assert len(polls) > 10 * POLLERS, "every poller kept polling"
    assert 1 <= calls <= MAX_STATUS_CALLS, shop.logs()


def test_warm_catalog_pages_make_no_upstream_call_from_either_worker(shop):
    base = shop.web_urls[0]
    catalog = fresh_get(f"{base}/shop/us/brands/")
    assert catalog.status_code == 200
    # Brand pages found by following the catalog's links, whatever their slugs are today.
    brand_pages = sorted(set(re.findall(r'href="(/shop/us/brands/[\w-]+/)"', catalog.text)))[:6]
    assert len(brand_pages) >= 3, catalog.text[:2000]
    pages = ["/shop/us/", "/shop/gb/", "/shop/us/brands/", "/shop/us/brands/?q=am", *brand_pages]
    for _ in range(2):  # two warm-up rounds
        for path in pages:
            assert fresh_get(base + path).status_code == 200, path
    before = shop.upstream_counts()
    for n in range(100):
        assert fresh_get(base + pages[n % len(pages)]).status_code == 200
    after = shop.upstream_counts()
    called = {k: n - before.get(k, 0) for k, n in after.items() if n > before.get(k, 0)}
    assert upstream_calls(before, after) == 0, called
