"""`manage.py check_upstream`, run as a partner going live would: as a process, against real HTTP servers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import httpx
import pytest
from django.core.management import CommandError, call_command
from process_support import free_port
from standin import malformed_brand_id

ROOT = Path(__file__).resolve().parents[2]
READ_ENDPOINTS = ("payment_vias", "brands", "homepage", "products", "price", "available_countries")


def _environment(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CRYPTOREFILLS_", "SANDBOX_"))}
    env.update(
        SANDBOX_DB_PATH=str(tmp_path / "sandbox.sqlite3"), DJANGO_SETTINGS_MODULE="storefront.settings"
    )
    env.update(overrides)
    return env


def _check_upstream(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check_upstream", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def sandbox_over_http(tmp_path):
    """Run `manage.py sandbox_upstream` on a free port; yield its URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "sandbox_upstream", "--port", str(port)],
        cwd=ROOT,
        env=_environment(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/v3/payment_vias", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_sandbox_over_http_passes_and_the_table_names_every_endpoint(sandbox_over_http, tmp_path):
    done = _check_upstream(_environment(tmp_path, CRYPTOREFILLS_API_URL=sandbox_over_http))
    assert done.returncode == 0, done.stdout + done.stderr
    assert sandbox_over_http in done.stdout
    header = done.stdout.splitlines()[1]
    assert header.split() == ["endpoint", "answered", "parsed", "items", "left", "out", "unknown", "fields"]
    for endpoint in READ_ENDPOINTS:
        assert f"\n{endpoint}" in done.stdout
    assert "Every endpoint answered and parsed." in done.stdout


def test_the_live_fixtures_pass_though_the_homepage_is_missing(live_standin, tmp_path):
    env = _environment(
        tmp_path,
        CRYPTOREFILLS_API_URL=live_standin.base_url,
        CRYPTOREFILLS_SITE_URL=live_standin.base_url,
        CRYPTOREFILLS_PARTNER_ID="contract-partner",
    )
    done = _check_upstream(env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "homepage: warning" in done.stdout
    for family in ("Amazon.com", "eSIM", "Lycamobile"):
        assert f"products {family}" in done.stdout
    assert "price eSIM 4.5" in done.stdout  # the first fixed product of the families tried
    assert "price Amazon.com 500" in done.stdout
    calls = {r.path for r in live_standin.requests}
    assert not any(path.startswith("/v5/orders") for path in calls)  # nothing that creates orders
    partner_headers = {r.headers.get("X-Cr-Application") for r in live_standin.requests}
    assert partner_headers == {"contract-partner"}


def test_one_malformed_brand_is_named_and_fails_the_check(live_standin, tmp_path):
    live_standin.brands_fixture = "brands_us_one_malformed.json"
    malformed_id = malformed_brand_id()
    env = _environment(
        tmp_path,
        CRYPTOREFILLS_API_URL=live_standin.base_url,
        CRYPTOREFILLS_SITE_URL=live_standin.base_url,
        CRYPTOREFILLS_PARTNER_ID="contract-partner",
    )
    done = _check_upstream(env)
    assert done.returncode != 0
    assert "brands: FAILED" in done.stdout
    assert f"left out {malformed_id}: brand: Field required" in done.stdout
    assert "upstream check failed: brands" in done.stderr


def test_an_unparseable_answer_fails_with_the_models_error(shop_on_live_standin):
    shop_on_live_standin.override("GET", "/v3/payment_vias", status=200, fixture="brands_us.json")
    out = StringIO()
    with pytest.raises(CommandError, match="payment_vias"):
        call_command("check_upstream", stdout=out)
    assert "GET /v3/payment_vias: 1 validation error for _PaymentVias" in out.getvalue()


def test_a_family_can_be_chosen_and_an_unknown_one_fails(shop_on_live_standin):
    out = StringIO()
    with pytest.raises(CommandError, match="products Nope"):
        call_command("check_upstream", "--family", "Steam", "--family", "Nope", stdout=out)
    assert "products Steam" in out.getvalue()
    assert "no brand of this family in the answer" in out.getvalue()


def test_an_upstream_that_does_not_answer_fails_every_endpoint(settings):
    settings.CRYPTOREFILLS_API_URL = f"http://127.0.0.1:{free_port()}"
    settings.CRYPTOREFILLS_GET_RETRIES = 0
    out = StringIO()
    with pytest.raises(CommandError, match="payment_vias, brands"):
        call_command("check_upstream", stdout=out)
    assert "payment_vias         no" in out.getvalue()


def test_the_in_process_sandbox_passes():
    out = StringIO()
    call_command("check_upstream", "--country", "US", stdout=out)
    assert "the in-process sandbox" in out.getvalue()
