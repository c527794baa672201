"""Start the shop as deployed on several machines: a sandbox upstream, web processes and sync workers.

Everything runs as separate OS processes sharing one PostgreSQL database and one Redis database, as
docs/deploy.md lays it out. Not a conftest.py: tests/e2e imports `conftest` by name.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import httpx
from cryptography.fernet import Fernet
from process_support import free_port

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
SANDBOX_HEADERS = {"X-Cr-Application": "cluster-test"}
CLAIM_KEY = "storefront:cluster-test:claimed"
# What a shop process logs when something went wrong: an exception, a 5xx, a refused transition,
# an upstream call that failed or was repeated.
ERROR_MARKS = (
    "Traceback", "Internal Server Error", "does not follow", "sync failed", "refresh failed", "retrying",
)


POOL_MAX = 4
PROCESSES = 4  # two web processes and two sync workers


def database_url(settings_dict: dict) -> str:
    """Return a DATABASE_URL naming the very database `settings_dict` (the test process's) points at."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{quote(settings_dict['NAME'], safe='')}"


def claim_redis_db(location: str, *, avoid: int, ttl: int = 300) -> tuple[str, Callable[[], None]]:
    """Claim an unused Redis database for one run, empty it, and return its URL and a release function.

    The claim is a key set with NX in the database itself, so parallel runs each get their own; the
    flush and the re-claim happen in one MULTI/EXEC, so no other run can slip in between.
    """
    import redis

    base = redis.Redis.from_url(location)
    try:
        count = int(base.config_get("databases").get("databases", 16))
    except redis.RedisError:
        count = 16
    finally:
        base.close()
    server = location.rsplit("/", 1)[0] if location.count("/") > 2 else location.rstrip("/")
    token = f"{os.getpid()}-{time.time()}"
    for number in range(count - 1, -1, -1):
        if number == avoid:
            continue
        conn = redis.Redis.from_url(f"{server}/{number}")
        if conn.set(CLAIM_KEY, token, nx=True, ex=ttl):
            with conn.pipeline(transaction=True) as pipe:
                pipe.flushdb()
                pipe.set(CLAIM_KEY, token, ex=ttl)
                pipe.execute()

            def release(conn=conn) -> None:
                conn.flushdb()
                conn.close()

            return f"{server}/{number}", release
        conn.close()
    raise RuntimeError(f"no free Redis database on {server} (all {count} claimed by other runs)")


@dataclass
class Cluster:
    """The running processes and what a test needs to talk to them."""

    tmp: Path
    env: dict[str, str]
    upstream_url: str = ""
    web_urls: list[str] = field(default_factory=list)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self, name: str, args: list[str]) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        process.log = log  # type: ignore[attr-defined]
        self.processes[name] = process
        return process

    def log(self, name: str) -> str:
        path = self.tmp / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def logs(self, tail: int = 3000) -> str:
        """Return the end of every process's output, for failure messages."""
        return "\n".join(f"--- {name} ---\n{self.log(name)[-tail:]}" for name in self.processes)

    def errors(self) -> dict[str, str]:
        """Return, by process, the output of every web process and worker that logged an error."""
        found = {}
        for name in self.processes:
            text = self.log(name)
            if name != "sandbox" and any(mark in text for mark in ERROR_MARKS):
                found[name] = text[-6000:]
        return found

    def check_alive(self) -> None:
        dead = {name: p.returncode for name, p in self.processes.items() if p.poll() is not None}
        assert not dead, f"processes exited early: {dead}\n{self.logs()}"

    def upstream_counts(self) -> dict[str, int]:
        """Return the sandbox's request counts by "METHOD /path" since it started."""
        return httpx.get(f"{self.upstream_url}/sandbox/request-counts", headers=SANDBOX_HEADERS).json()

    def simulate(self, upstream_order_id: str, action: str) -> dict:
        response = httpx.post(
            f"{self.upstream_url}/sandbox/orders/{upstream_order_id}/simulate",
            json={"action": action}, headers=SANDBOX_HEADERS,
        )
        response.raise_for_status()
        return response.json()

    def stop(self) -> None:
        """Stop the shop's processes, then the upstream they call."""
        shop = [p for name, p in self.processes.items() if name != "sandbox"]
        for group in (shop, [p for name, p in self.processes.items() if name == "sandbox"]):
            for process in group:
                if process.poll() is None:
                    process.terminate()
            deadline = time.monotonic() + 10
            for process in group:
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=5)
                process.log.close()  # type: ignore[attr-defined]


