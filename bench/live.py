"""Live updates under load: 1,000 open payment pages over 100 orders, held by the shop's 2 workers.

One run, for one database and cache and one sandbox (over HTTP, or inside the shop's workers):
1. place the orders; measure the home page's throughput with no watcher open;
2. open 10 watchers per order on /api/orders/<token>/subscribe at once (raw asyncio sockets, h11
   parsing the answers) and time each one's first event (the current state, due at once);
3. under page load (wrk on home), change every order at the upstream, as a payment arriving would
   (the sandbox's "partial" event: the order moves to PartialPaymentStarted and stays there), never
   telling the shop: it learns of it through its stream or not at all. Time from each change to
   each of its watchers seeing a new state; the page throughput of that load is "with watchers";
4. read the upstream's counts: streams opened and status calls per order during the run (the
   sandbox's request counts over HTTP; in process, bench/instrument/ writes each worker's counts to
   a file, and the shop's /metrics is read too, all workers added up through PROMETHEUS_MULTIPROC_DIR);
5. drop every watcher abruptly (half with a TCP reset, half with a plain close) and count the shop's
   log lines above INFO in the seconds after; then the page throughput again without watchers.

    python bench/live.py                  # default services, the sandbox over HTTP and in process
    python bench/live.py postgres-redis   # the same on PostgreSQL + Redis
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import resource
import shutil
import socket
import statistics
import struct
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import h11
import httpx
from harness import CONFIGURATIONS, DEFAULT, Services, running_shop
from loadgen import load

ORDERS = int(os.environ.get("BENCH_LIVE_ORDERS", "100"))
WATCHERS_PER_ORDER = int(os.environ.get("BENCH_LIVE_WATCHERS_PER_ORDER", "10"))
WORKERS = os.environ.get("BENCH_WORKERS", "2")
LOAD_SECONDS = int(os.environ.get("BENCH_LIVE_SECONDS", "8"))
FIRST_EVENT_TIMEOUT = 30.0
CHANGE_TIMEOUT = 15.0
QUIET_SECONDS = 5.0  # how long the shop's log is watched after the watchers leave
CHANGE_TARGET_SECONDS = 2.0
THROUGHPUT_TARGET = 0.8
HOME = "/shop/us/"
SIMULATED_CHANGE = "partial"  # WaitingForPayment -> PartialPaymentStarted, which has no automatic next step
# A log record above INFO starts its line with its level (the shop's text format and uvicorn's);
# the exception a traceback ends with is kept as a sample, not counted a second time.
ABOVE_INFO = re.compile(r"^\s*(WARNING|ERROR|CRITICAL)\b")
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception)\b")


@dataclass
class Watcher:
    """One open payment page's stream and what it saw: (monotonic time, state) per message.

    It behaves as the page's script (static/js/orders.js) does: when a stream ends without `stop`,
    or is refused, it connects again after 1 s, then 2 s, 4 s... (1 s again after a message).
    """

    order: int
    token: str
    opened_at: float = 0.0  # the first connection's times: asked, connected, answered
    connected_at: float = 0.0
    answered_at: float = 0.0
    status: int = 0  # the first answer's status
    reconnects: int = 0
    states: list[tuple[float, str]] = field(default_factory=list)
    stopped: bool = False
    leaving: bool = False
    error: str = ""
    writer: asyncio.StreamWriter | None = None

    def first_state_after(self, moment: float, other_than: str) -> float | None:
        """Return when this watcher first saw a state other than `other_than` at or after `moment`."""
        return next((at for at, state in self.states if at >= moment and state != other_than), None)


def raise_fd_limit(wanted: int) -> None:
    """Let this process and the shop it starts (children inherit it) hold thousands of sockets."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))


def parse_events(buffer: str) -> tuple[list[tuple[str, str]], str]:
    """Split complete server-sent events off `buffer`: return [(event, data)] and the rest."""
    events = []
    buffer = buffer.replace("\r\n", "\n")
    while "\n\n" in buffer:
        block, buffer = buffer.split("\n\n", 1)
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip())
        if data or name != "message":
            events.append((name, "\n".join(data)))
    return events, buffer


