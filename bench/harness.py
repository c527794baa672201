"""Start the shop as it is deployed (storefront.server with uvicorn workers, DEBUG off) for measurements.

One shop per block: its database and cache (`Services`: SQLite + the embedded disk cache, or
PostgreSQL + Redis), its sandbox upstream (over HTTP on a port of its own, or in process), and, if
asked, the floor beside it: the same code and settings served by gunicorn's sync workers.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
GUNICORN = str(Path(PY).parent / "gunicorn")
# Where sitecustomize.py counts the in-process sandbox's requests (see bench/instrument/).
INSTRUMENT_DIR = ROOT / "bench" / "instrument"
BENCH_DATABASE = "coinshelf_bench"
BENCH_REDIS = "redis://127.0.0.1:6379/3"


@dataclass(frozen=True)
class Services:
    """The database and shared cache one configuration of the shop runs on."""

    name: str
    database: str  # "sqlite" or "postgres"
    cache: str  # "disk" or "redis"

    @property
    def label(self) -> str:
        database = "PostgreSQL" if self.database == "postgres" else "SQLite"
        cache = "Redis" if self.cache == "redis" else "embedded disk cache"
        return f"{database} + {cache}"

    def available(self) -> bool:
        """Return whether the servers this configuration needs answer on this machine."""
        return (self.database != "postgres" or answers(5432)) and (self.cache != "redis" or answers(6379))


DEFAULT = Services("default", "sqlite", "disk")
POSTGRES_REDIS = Services("postgres-redis", "postgres", "redis")
CONFIGURATIONS = (DEFAULT, POSTGRES_REDIS)


@dataclass
class RunningShop:
    url: str
    upstream_url: str  # "" when the sandbox runs inside the shop's workers
    env: dict[str, str]
    floor_url: str = ""
    log_path: Path | None = None

    @property
    def in_process(self) -> bool:
        return not self.upstream_url

    def upstream_counts(self) -> dict[str, int]:
        """Return the sandbox's request counts by "METHOD /path" since it started.

        Over HTTP, the sandbox answers them. In process, each worker's sandbox keeps its own in
        memory, so bench/instrument/sitecustomize.py writes them to a file per process, added up here.
        """
        if not self.in_process:
            return httpx.get(
                f"{self.upstream_url}/sandbox/request-counts", headers={"X-Cr-Application": "bench"}
            ).json()
        total: dict[str, int] = {}
        for path in Path(self.env["BENCH_SANDBOX_COUNTS_DIR"]).glob("*.json"):
            try:
                counts = json.loads(path.read_text())
            except (OSError, ValueError):  # being replaced right now: the next read has it
                continue
            for key, count in counts.items():
                total[key] = total.get(key, 0) + count
        return total

    def place_order(self, *, pay: bool = False) -> str:
        """Create an order upstream and its row here (paid to Done if asked); return its token."""
        return self._place([] if not pay else ["--pay"]).split()[-1]

    def place_orders(self, count: int) -> list[tuple[str, str]]:
        """Create `count` orders upstream and their rows here; return their (token, upstream id)."""
        lines = self._place(["--count", str(count)]).splitlines()
        return [tuple(line.split()) for line in lines if line.strip()]

    def _place(self, args: list[str]) -> str:
        command = [PY, str(ROOT / "bench" / "place_order.py"), *args]
        done = subprocess.run(command, cwd=ROOT, env=self.env, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(done.stderr)
        return done.stdout

    def metrics_text(self) -> str:
        """Return the shop's /metrics (all workers' counts when PROMETHEUS_MULTIPROC_DIR is set)."""
        return httpx.get(f"{self.url}/metrics", timeout=30).text

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def environment(tmp: Path, upstream_url: str, services: Services | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_ALLOW_ASYNC")}
    env.update(
        DEBUG="false",
        SECRET_KEY="bench-" + "x" * 50,
        DATABASE_URL=database_url(tmp, services),
        # Empty: the shop runs the sandbox app in each worker, on the SQLite file below.
        CRYPTOREFILLS_API_URL=upstream_url,
        SANDBOX_DB_PATH=str(tmp / "sandbox.sqlite3"),
        SANDBOX_STEP_SECONDS="0.5",
        LOG_LEVEL="WARNING",
        # One load generator is one IP: lift the per-IP limits so they do not shape the figures.
        RATE_LIMIT_PRICE="1000000",
        RATE_LIMIT_POLL="1000000",
        RATE_LIMIT_VALIDATE="1000000",
        RATE_LIMIT_ORDER="1000000",
    )
    # Both caches are shared by the workers, so rate limits and per-order locks hold across
    # processes. The disk cache in this run's folder, not var/cache, which a running `make run` uses.
    env["CACHE_URL"] = cache_url(tmp, services)
    return env


def database_url(tmp: Path, services: Services | None) -> str:
    """Return a fresh database: SQLite in this run's folder, or PostgreSQL (with the connection pool).

    Without `services`: BENCH_DATABASE_URL, else PostgreSQL when it answers, else SQLite.
    """
    if services is None and os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    wants_postgres = services.database == "postgres" if services else answers(5432)
    if not wants_postgres:
        return f"sqlite:///{tmp / 'shop.sqlite3'}"
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    return f"postgres://postgres@127.0.0.1:5432/{BENCH_DATABASE}"


def cache_url(tmp: Path, services: Services | None) -> str:
    """Return the shared cache: Redis db 3 or the embedded disk cache in this run's folder.

    Without `services`: BENCH_CACHE_URL, else Redis when it answers, else the disk cache.
    """
    if services is None and os.environ.get("BENCH_CACHE_URL"):
        return os.environ["BENCH_CACHE_URL"]
    wants_redis = services.cache == "redis" if services else answers(6379)
    return BENCH_REDIS if wants_redis else f"diskcache://{tmp / 'cache'}"


def services_label(env: dict[str, str]) -> str:
    """Name the database and cache a running shop uses, for the figures' heading."""
    database = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    url = env.get("CACHE_URL", "")
    cache = "Redis" if url.startswith("redis") else "embedded disk" if url.startswith("diskcache") else url
    return f"{database}, cache {cache}"