def wait_until_up(cluster: Cluster, url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cluster.check_alive()
        try:
            if httpx.get(url, headers=SANDBOX_HEADERS, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not come up in {timeout:.0f} s\n{cluster.logs()}")


def cluster_environment(*, tmp: Path, database: str, cache: str, step_seconds: float) -> dict[str, str]:
    """Return the environment every process gets: the deploy settings, pointed at this run's stores."""
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("DJANGO_ALLOW_ASYNC", "SANDBOX_", "PYTEST_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="storefront.settings",
        DEBUG="false",
        SECRET_KEY="cluster-test-" + "k" * 50,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database,
        CACHE_URL=cache,
        CRYPTOREFILLS_PARTNER_ID="",
        SANDBOX_DB_PATH=str(tmp / "sandbox.sqlite3"),
        SANDBOX_STEP_SECONDS=str(step_seconds),
        LOG_LEVEL="INFO",  # "does not follow" (a refused transition) is logged at INFO
        # The hashed-name manifest depends on when collectstatic last ran; page rendering is not on trial.
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
        # Every client here is one IP: lift the per-IP limits so they do not shape the run.
        RATE_LIMIT_PRICE="1000000", RATE_LIMIT_POLL="1000000", RATE_LIMIT_VALIDATE="1000000",
        RATE_LIMIT_ORDER="1000000",
        # Each process pools at most this many PostgreSQL connections (storefront.settings).
        DATABASE_POOL_MAX=str(POOL_MAX),
        PYTHONUNBUFFERED="1",
        CODES_ENCRYPTION_KEY=Fernet.generate_key().decode(),
    )
    return env


def start_cluster(
    *, tmp: Path, database: str, cache: str, webs: int = 2, workers: int = 2,
    step_seconds: float = 0.3, sync_interval: float = 0.5,
) -> Cluster:
    """Start the sandbox upstream, `webs` uvicorn processes and `workers` sync loops; wait for them."""
    upstream_port = free_port()
    cluster = Cluster(tmp=tmp, env=cluster_environment(
        tmp=tmp, database=database, cache=cache, step_seconds=step_seconds))
    cluster.upstream_url = f"http://127.0.0.1:{upstream_port}"
    cluster.env["CRYPTOREFILLS_API_URL"] = cluster.upstream_url
    try:
        cluster.start("sandbox", [PY, "manage.py", "sandbox_upstream", "--port", str(upstream_port)])
        for n in range(webs):
            port = free_port()
            cluster.web_urls.append(f"http://127.0.0.1:{port}")
            cluster.start(f"web{n + 1}", [
                PY, "-m", "uvicorn", "storefront.asgi:application", "--host", "127.0.0.1",
                "--port", str(port), "--workers", "1", "--no-access-log", "--log-level", "warning",
            ])
        for n in range(workers):
            cluster.start(f"worker{n + 1}", [
                PY, "manage.py", "sync_orders", "--loop", "--interval", str(sync_interval), "-v", "2",
            ])
        wait_until_up(cluster, f"{cluster.upstream_url}/sandbox/request-counts")
        for url in cluster.web_urls:
            wait_until_up(cluster, f"{url}/healthz")
        # A worker is ready once it has finished its first pass.
        deadline = time.monotonic() + 30
        while not all("synced" in cluster.log(f"worker{n + 1}") for n in range(workers)):
            cluster.check_alive()
            assert time.monotonic() < deadline, f"sync workers did not start\n{cluster.logs()}"
            time.sleep(0.1)
    except BaseException:
        cluster.stop()
        raise
    return cluster


# -- HTML forms ------------------------------------------------------------------------------------


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "fields": {}}
            self.forms.append(self._form)
        if self._form is None:
            return
        fields = self._form["fields"]
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    fields[name] = a.get("value", "on")
                else:
                    fields.setdefault(name, None)
            elif kind not in ("submit", "button", "image", "reset"):
                fields[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
            fields.setdefault(name, None)
        elif tag == "option" and self._select and ("selected" in a or fields[self._select] is None):
            fields[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = ""

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def find_form(html: str, *, having: str) -> dict:
    """Return the first form holding a field named `having`: {"action", "fields"}."""
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        if having in form["fields"]:
            return form
    raise AssertionError(f"no form with a {having!r} field in the page:\n{html[:2000]}")
