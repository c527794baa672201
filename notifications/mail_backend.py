"""A mail backend for sandbox and development: each message becomes one .eml file in var/mail/."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class MailDirBackend(BaseEmailBackend):
    """Write every message to EMAIL_FILE_PATH as `<time>-<random>.eml`, readable by any mail client.

    Unlike Django's file backend (every message of a connection appended to one log file), one
    file per message lets the sandbox mailbox page list, sort and open them one by one.
    """

    def __init__(self, *, file_path: str | None = None, fail_silently: bool = False, **kwargs) -> None:
        super().__init__(fail_silently=fail_silently)
        self.directory = Path(file_path or settings.EMAIL_FILE_PATH)

    def send_messages(self, email_messages) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
            name = f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
            partial = self.directory / f".{name}.tmp"
            partial.write_bytes(message.message().as_bytes(linesep="\r\n"))
            # A reader never sees half a message: the file appears whole, by rename.
            partial.rename(self.directory / name)
            sent += 1
        return sent
