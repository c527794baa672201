"""Benchmark the shop as it is deployed: uvicorn, DEBUG off, the sandbox upstream over HTTP, warm caches.

Load comes from a separate process (wrk when installed, else a threaded Python client). Prints
requests per second with p50/p99 latency for each page and its ratio to /healthz measured in the
same run, the upstream status calls caused by 50 concurrent pollers of one order, and the upstream
calls caused by 100 warm page views. Writes the figures to bench/results.md and bench/results.json.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
from datetime import UTC, datetime

import httpx
from harness import PY, ROOT, running_shop, services_label

DURATION = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WORKERS = os.environ.get("BENCH_WORKERS", "2")


def run_wrk(url: str, *, seconds: int, connections: int, headers: dict[str, str]) -> dict:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def ms(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {
        "rps": rps,
        "p50_ms": ms("50"),
        "p99_ms": ms("99"),
        "errors": int(non2xx.group(1)) if non2xx else 0,
    }


def run_python_load(url: str, *, seconds: int, connections: int, headers: dict[str, str]) -> dict:
    """Fallback load generator (bench/pyload.py), also in a separate process."""
    args = [PY, str(ROOT / "bench" / "pyload.py"), url, str(seconds), str(connections), json.dumps(headers)]
    return json.loads(subprocess.run(args, capture_output=True, text=True, check=True).stdout)


def load(
    url: str, *, seconds: int = DURATION, connections: int = CONNECTIONS, headers: dict | None = None
) -> dict:
    runner = run_wrk if shutil.which("wrk") else run_python_load
    return runner(url, seconds=seconds, connections=connections, headers=headers or {})


def count_calls(before: dict[str, int], after: dict[str, int], prefix: str = "") -> int:
    return sum(n - before.get(k, 0) for k, n in after.items() if k.startswith(prefix) and "/logos/" not in k)


def main() -> None:
    with running_shop(workers=WORKERS) as shop:
        token = shop.place_order()
        pages = {
            "/healthz": ("/healthz", {}),
            "home": ("/shop/us/", {}),
            "brand catalog": ("/shop/us/brands/", {}),
            "product page": ("/shop/us/brands/airbnb/", {}),
            "status fragment": (f"/orders/{token}/", {"HX-Request": "true"}),
        }
        for path, headers in pages.values():  # warm every worker's caches
            for _ in range(8):
                httpx.get(shop.url + path, headers=headers, timeout=30).raise_for_status()

        # Rounds interleave the pages, so drift in this machine's speed hits all of them alike;
        # each figure is the median of its rounds.
        rounds = [
            {name: load(shop.url + path, headers=headers) for name, (path, headers) in pages.items()}
            for _ in range(ROUNDS)
        ]
        figures = {
            name: {key: statistics.median(r[name][key] for r in rounds) for key in rounds[0][name]}
            for name in pages
        }
        for name, row in figures.items():
            row["ratio"] = statistics.median(r[name]["rps"] / r["/healthz"]["rps"] for r in rounds)

        before = shop.upstream_counts()
        load(f"{shop.url}/orders/{token}/", seconds=15, connections=50, headers={"HX-Request": "true"})
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
        warm_calls = count_calls(before, after)
        warm_paths_called = sorted(k for k, n in after.items() if n > before.get(k, 0) and "/logos/" not in k)

    report(figures, poll_calls, warm_calls, warm_paths_called, services=services_label(shop.env))


def report(
    figures: dict, poll_calls: int, warm_calls: int, warm_paths_called: list[str], *, services: str
) -> None:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    tool = "wrk" if shutil.which("wrk") else "python"
    lines = [
        f"Benchmark of {when} ({os.cpu_count()} cores, uvicorn {WORKERS} workers, DEBUG off, "
        f"{services}, "
        f"sandbox upstream over HTTP, load by {tool} with {CONNECTIONS} connections "
        f"for {DURATION} s per page, median of {ROUNDS} interleaved rounds)",
        "",
        "| page | req/s | p50 ms | p99 ms | ratio to /healthz | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, row in figures.items():
        lines.append(
            f"| {name} | {row['rps']:.0f} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | "
            f"{row['ratio']:.2f} | {row['errors']} |"
        )
    lines += [
        "",
        f"- 50 concurrent pollers of one order for 15 s caused **{poll_calls}** upstream status calls "
        f"(target: at most {15 // 3 + 1}, one per 3 s).",
        f"- 100 warm page views caused **{warm_calls}** upstream calls (target: 0)"
        + (f": {', '.join(warm_paths_called)}." if warm_paths_called else "."),
    ]
    text = "\n".join(lines)
    print(text)
    (ROOT / "bench" / "results.md").write_text(text + "\n")
    (ROOT / "bench" / "results.json").write_text(
        json.dumps(
            {
                "date": when,
                "pages": figures,
                "poll_upstream_calls": poll_calls,
                "warm_view_upstream_calls": warm_calls,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