async def watch(watcher: Watcher, host: str, port: int) -> None:
    """Keep one page's stream open, as the page does, until it stops, gives up or leaves."""
    watcher.opened_at = time.monotonic()
    delay = 1.0
    while True:
        seen = len(watcher.states)
        status = await stream_once(watcher, host, port)
        if watcher.status == 0:
            watcher.status = status
        if len(watcher.states) > seen:
            delay = 1.0
        if watcher.stopped or watcher.leaving or delay > 30:
            return
        await asyncio.sleep(delay)
        delay *= 2
        watcher.reconnects += 1


async def stream_once(watcher: Watcher, host: str, port: int) -> int:
    """Read one connection's stream, recording each state it is told; return its status (0: none)."""
    first = not watcher.connected_at
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError as exc:
        watcher.error = f"connect: {exc.strerror or exc}"
        return 0
    if first:
        watcher.connected_at = time.monotonic()
    watcher.writer = writer
    connection = h11.Connection(h11.CLIENT)
    request = h11.Request(
        method="GET",
        target=f"/api/orders/{watcher.token}/subscribe",
        headers=[("Host", f"{host}:{port}"), ("Accept", "text/event-stream"), ("User-Agent", "bench-live")],
    )
    writer.write(connection.send(request) + connection.send(h11.EndOfMessage()))
    buffer, status = "", 0
    try:
        while True:
            event = connection.next_event()
            if event is h11.NEED_DATA:
                data = await reader.read(65536)
                connection.receive_data(data)  # b"" marks the end of the connection
                continue
            if isinstance(event, h11.Response):
                status = event.status_code
                if first:
                    watcher.answered_at = time.monotonic()
            elif isinstance(event, h11.Data) and status == 200:
                events, buffer = parse_events(buffer + event.data.decode("utf-8", "replace"))
                now = time.monotonic()
                for name, data in events:
                    if name == "stop":
                        watcher.stopped = True
                    elif name == "message":
                        try:
                            watcher.states.append((now, json.loads(data).get("state", "")))
                        except (ValueError, AttributeError):
                            watcher.states.append((now, f"unreadable: {data[:40]}"))
            elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
                break
    except (OSError, h11.RemoteProtocolError) as exc:
        if not watcher.leaving:
            watcher.error = type(exc).__name__
    finally:
        writer.close()
    return status


def drop(watcher: Watcher, *, reset: bool) -> None:
    """Leave as a closed tab does: a TCP reset (SO_LINGER 0) or a plain close, nothing said first."""
    watcher.leaving = True
    if watcher.writer is None:
        return
    if reset:
        sock = watcher.writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        watcher.writer.transport.abort()
    else:
        watcher.writer.close()


def percentiles(values: list[float]) -> dict:
    """Return p50, p99 and max (seconds) of `values`, and how many there are."""
    if not values:
        return {"count": 0, "p50": None, "p99": None, "max": None}
    ordered = sorted(values)
    return {
        "count": len(ordered),
        "p50": statistics.median(ordered),
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        "max": ordered[-1],
    }


class Upstream:
    """Changes orders where the shop cannot see them being changed: at the sandbox itself."""

    def __init__(self, shop) -> None:
        self.shop = shop
        if shop.in_process:
            sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
            from storefront.sandbox.app import make_app
            from storefront.sandbox.config import SandboxConfig

            # The same SQLite file the shop's workers run their sandbox on.
            self.app = make_app(SandboxConfig(
                db_path=Path(shop.env["SANDBOX_DB_PATH"]),
                step_seconds=float(shop.env["SANDBOX_STEP_SECONDS"]),
            ))

    async def change(self, client: httpx.AsyncClient, order_id: str) -> str:
        """Apply the simulated payment; return the order's new state upstream."""
        if self.shop.in_process:
            from storefront.sandbox.simulate import SimulateAction

            doc = await asyncio.to_thread(self.app.simulate, order_id, SimulateAction(SIMULATED_CHANGE))
            return doc["order_state"]
        answer = await client.post(
            f"{self.shop.upstream_url}/sandbox/orders/{order_id}/simulate", json={"action": SIMULATED_CHANGE}
        )
        answer.raise_for_status()
        return answer.json()["order_state"]


def metrics_calls(text: str) -> dict[str, float]:
    """Return storefront_upstream_calls by endpoint (outcomes added up) from a /metrics text."""
    calls: dict[str, float] = {}
    for match in re.finditer(r'^storefront_upstream_calls_total\{([^}]*)\}\s+([\d.e+]+)$', text, re.M):
        endpoint = re.search(r'endpoint="([^"]*)"', match.group(1)).group(1)
        calls[endpoint] = calls.get(endpoint, 0) + float(match.group(2))
    return calls


