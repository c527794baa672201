"""Start the shop as it is deployed (storefront.server with uvicorn workers, DEBUG off, the sandbox
upstream over HTTP) for measurements.
"""

from __future__ import annotations

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


@dataclass
class RunningShop:
    url: str
    upstream_url: str
    env: dict[str, str]

    def upstream_counts(self) -> dict[str, int]:
        """Return the sandbox's request counts by "METHOD /path" since it started."""
        return httpx.get(
            f"{self.upstream_url}/sandbox/request-counts", headers={"X-Cr-Application": "bench"}
        ).json()

    def place_order(self, *, pay: bool = False) -> str:
        """Create an order upstream and its row here (paid to Done if asked); return its token."""
        args = [PY, str(ROOT / "bench" / "place_order.py"), *(["--pay"] if pay else [])]
        done = subprocess.run(args, cwd=ROOT, env=self.env, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(done.stderr)
        return done.stdout.split()[-1]


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


def environment(tmp: Path, upstream_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_ALLOW_ASYNC")}
    env.update(
        DEBUG="false",
        SECRET_KEY="bench-" + "x" * 50,
        DATABASE_URL=os.environ.get("BENCH_DATABASE_URL") or database_url(tmp),
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
    # As deployed: Redis when it answers, else the shop's default, the embedded disk cache; both are
    # shared by the workers, so rate limits and per-order locks hold across processes.
    # The disk cache in this run's folder, not var/cache, which a running `make run` uses.
    env["CACHE_URL"] = os.environ.get("BENCH_CACHE_URL") or (
        "redis://127.0.0.1:6379/3" if answers(6379) else f"diskcache://{tmp / 'cache'}")
    return env


BENCH_DATABASE = "coinshelf_bench"


def database_url(tmp: Path) -> str:
    """As deployed: a fresh PostgreSQL database (with the connection pool) when one answers, else SQLite."""
    if not answers(5432):
        return f"sqlite:///{tmp / 'shop.sqlite3'}"
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    return f"postgres://postgres@127.0.0.1:5432/{BENCH_DATABASE}"


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


@contextmanager
def running_shop(*, workers: str = "2") -> Iterator[RunningShop]:
    """Serve the shop and its sandbox upstream on free ports until the block ends."""
    tmp = Path(tempfile.mkdtemp(prefix="shop-bench-"))
    upstream_port, shop_port = free_port(), free_port()
    upstream_url = f"http://127.0.0.1:{upstream_port}"
    env = environment(tmp, upstream_url)
    if env.get("CACHE_URL", "").startswith("redis://"):
        import redis

        redis.Redis.from_url(env["CACHE_URL"]).flushdb()
    processes: list[subprocess.Popen] = []
    try:
        subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        processes.append(
            subprocess.Popen(
                [PY, "manage.py", "sandbox_upstream", "--port", str(upstream_port)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        processes.append(
            subprocess.Popen(
                [
                    PY,
                    "-m",
                    "storefront.server",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(shop_port),
                    "--workers",
                    workers,
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
            )
        )
        wait_until_up(f"{upstream_url}/sandbox/request-counts")
        wait_until_up(f"http://127.0.0.1:{shop_port}/healthz")
        yield RunningShop(url=f"http://127.0.0.1:{shop_port}", upstream_url=upstream_url, env=env)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
