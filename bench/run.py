"""`make bench`: the shop as deployed, against the floor, on each database and cache it runs on.

For each configuration (SQLite + the embedded disk cache, the default; PostgreSQL + Redis when they
answer), one after the other, each with its own floor:
- pages: the floor (the shop's own /healthz on gunicorn's sync workers, as many as the shop runs,
  same settings, its own port) beside `make run`'s server (storefront.server); rounds interleave
  the floor, /healthz and every page, and each page's ratio to the floor of its own round is
  reported as the median of the rounds, with its spread (lowest and highest round);
- the upstream calls of 50 pollers of one order for 15 s, and of 100 warm page views;
- live updates (bench/live.py): 1,000 watchers over 100 orders, the sandbox over HTTP and in process;
- growth (bench/growth.py): brands 50 -> 5,000, orders 100 -> 100,000.
Prints one table per configuration and writes bench/results.md and bench/results.json.

    BENCH_SECONDS=2 BENCH_ROUNDS=1 python bench/run.py       # a short run while developing
    BENCH_CONFIGURATIONS=default BENCH_PARTS="pages live" python bench/run.py
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import live
from harness import CONFIGURATIONS, PY, ROOT, Services, cache_url, database_url, running_shop
from loadgen import CONNECTIONS, DURATION, count_calls, load, tool

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
WORKERS = os.environ.get("BENCH_WORKERS", "2")
PARTS = os.environ.get("BENCH_PARTS", "pages live growth").split()
CHOSEN = os.environ.get("BENCH_CONFIGURATIONS", " ".join(c.name for c in CONFIGURATIONS)).split()
FLOOR = "floor: /healthz on gunicorn sync"
# Each row: (path, headers, the server it is asked of, the lowest ratio to the floor it may reach).
PAGES: dict[str, tuple[str, dict, str, float | None]] = {
    FLOOR: ("/healthz", {}, "floor", None),
    "/healthz": ("/healthz", {}, "shop", 0.9),
    "home": ("/shop/us/", {}, "shop", 0.5),
    "brand catalog": ("/shop/us/brands/", {}, "shop", 0.5),
    "product page": ("/shop/us/brands/airbnb/", {}, "shop", 0.35),
    "status fragment": ("/orders/{token}/", {"HX-Request": "true"}, "shop", 0.6),
}
POLL_SECONDS = 15
POLLERS = 50


def measure_pages(services: Services) -> dict:
    """Serve the shop and its floor side by side; return each page's figures and the upstream counts."""
    with running_shop(workers=WORKERS, services=services, floor=True) as shop:
        token = shop.place_order()
        urls = {
            name: (shop.floor_url if server == "floor" else shop.url) + path.format(token=token)
            for name, (path, _headers, server, _target) in PAGES.items()
        }
        for name, (_path, headers, _server, _target) in PAGES.items():
            for _ in range(8):  # fresh connections, so every worker warms up
                httpx.get(urls[name], headers=headers, timeout=30).raise_for_status()

        # Rounds interleave the floor and the pages, so drift in this machine's speed hits all of
        # them alike; each ratio is to the floor of its own round.
        rounds = []
        for number in range(ROUNDS):
            rounds.append(
                {name: load(urls[name], headers=headers) for name, (_p, headers, _s, _t) in PAGES.items()}
            )
            print(f"{services.name}: round {number + 1} of {ROUNDS}: "
                  + ", ".join(f"{name} {r['rps']:.0f}" for name, r in rounds[-1].items()), file=sys.stderr)
        pages = {}
        for name, (_path, _headers, server, target) in PAGES.items():
            ratios = [r[name]["rps"] / r[FLOOR]["rps"] for r in rounds]
            pages[name] = {
                "server": "gunicorn sync workers" if server == "floor" else "storefront.server",
                "rps": statistics.median(r[name]["rps"] for r in rounds),
                "p50_ms": statistics.median(r[name]["p50_ms"] for r in rounds),
                "p99_ms": statistics.median(r[name]["p99_ms"] for r in rounds),
                "errors": sum(r[name]["errors"] for r in rounds),
                "ratio": statistics.median(ratios),
                "ratio_min": min(ratios),
                "ratio_max": max(ratios),
                "rounds_rps": [r[name]["rps"] for r in rounds],
                "target": target,
                "met": None if target is None else statistics.median(ratios) >= target,
            }

        before = shop.upstream_counts()
        load(f"{shop.url}/orders/{token}/", seconds=POLL_SECONDS, connections=POLLERS,
             headers={"HX-Request": "true"})
        poll_calls = count_calls(before, shop.upstream_counts(), "GET /v5/orders/")

        warm_paths = ["/shop/us/", "/shop/us/brands/", "/shop/us/brands/airbnb/", "/shop/us/brands/?q=am"]
        with httpx.Client(base_url=shop.url) as client:
            for path in warm_paths * 4:  # warm again: the loads above outlasted the quotes' 60 s freshness
                client.get(path).raise_for_status()
        before = shop.upstream_counts()
        with httpx.Client(base_url=shop.url) as client:
            for i in range(100):
                client.get(warm_paths[i % len(warm_paths)]).raise_for_status()
        after = shop.upstream_counts()
    return {
        "pages": pages,
        "poll_upstream_calls": poll_calls,
        "poll_allowed": POLL_SECONDS // 3 + 1,
        "warm_view_upstream_calls": count_calls(before, after),
        "warm_paths_called": sorted(
            k for k, n in after.items() if n > before.get(k, 0) and "/logos/" not in k
        ),
    }