def per_order(before: dict[str, int], after: dict[str, int], order_ids: list[str], suffix: str) -> list[int]:
    """Return, for each order, the upstream requests "GET /v5/orders/<id><suffix>" between two counts."""
    return [
        after.get(f"GET /v5/orders/{oid}{suffix}", 0) - before.get(f"GET /v5/orders/{oid}{suffix}", 0)
        for oid in order_ids
    ]


async def measure_async(shop, orders: list[tuple[str, str]]) -> dict:
    host, port = shop.url.removeprefix("http://").split(":")
    port = int(port)
    watchers = [
        Watcher(order=i, token=token)
        for i, (token, _oid) in enumerate(orders)
        for _ in range(WATCHERS_PER_ORDER)
    ]
    order_ids = [oid for _token, oid in orders]
    counts_before, metrics_before = shop.upstream_counts(), metrics_calls(shop.metrics_text())
    started = time.monotonic()

    # 2. Every watcher at once, as when a thousand payment pages are open.
    tasks = [asyncio.create_task(watch(w, host, port)) for w in watchers]
    deadline = time.monotonic() + FIRST_EVENT_TIMEOUT
    while time.monotonic() < deadline and not all(w.states for w in watchers):
        await asyncio.sleep(0.1)
    # From the page's side: asked to first state (across reconnections), and where that time went.
    first_waits = [w.states[0][0] - w.opened_at for w in watchers if w.states]
    connect_waits = [w.connected_at - w.opened_at for w in watchers if w.connected_at]
    answer_waits = [w.answered_at - w.connected_at for w in watchers if w.answered_at]
    await asyncio.sleep(1.0)  # settle: what each watcher shows now is the state before the change
    before_change = [w.states[-1][1] if w.states else "" for w in watchers]

    # 3. The changes, spread over the page load, made at the upstream only.
    upstream = Upstream(shop)
    changed_at: dict[int, float] = {}
    new_states: dict[int, str] = {}
    change_errors = 0
    page_load = asyncio.create_task(asyncio.to_thread(load, shop.url + HOME, seconds=LOAD_SECONDS))
    await asyncio.sleep(1.0)
    gap = max(LOAD_SECONDS - 3, 1) / max(len(orders), 1)
    async with httpx.AsyncClient(timeout=30) as client:
        for i, (_token, oid) in enumerate(orders):
            moment = time.monotonic()  # taken before the change is made: the latency includes the call
            try:
                new_states[i] = await upstream.change(client, oid)
                changed_at[i] = moment
            except (httpx.HTTPError, Exception) as exc:  # noqa: BLE001 (counted and reported)
                change_errors += 1
                print(f"live: change of order {i} failed: {exc}", file=sys.stderr)
            await asyncio.sleep(gap)
    with_watchers = await page_load
    deadline = time.monotonic() + CHANGE_TIMEOUT
    while time.monotonic() < deadline and not all(
        w.order not in changed_at or w.first_state_after(changed_at[w.order], before_change[k]) is not None
        for k, w in enumerate(watchers)
    ):
        await asyncio.sleep(0.1)
    change_waits, missed, missed_orders = [], 0, set()
    for k, w in enumerate(watchers):
        if w.order not in changed_at:
            continue
        seen = w.first_state_after(changed_at[w.order], before_change[k])
        if seen is None:
            missed += 1
            missed_orders.add(w.order)
        else:
            change_waits.append(seen - changed_at[w.order])
    seconds = time.monotonic() - started
    counts_after, metrics_after = shop.upstream_counts(), metrics_calls(shop.metrics_text())

    # 5. Everyone leaves at once, abruptly; the log is read from here on.
    log_offset = len(shop.log_text())
    for k, w in enumerate(watchers):
        drop(w, reset=k % 2 == 0)
    await asyncio.sleep(QUIET_SECONDS)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    log = shop.log_text()
    after_leaving = [line for line in log[log_offset:].splitlines() if ABOVE_INFO.search(line)]
    during = [line for line in log[:log_offset].splitlines() if ABOVE_INFO.search(line)]
    exceptions = [line for line in log.splitlines() if EXCEPTION_LINE.search(line)]

    streams = per_order(counts_before, counts_after, order_ids, "/subscribe")
    status_calls = per_order(counts_before, counts_after, order_ids, "")
    metric_delta = {
        k: v - metrics_before.get(k, 0) for k, v in metrics_after.items() if v - metrics_before.get(k, 0)
    }
    statuses: dict[str, int] = {}
    for w in watchers:
        key = str(w.status) if w.status else (w.error or "no answer")
        statuses[key] = statuses.get(key, 0) + 1
    return {
        "watchers": len(watchers),
        "answers": statuses,
        "got_first_event": len(first_waits),
        "first_event_s": percentiles(first_waits),
        "connect_s": percentiles(connect_waits),
        "headers_s": percentiles(answer_waits),
        "reconnects": sum(w.reconnects for w in watchers),
        "changes_made": len(changed_at),
        "change_errors": change_errors,
        "new_upstream_states": sorted(set(new_states.values())),
        "change_seen_s": percentiles(change_waits),
        "change_missed": missed,
        "change_missed_orders": len(missed_orders),
        "stopped_early": sum(w.stopped for w in watchers),
        "rps_with_watchers": with_watchers["rps"],
        "run_seconds": seconds,
        "upstream_streams_per_order_max": max(streams, default=0),
        "upstream_streams_total": sum(streams),
        "status_calls_per_order_max": max(status_calls, default=0),
        "status_calls_total": sum(status_calls),
        "metrics_upstream_calls": metric_delta,
        "log_lines_after_leaving": len(after_leaving),
        "log_lines_during": len(during),
        "log_samples": sorted(set(after_leaving))[:3] + sorted(set(during))[:3] + sorted(set(exceptions))[:3],
    }


