"""Where orders meet e-mail: the outbox row is written by a receiver of orders' own change signal."""

from __future__ import annotations

import threading

from django.conf import settings
from django.core.signals import request_finished
from django.db import close_old_connections, connection, transaction

# Set once a transaction that enqueued an e-mail commits in this process; the next finished request
# sends (local backends only, see NOTIFICATIONS_SEND_AFTER_RESPONSE).
_enqueued = threading.Event()
AFTER_RESPONSE_BATCH = 20


def on_order_changed(sender, *, order, from_state: str, to_state: str, **kwargs) -> None:
    """Enqueue the e-mail this change calls for, in the change's own transaction."""
    from .services import enqueue_order_email

    if enqueue_order_email(order=order, to_state=to_state) is not None:
        note_enqueued()


def note_enqueued() -> None:
    """Remember, once the current transaction commits, that the outbox has news for this process."""
    transaction.on_commit(_enqueued.set)


def send_after_response(sender, **kwargs) -> None:
    """Send what this process enqueued, after the response left: the shopper never waits on it."""
    if not settings.NOTIFICATIONS_SEND_AFTER_RESPONSE or not _enqueued.is_set():
        return
    if connection.in_atomic_block:
        # Only a test wraps requests in a transaction; nothing it enqueued has committed.
        return
    _enqueued.clear()
    from .services import send_due_emails

    send_due_emails(limit=AFTER_RESPONSE_BATCH)
    # Django closed the request's connection already if its receiver ran first; do not leave one open.
    close_old_connections()


def connect() -> None:
    from orders.services import order_changed

    order_changed.connect(on_order_changed, dispatch_uid="notifications.enqueue")
    request_finished.connect(send_after_response, dispatch_uid="notifications.after_response")
