"""Read the messages MailDirBackend wrote (sandbox mode), newest first, for the sandbox mailbox page."""

from __future__ import annotations

from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

from django.utils.safestring import SafeString

from storefront.sanitize import sanitize_html

MAILBOX_LIMIT = 50


@dataclass(frozen=True)
class StoredMessage:
    name: str
    subject: str
    to: str
    sent: object
    text: str
    html: SafeString


def read_mailbox(directory: Path, *, limit: int = MAILBOX_LIMIT) -> list[StoredMessage]:
    """Return the newest `limit` messages of a mail folder (nothing if it does not exist yet)."""
    if not directory.is_dir():
        return []
    files = sorted(directory.glob("*.eml"), reverse=True)[:limit]
    return [_read(path) for path in files]


def _read(path: Path) -> StoredMessage:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    try:
        sent = parsedate_to_datetime(message["Date"]) if message["Date"] else None
    except (TypeError, ValueError):
        sent = None
    return StoredMessage(
        name=path.name,
        subject=str(message["Subject"] or ""),
        to=str(message["To"] or ""),
        sent=sent,
        text=text.get_content() if text else "",
        # Our own HTML, but it carries what shoppers typed: shown only as the shop shows upstream HTML.
        html=sanitize_html(html.get_content() if html else ""),
    )