def run_loop(coroutine):
    """Run on uvloop when installed (the shop's own loop): a thousand sockets cost this process less."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def measure(services: Services = DEFAULT, *, in_process_sandbox: bool) -> dict:
    """Run the live-update scenario once on a fresh shop and return its figures."""
    raise_fd_limit(ORDERS * WATCHERS_PER_ORDER * 2 + 1024)
    log_path = Path(tempfile.mkdtemp(prefix="shop-live-")) / "shop.log"
    metrics_dir = Path(tempfile.mkdtemp(prefix="shop-live-metrics-"))
    try:
        metrics_env = {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
        with running_shop(workers=WORKERS, services=services, in_process_sandbox=in_process_sandbox,
                          log_path=log_path, extra_env=metrics_env) as shop:
            placing = time.monotonic()
            orders = shop.place_orders(ORDERS)
            placing = time.monotonic() - placing
            for _ in range(8):  # fresh connections, so both workers warm up
                httpx.get(shop.url + HOME, timeout=30).raise_for_status()
            without_before = load(shop.url + HOME, seconds=LOAD_SECONDS)
            figures = run_loop(measure_async(shop, orders))
            without_after = load(shop.url + HOME, seconds=LOAD_SECONDS)
    finally:
        shutil.rmtree(log_path.parent, ignore_errors=True)
        shutil.rmtree(metrics_dir, ignore_errors=True)
    without = statistics.mean([without_before["rps"], without_after["rps"]])
    figures.update(
        sandbox="in process" if in_process_sandbox else "over HTTP",
        services=services.label,
        orders=len(orders),
        placing_seconds=placing,
        rps_without_before=without_before["rps"],
        rps_without_after=without_after["rps"],
        throughput_ratio=figures["rps_with_watchers"] / without if without else 0.0,
    )
    figures["targets"] = targets_met(figures)
    return figures


def targets_met(f: dict) -> dict[str, bool]:
    """Say, for each live-update target, whether this run met it."""
    # One status call per 3 s, counting one at the start (as run.py's pollers are counted).
    status_allowed = int(f["run_seconds"] // 3) + 1
    return {
        "first event at once (every watcher, within 2 s)": f["got_first_event"] == f["watchers"]
        and (f["first_event_s"]["max"] or 99) <= CHANGE_TARGET_SECONDS,
        "every change within 2 s": f["change_missed"] == 0 and f["changes_made"] == f["orders"]
        and (f["change_seen_s"]["max"] or 99) <= CHANGE_TARGET_SECONDS,
        "pages keep >= 0.8 of their throughput": f["throughput_ratio"] >= THROUGHPUT_TARGET,
        # Both bounds: a stream per order and the status calls beside it (a hub that polls instead
        # opens no stream at all).
        "upstream: <= 1 stream and <= 1 status call per 3 s per order":
        f["upstream_streams_per_order_max"] <= 1 and f["status_calls_per_order_max"] <= status_allowed,
        "nothing above INFO logged when watchers leave": f["log_lines_after_leaving"] == 0,
    }


def seconds_text(p: dict) -> str:
    if not p["count"]:
        return "none"
    return f"{p['p50']:.2f} / {p['p99']:.2f} / {p['max']:.2f} s"


def report_lines(runs: list[dict]) -> list[str]:
    """Return the live-update table (one column per sandbox) as Markdown lines."""
    def row(label: str, cell) -> str:
        return f"| {label} | " + " | ".join(cell(r) for r in runs) + " |"

    lines = [
        f"Live updates ({runs[0]['services']}; {runs[0]['watchers']:,} watchers over {runs[0]['orders']} "
        f"orders, {WORKERS} workers; changes made at the upstream under page load):",
        "",
        "| | " + " | ".join(f"sandbox {r['sandbox']}" for r in runs) + " |",
        "|---|" + "---:|" * len(runs),
        row("stream answers", lambda r: ", ".join(f"{n} × {k}" for k, n in sorted(r["answers"].items()))),
        row("got the current state", lambda r: f"{r['got_first_event']:,} of {r['watchers']:,}"),
        row("first event p50 / p99 / max", lambda r: seconds_text(r["first_event_s"])),
        row("of which: connected / answered (headers) p50 / p99 / max", lambda r:
            f"{seconds_text(r['connect_s'])}; {seconds_text(r['headers_s'])}"),
        row("reconnections (as the page's script makes them)", lambda r: f"{r['reconnects']:,}"),
        row("change seen p50 / p99 / max", lambda r: seconds_text(r["change_seen_s"])),
        row("watchers that missed their change (of orders)",
            lambda r: f"{r['change_missed']:,} ({r['change_missed_orders']})"
            + (f" ({r['change_errors']} changes failed)" if r["change_errors"] else "")),
        row("home req/s without watchers (before, after)",
            lambda r: f"{r['rps_without_before']:.0f}, {r['rps_without_after']:.0f}"),
        row("home req/s with watchers (ratio)",
            lambda r: f"{r['rps_with_watchers']:.0f} ({r['throughput_ratio']:.2f})"),
        row("upstream streams per order (max; total)",
            lambda r: f"{r['upstream_streams_per_order_max']}; {r['upstream_streams_total']:,}"),
        row("upstream status calls per order (max; total)",
            lambda r: f"{r['status_calls_per_order_max']} in {r['run_seconds']:.0f} s; "
            f"{r['status_calls_total']:,}"),
        row("/metrics upstream calls in the run", lambda r: ", ".join(
            f"{k}: {v:.0f}" for k, v in sorted(r["metrics_upstream_calls"].items())) or "none"),
        row("log lines above INFO after leaving (during the run)",
            lambda r: f"{r['log_lines_after_leaving']} ({r['log_lines_during']})"),
    ]
    for name in runs[0]["targets"]:
        lines.append(row(name, lambda r, name=name: "met" if r["targets"][name] else "**not met**"))
    if any(r["upstream_streams_total"] and not any("subscribe" in k for k in r["metrics_upstream_calls"])
           for r in runs):
        lines += ["", "/metrics (storefront_upstream_calls, all workers added up through "
                  "PROMETHEUS_MULTIPROC_DIR, which this bench sets and `make run` does not: without it each "
                  "scrape shows one worker's counts) counted no stream opens: the streams above are the "
                  "sandbox's own counts (in process: bench/instrument/sitecustomize.py)."]
    samples = sorted({line for r in runs for line in r["log_samples"]})
    if samples:
        lines += ["", "Log lines seen (first of each):", ""] + [f"    {line[:200]}" for line in samples[:6]]
    return lines


if __name__ == "__main__":
    chosen = next((c for c in CONFIGURATIONS if c.name in sys.argv[1:]), DEFAULT)
    results = [measure(chosen, in_process_sandbox=mode) for mode in (False, True)]
    print("\n".join(report_lines(results)))
