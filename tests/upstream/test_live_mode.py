"""A shop pointed at the live API without a partner ID refuses to start, and says why."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from process_support import free_port

from storefront.upstream.live_mode import is_live_url, missing_partner_id

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "url",
    [
        "https://api.cryptorefills.com",
        "https://www.cryptorefills.com/",
        "https://upstream.example.com",
        "https://8.8.8.8",
    ],
)
def test_cryptorefills_and_public_hosts_are_live(url):
    assert is_live_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "http://127.0.0.1:8700",
        "http://localhost:8700",
        "http://[::1]:8700",
        "http://sandbox:8700",
        "http://10.0.0.5:8700",
        "http://sandbox.invalid",
        "http://upstream.test",
    ],
)
def test_loopback_private_and_reserved_hosts_are_not_live(url):
    assert not is_live_url(url)


def test_a_partner_id_lets_the_live_api_be_used():
    assert missing_partner_id(api_url="https://api.cryptorefills.com", partner_id="p-123") is None
    assert "CRYPTOREFILLS_PARTNER_ID is empty" in missing_partner_id(
        api_url="https://api.cryptorefills.com", partner_id=" "
    )


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CRYPTOREFILLS_")}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


def test_manage_py_refuses_the_live_api_without_a_partner_id():
    done = _run(["manage.py", "check"], CRYPTOREFILLS_API_URL="https://api.cryptorefills.com")
    assert done.returncode != 0
    assert "CRYPTOREFILLS_PARTNER_ID is empty" in done.stderr
    assert "commission" in done.stderr


def test_the_server_refuses_to_start_on_the_live_api_without_a_partner_id():
    done = _run(
        ["-m", "storefront.server", "--port", str(free_port()), "--workers", "1"],
        CRYPTOREFILLS_API_URL="https://api.cryptorefills.com",
    )
    assert done.returncode != 0
    assert "CRYPTOREFILLS_PARTNER_ID is empty" in done.stderr


def test_the_sandbox_over_http_needs_no_partner_id():
    done = _run(["manage.py", "check"], CRYPTOREFILLS_API_URL="http://127.0.0.1:8700")
    assert done.returncode == 0, done.stderr


def test_the_live_api_with_a_partner_id_starts():
    done = _run(
        ["manage.py", "check"],
        CRYPTOREFILLS_API_URL="https://api.cryptorefills.com",
        CRYPTOREFILLS_PARTNER_ID="p-1",
        SITE_URL="https://shop.example.com",
    )
    assert done.returncode == 0, done.stderr
