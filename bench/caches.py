"""Compare the shared caches the shop can run on, as deployed on one machine (uvicorn, 2 workers).

For each cache: warm pages per second (home, brand catalog, the polled status fragment, which takes
a rate-limit count and a refresh lock on every request) and the upstream calls the shared guarantees
allow through (50 pollers of one order for 15 s; 100 warm views). Each cache gets its own shop on one
SQLite database; the whole sequence runs twice, and each figure is the median of its runs.

    python bench/caches.py                       # embedded disk cache, database cache, local memory, Redis
    BENCH_CACHES="disk redis" python bench/caches.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
from harness import PY, ROOT, answers, running_shop
from loadgen import count_calls, load

TMP = Path(tempfile.mkdtemp(prefix="shop-cache-bench-"))
CACHES = {
    "disk": ("embedded disk cache (diskcache, the default)", f"diskcache://{TMP / 'diskcache'}"),
    "database": ("Django's database cache (SQLite)", "dbcache://storefront_cache"),
    "locmem": ("local memory (one per worker: not shared)", "locmemcache://bench"),
    "redis": ("Redis (django-redis)", "redis://127.0.0.1:6379/4"),  # not 3: make bench flushes that one
}
PAGES = {"home": ("/shop/us/", {}), "brand catalog": ("/shop/us/brands/", {}),
         "status fragment": (None, {"HX-Request": "true"})}
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "2"))


def measure(cache_url: str) -> dict:
    """Serve the shop on `cache_url` and return its page rates and upstream call counts."""
    os.environ["BENCH_CACHE_URL"] = cache_url
    with running_shop() as shop:
        if cache_url.startswith("dbcache://"):
            subprocess.run([PY, "manage.py", "createcachetable"], cwd=ROOT, env=shop.env, check=True)
        token = shop.place_order()
        paths = {name: path or f"/orders/{token}/" for name, (path, _headers) in PAGES.items()}
        for name, (_path, headers) in PAGES.items():
            for _ in range(8):  # fresh connections, so both workers warm up
                httpx.get(shop.url + paths[name], headers=headers, timeout=30).raise_for_status()
        figures = {name: load(shop.url + paths[name], seconds=SECONDS, headers=headers)["rps"]
                   for name, (_path, headers) in PAGES.items()}
        before = shop.upstream_counts()
        load(f"{shop.url}/orders/{token}/", seconds=15, connections=50, headers={"HX-Request": "true"})
        status_calls = count_calls(before, shop.upstream_counts(), "GET /v5/orders/")
        figures["status calls, 50 pollers 15 s"] = status_calls
        warm = ["/shop/us/", "/shop/us/brands/", "/shop/gb/", "/shop/us/brands/?q=am"]
        for path in warm * 2:
            httpx.get(shop.url + path, timeout=30).raise_for_status()
        before = shop.upstream_counts()
        for n in range(100):
            httpx.get(shop.url + warm[n % len(warm)], timeout=30).raise_for_status()
        figures["upstream calls, 100 warm views"] = count_calls(before, shop.upstream_counts())
    return figures


def main() -> None:
    os.environ.setdefault("BENCH_DATABASE_URL", f"sqlite:///{TMP / 'shop.sqlite3'}")
    chosen = os.environ.get("BENCH_CACHES", " ".join(CACHES)).split()
    chosen = [name for name in chosen if name != "redis" or answers(6379)]
    runs: dict[str, list[dict]] = {name: [] for name in chosen}
    for _ in range(REPEATS):  # the whole sequence again, so this machine's drift hits every cache alike
        for name in chosen:
            runs[name].append(measure(CACHES[name][1]))
            print(name, runs[name][-1], file=sys.stderr, flush=True)  # a long run shows its progress
    columns = list(runs[chosen[0]][0])
    print(f"| cache | {' | '.join(columns)} |")
    print(f"|---|{'---:|' * len(columns)}")
    for name in chosen:
        cells = [f"{statistics.median(run[column] for run in runs[name]):.0f}" for column in columns]
        print(f"| {CACHES[name][0]} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
