"""Mail configuration the Django way (EMAIL_URL, SITE_URL), and the sandbox's var/mail and mailbox page."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from mail_orders import place_order

from notifications.services import send_due_emails

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "from django.conf import settings as s; "
    "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.SITE_URL)"
)


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("CRYPTOREFILLS_", "EMAIL_", "SITE_URL", "DJANGO_ALLOW_ASYNC"))}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=60)


def test_email_url_chooses_smtp_with_starttls():
    done = run_manage("shell", "--no-imports", "-c", SHOW, EMAIL_URL="smtp+tls://shop:secret@mail.example.com:587")
    assert done.stdout.split() == ["django.core.mail.backends.smtp.EmailBackend", "mail.example.com", "587",
                                   "True", "http://127.0.0.1:8000"], done.stderr


def test_without_email_url_messages_go_to_var_mail():
    done = run_manage("shell", "--no-imports", "-c", SHOW)
    assert done.stdout.split()[0] == "notifications.mail_backend.MailDirBackend", done.stderr


def test_the_live_upstream_without_site_url_refuses_to_start_and_says_why():
    live = {"CRYPTOREFILLS_API_URL": "https://api.cryptorefills.com", "CRYPTOREFILLS_PARTNER_ID": "p-1"}
    refused = run_manage("check", **live)
    assert refused.returncode != 0
    assert "SITE_URL is empty" in refused.stderr
    assert run_manage("check", SITE_URL="https://shop.example.com", **live).returncode == 0


@pytest.mark.django_db
def test_sandbox_mail_lands_in_var_mail_and_is_listed_on_the_sandbox_mailbox_page(client, settings, tmp_path):
    settings.EMAIL_BACKEND = "notifications.mail_backend.MailDirBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    settings.NOTIFICATIONS_SEND_AFTER_RESPONSE = False
    order = place_order(email="new@example.com")
    assert client.get("/sandbox/mail/").status_code == 200
    assert "mailbox-empty" in client.get("/sandbox/mail/").content.decode()
    send_due_emails()
    [file] = (tmp_path / "mail").glob("*.eml")
    assert order.wallet_address in file.read_text()
    page = client.get("/sandbox/mail/")
    html = page.content.decode()
    assert order.reference in html and "new@example.com" in html
    assert f'href="http://127.0.0.1:8000/orders/{order.token}/"' in html  # the link opens the order
    assert page["Referrer-Policy"] == "no-referrer"
    settings.SANDBOX_MODE = False
    assert client.get("/sandbox/mail/").status_code == 404
