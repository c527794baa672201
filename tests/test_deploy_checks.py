"""`check --deploy` passes with production settings on the live API and fails without a real secret key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_deploy_check(**env: str) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECRET_KEY", "SECURE", "DEBUG", "DJANGO_ALLOW_ASYNC", "CRYPTOREFILLS_"))
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


PRODUCTION = {
    "SECURE": "true",
    "SECRET_KEY": "k" + "Zq8#vT2@pL9!rX4$wN7^" * 3,
    "ALLOWED_HOSTS": "shop.example.com",
    "CRYPTOREFILLS_API_URL": "https://api.cryptorefills.com",  # README's "Going live"
    "CRYPTOREFILLS_PARTNER_ID": "partner",
    "SITE_URL": "https://shop.example.com",  # e-mailed order links are absolute (notifications)
}


def test_production_settings_pass_the_deploy_check():
    result = run_deploy_check(**PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_without_a_partner_id_refuse_to_start_and_say_why():
    result = run_deploy_check(**{**PRODUCTION, "CRYPTOREFILLS_PARTNER_ID": ""})
    assert result.returncode != 0
    assert "CRYPTOREFILLS_PARTNER_ID is empty" in result.stderr


def test_the_sandbox_key_fails_the_deploy_check():
    result = run_deploy_check(SECURE="true", ALLOWED_HOSTS="shop.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr


def test_plain_http_settings_fail_the_deploy_check():
    result = run_deploy_check(SECRET_KEY="k" + "Zq8#vT2@pL9!rX4$wN7^" * 3, ALLOWED_HOSTS="shop.example.com")
    assert result.returncode != 0
    assert "SECURE_HSTS_SECONDS" in result.stdout + result.stderr