def answers(port: int) -> bool:
    """Return whether something listens on 127.0.0.1:`port`."""
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def shop_command(port: int, workers: str) -> list[str]:
    """`make run`'s server: storefront.server, uvicorn workers on one port."""
    return [PY, "-m", "storefront.server", "--host", "127.0.0.1", "--port", str(port),
            "--workers", workers, "--log-level", "warning"]


def floor_command(port: int, workers: str) -> list[str]:
    """The floor: the same WSGI application on gunicorn's sync workers, as many as the shop runs."""
    return [GUNICORN, "-w", workers, "-b", f"127.0.0.1:{port}", "--log-level", "warning",
            "storefront.wsgi:application"]


@contextmanager
def running_shop(
    *,
    workers: str = "2",
    services: Services | None = None,
    in_process_sandbox: bool = False,
    floor: bool = False,
    log_path: Path | None = None,
    extra_env: dict[str, str] | None = None,
) -> Iterator[RunningShop]:
    """Serve the shop (and its sandbox upstream, and the floor if asked) on free ports until the block ends.

    With `log_path`, the shop's stderr (its log) goes to that file; otherwise to this terminal.
    """
    tmp = Path(tempfile.mkdtemp(prefix="shop-bench-"))
    upstream_port, shop_port = free_port(), free_port()
    upstream_url = "" if in_process_sandbox else f"http://127.0.0.1:{upstream_port}"
    env = environment(tmp, upstream_url, services)
    if in_process_sandbox:
        counts = tmp / "sandbox-counts"
        counts.mkdir()
        env["BENCH_SANDBOX_COUNTS_DIR"] = str(counts)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(INSTRUMENT_DIR), env.get("PYTHONPATH")]))
    env.update(extra_env or {})
    if env.get("CACHE_URL", "").startswith("redis://"):
        import redis

        redis.Redis.from_url(env["CACHE_URL"]).flushdb()
    processes: list[subprocess.Popen] = []
    log_file = open(log_path, "w") if log_path else None  # noqa: SIM115 (closed in finally)
    try:
        subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        if not in_process_sandbox:
            processes.append(subprocess.Popen(
                [PY, "manage.py", "sandbox_upstream", "--port", str(upstream_port)],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            ))
        processes.append(subprocess.Popen(shop_command(shop_port, workers), cwd=ROOT, env=env,
                                          stderr=log_file))
        floor_url = ""
        if floor:
            floor_port = free_port()
            floor_url = f"http://127.0.0.1:{floor_port}"
            processes.append(subprocess.Popen(floor_command(floor_port, workers), cwd=ROOT, env=env,
                                              stderr=subprocess.DEVNULL))
        if upstream_url:
            wait_until_up(f"{upstream_url}/sandbox/request-counts")
        wait_until_up(f"http://127.0.0.1:{shop_port}/healthz")
        if floor_url:
            wait_until_up(f"{floor_url}/healthz")
        yield RunningShop(url=f"http://127.0.0.1:{shop_port}", upstream_url=upstream_url, env=env,
                          floor_url=floor_url, log_path=log_path)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if log_file:
            log_file.close()
        shutil.rmtree(tmp, ignore_errors=True)
