"""A stand-in for the live Cryptorefills API that answers only with the fixtures in ./fixtures.

It is a real HTTP server on a free port in a daemon thread, so the shop's own client, settings
and retries are exercised exactly as against the live API. Nothing is computed: each endpoint
serves one fixture file, chosen by the request (brands by country, products by family name,
validation problems when the email asks) or by the test (`order_fixture`, `brands_fixture`,
`override`). Every request is recorded, so a test can check what the shop sent.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).parent / "fixtures"
ORDER_ID = "3e7b1c52-9a4f-4d8e-b2c6-5f0a9d3e1b77"  # the one order every order fixture describes
# A validation whose email's local part contains this word answers validation_problems.json.
PROBLEMS_EMAIL_WORD = "problem"


def fixture_text(name: str) -> str:
    """Return a fixture file's text."""
    return (FIXTURES / name).read_text(encoding="utf-8")


def fixture_json(name: str) -> Any:
    """Return a fixture file decoded."""
    return json.loads(fixture_text(name))


def malformed_brand_id() -> str:
    """Return the id of the one brand of brands_us_one_malformed.json that has no name."""
    return next(
        b["brand_id"]
        for c in fixture_json("brands_us_one_malformed.json")["categories"]
        for b in c["brands"]
        if not b.get("brand")
    )


def _products_by_family() -> dict[str, str]:
    """Map each family name the products fixtures hold (casefolded) to its file."""
    files: dict[str, str] = {}
    for path in sorted(FIXTURES.glob("products_*.json")):
        for family in json.loads(path.read_text(encoding="utf-8")):
            files.setdefault(family["family"].casefold(), path.name)
    return files


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class Override:
    status: int
    fixture: str | None
    headers: dict[str, str]


@dataclass
class LiveStandin:
    """The stand-in's state; tests change the knobs while it runs."""

    base_url: str = ""
    order_fixture: str = "order_created.json"  # what GET /v5/orders/{id} answers
    brands_fixture: str = "brands_us.json"  # what GET /v2/brands?country_code=US answers
    # No live shape of /v2/homepage is known and no fixture exists: it answers this status.
    homepage_status: int = 404
    started: float = field(default_factory=time.time)  # the orders' creation time, as served
    requests: list[Recorded] = field(default_factory=list)
    overrides: dict[tuple[str, str], Override] = field(default_factory=dict)
    products_files: dict[str, str] = field(default_factory=_products_by_family)

    def override(
        self, method: str, path: str, *, status: int, fixture: str | None = None, headers: dict | None = None
    ) -> None:
        """Answer `method path` with `status` and a fixture (e.g. an error_*.json) instead."""
        self.overrides[(method.upper(), path)] = Override(status, fixture, dict(headers or {}))

    def requests_to(self, path_prefix: str) -> list[Recorded]:
        """Return the recorded requests whose path starts with `path_prefix`."""
        return [r for r in self.requests if r.path.startswith(path_prefix)]


def _answer(state: LiveStandin, method: str, path: str, query: dict[str, str], body: Any):
    """Return (status, fixture file or literal JSON, content type) for a request."""
    override = state.overrides.get((method, path))
    if override is not None:
        return override.status, override.fixture, "application/json", override.headers
    if method == "GET" and path == "/v3/payment_vias":
        return 200, "payment_vias.json", "application/json", {}
    if method == "GET" and path == "/v2/brands":
        if query.get("country_code", "").upper() == "US":
            return 200, state.brands_fixture, "application/json", {}
        return 200, {"country_code": query.get("country_code", ""), "categories": []}, "application/json", {}
    if method == "GET" and path == "/v2/homepage":
        return state.homepage_status, {"message": "Not Found"}, "application/json", {}
    if method == "GET" and re.fullmatch(r"/v5/products/country/[A-Za-z]{2}", path):
        family = query.get("family_name", "")
        if not family:  # as live: the family is required
            return 400, {"status": 400, "detail": "family_name is required"}, "application/json", {}
        if not path.upper().endswith("/US"):
            return 200, [], "application/json", {}
        return 200, state.products_files.get(family.casefold(), []), "application/json", {}
    if method == "GET" and path == "/v4/products/price":
        return 200, "price_amazon_100.json", "application/json", {}
    if method == "POST" and path == "/v5/orders/validations":
        return 200, _validation_fixture(body), "application/json", {}
    if method == "POST" and path == "/v5/orders":
        return 200, "order_created.json", "application/json", {}
    if method == "GET" and path == f"/v5/orders/{ORDER_ID}":
        return 200, state.order_fixture, "application/json", {}
    if method == "GET" and path == f"/v5/orders/{ORDER_ID}/subscribe":
        return 200, "order_stream.txt", "text/event-stream; charset=utf-8", {}
    if method == "GET" and path == "/api/available-countries":
        return 200, "available_countries.json", "application/json", {}
    return 404, {"message": "Not Found"}, "application/json", {}


TIMESTAMP_FIELDS = ("created_at", "payment_requested_at", "updated_at")


def _as_of_now(payload: bytes, *, started: float) -> bytes:
    """Shift an order fixture's epoch timestamps so it was created when the stand-in started.

    The captured orders are months old; served as they are, every payment window would have
    closed before the test began. Each timestamp keeps its form (string, number, fraction).
    """
    order = json.loads(payload)
    if not isinstance(order, dict) or "order_id" not in order or order.get("created_at") is None:
        return payload
    shift = started - float(order["created_at"])
    for name in TIMESTAMP_FIELDS:
        value = order.get(name)
        if isinstance(value, str) and value.replace(".", "", 1).isdigit():
            moved = float(value) + shift
            order[name] = f"{moved:.3f}" if "." in value else str(int(moved))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            order[name] = int(value + shift) if isinstance(value, int) else round(value + shift, 3)
    return json.dumps(order).encode()


def _validation_fixture(body: Any) -> str:
    email = ""
    if isinstance(body, dict):
        email = str(body.get("email") or (body.get("user") or {}).get("email") or "")
    local_part = email.partition("@")[0].casefold()
    return "validation_problems.json" if PROBLEMS_EMAIL_WORD in local_part else "validation_ok.json"


def _handler(state: LiveStandin) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            pass  # quiet: the recorded requests say what happened

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self._serve("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._serve("POST")

        def _serve(self, method: str) -> None:
            url = urlsplit(self.path)
            query = {key: values[-1] for key, values in parse_qs(url.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except json.JSONDecodeError:
                body = raw.decode("utf-8", "replace")
            state.requests.append(Recorded(method, url.path, query, dict(self.headers.items()), body))
            status, content, content_type, headers = _answer(state, method, url.path, query, body)
            if isinstance(content, str):
                payload = (FIXTURES / content).read_bytes()
                if content.startswith("order_") and content.endswith(".json"):
                    payload = _as_of_now(payload, started=state.started)
            else:
                payload = json.dumps(content).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

    return Handler


class StandinServer:
    """Run a LiveStandin over HTTP on 127.0.0.1 until closed."""

    def __init__(self, state: LiveStandin | None = None) -> None:
        self.state = state or LiveStandin()
        # Port 0: the kernel picks a free port at bind time, so no other test can take it first.
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self._server.daemon_threads = True
        self.state.base_url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LiveStandin:
        self._thread.start()
        return self.state

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
