"""Configuration from the environment, and serving over real HTTP with the command's server."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from wsgiref.simple_server import make_server

import httpx

from storefront.management.commands.sandbox_upstream import ThreadingWSGIServer
from storefront.sandbox.app import make_app
from storefront.sandbox.config import SandboxConfig


def test_config_defaults_from_base_dir(monkeypatch, tmp_path):
    for name in (
        "SANDBOX_DB_PATH",
        "SANDBOX_STEP_SECONDS",
        "SANDBOX_PAYMENT_WINDOW_SECONDS",
        "SANDBOX_LOGO_BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    config = SandboxConfig.from_env(tmp_path)
    assert config == SandboxConfig(db_path=tmp_path / "var" / "sandbox.sqlite3")
    assert (config.step_seconds, config.payment_window_seconds, config.logo_base_url) == (
        5.0,
        1800,
        "/sandbox/logos",
    )


def test_config_reads_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SANDBOX_DB_PATH", str(tmp_path / "x.sqlite3"))
    monkeypatch.setenv("SANDBOX_STEP_SECONDS", "0.5")
    monkeypatch.setenv("SANDBOX_PAYMENT_WINDOW_SECONDS", "60")
    monkeypatch.setenv("SANDBOX_LOGO_BASE_URL", "http://127.0.0.1:8700/logos")
    config = SandboxConfig.from_env(Path("/unused"))
    assert config.db_path == tmp_path / "x.sqlite3"
    assert (config.step_seconds, config.payment_window_seconds) == (0.5, 60)
    assert config.logo_base_url == "http://127.0.0.1:8700/logos"


def test_threading_server_streams_events_over_http_while_serving_others(config, make_body):
    server = make_server("127.0.0.1", 0, make_app(config), server_class=ThreadingWSGIServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        with httpx.Client(base_url=url, headers={"X-Cr-Application": "test"}, timeout=5) as http:
            order_id = http.post("/v5/orders", json=make_body()).json()["order_id"]
            with http.stream("GET", f"/v5/orders/{order_id}/subscribe") as stream:
                lines = stream.iter_lines()
                assert next(lines) == "event: message"
                # A second request is served while the stream stays open.
                paid = httpx.post(
                    f"{url}/sandbox/orders/{order_id}/simulate",
                    json={"action": "pay"},
                    headers={"X-Cr-Application": "test"},
                )
                assert paid.status_code == 200
                started = time.monotonic()
                rest = list(lines)
            assert "event: stop" in rest and time.monotonic() - started < 3
            assert http.get("/sandbox/requests").json()[-1]["headers"]["X-Cr-Application"] == "test"
    finally:
        server.shutdown()
        server.server_close()