def measure_growth(services: Services) -> str:
    """Run bench/growth.py on a fresh database of this configuration; return its tables."""
    tmp = Path(tempfile.mkdtemp(prefix="shop-growth-run-"))
    env = {**os.environ, "BENCH_DATABASE_URL": database_url(tmp, services),
           "BENCH_CACHE_URL": cache_url(tmp, services), "BENCH_SERVICES_LABEL": services.label}
    try:
        done = subprocess.run([PY, str(ROOT / "bench" / "growth.py"), "--print-only"], cwd=ROOT, env=env,
                              capture_output=True, text=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if done.returncode:
        last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"
        return f"Growth failed:\n\n    {last}"
    return done.stdout.strip()


def pages_lines(services: Services, figures: dict) -> list[str]:
    lines = [
        f"Pages ({services.label}; {WORKERS} workers each; load by {tool()} with {CONNECTIONS} connections "
        f"for {DURATION} s per row, {ROUNDS} interleaved rounds; req/s and latencies are medians):",
        "",
        "| page | served by | req/s | p50 ms | p99 ms | ratio to floor | spread (rounds) | target | "
        "| errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for name, row in figures["pages"].items():
        target = f"≥ {row['target']:.2f}" if row["target"] is not None else ""
        met = "" if row["met"] is None else "met" if row["met"] else "**not met**"
        lines.append(
            f"| {name} | {row['server']} | {row['rps']:.0f} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | "
            f"{row['ratio']:.2f} | {row['ratio_min']:.2f}–{row['ratio_max']:.2f} | {target} | {met} | "
            f"{row['errors']} |"
        )
    called = figures["warm_paths_called"]
    lines += [
        "",
        f"- {POLLERS} concurrent pollers of one order for {POLL_SECONDS} s caused "
        f"**{figures['poll_upstream_calls']}** "
        f"upstream status calls (target: at most {figures['poll_allowed']}, one per 3 s): "
        + ("met." if figures["poll_upstream_calls"] <= figures["poll_allowed"] else "**not met**."),
        f"- 100 warm page views caused **{figures['warm_view_upstream_calls']}** upstream calls (target: 0)"
        + (f": {', '.join(called)}" if called else "")
        + (": met." if not figures["warm_view_upstream_calls"] else ": **not met**."),
    ]
    return lines


def main() -> None:
    started = time.monotonic()
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    results: dict = {"date": when, "cores": os.cpu_count(), "workers": WORKERS, "configurations": {}}
    sections = [
        f"# Benchmark of {when}",
        "",
        f"{os.cpu_count()} cores; the shop as `make run` serves it (storefront.server: uvicorn, httptools, "
        "uvloop) with DEBUG off and warm caches; the floor is the same code and settings on gunicorn's sync "
        f"workers (`gunicorn -w {WORKERS} storefront.wsgi:application`), running beside it in the same run.",
    ]
    print("\n".join(sections), flush=True)
    for services in CONFIGURATIONS:
        if services.name not in CHOSEN:
            continue
        shown = len(sections)
        sections += ["", f"## {services.label}", ""]
        if not services.available():
            sections.append("Not measured: its servers do not answer on this machine.")
            print("\n".join(sections[shown:]), flush=True)
            continue
        result: dict = {"label": services.label}
        if "pages" in PARTS:
            result.update(measure_pages(services))
            sections += pages_lines(services, result)
        if "live" in PARTS:
            result["live"] = [live.measure(services, in_process_sandbox=mode) for mode in (False, True)]
            sections += ["", *live.report_lines(result["live"])]
        if "growth" in PARTS:
            result["growth"] = measure_growth(services)
            sections += ["", result["growth"]]
        results["configurations"][services.name] = result
        print("\n".join(sections[shown:]), flush=True)  # each configuration as soon as it is known
    results["seconds"] = time.monotonic() - started
    sections += ["", f"The whole run took {results['seconds'] / 60:.1f} minutes."]
    print("\n".join(sections[-2:]))
    text = "\n".join(sections)
    (ROOT / "bench" / "results.md").write_text(text + "\n")
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
