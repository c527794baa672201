"""A real SMTP server for tests (aiosmtpd), started and stopped by the test, that keeps what it receives.

Not a conftest.py: tests/e2e imports `conftest` by name, and a second conftest module would shadow it.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller

# aiosmtpd logs every SMTP command at INFO; a failing test should show the shop's logs, not those.
logging.getLogger("mail.log").setLevel(logging.WARNING)

__all__ = ["SmtpServer", "smtp", "smtp_settings"]


class _Collector:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: set[str] = set()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    """An SMTP server on a fixed port that can go down and come back."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.collector = _Collector()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        with self.collector.lock:
            return list(self.collector.messages)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    def wait_for(self, count: int, *, seconds: float = 10.0) -> list[EmailMessage]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and len(self.messages) < count:
            time.sleep(0.05)
        return self.messages


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


@pytest.fixture
def smtp_settings(settings):
    """Send through SMTP to 127.0.0.1 (the server is started by `smtp`), only from the worker."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.NOTIFICATIONS_SEND_AFTER_RESPONSE = False
    settings.SITE_URL = "https://shop.example.com"
    return settings


@pytest.fixture
def smtp(smtp_settings):
    server = SmtpServer()
    smtp_settings.EMAIL_PORT = server.port
    server.start()
    yield server
    server.stop()
