"""Where orders meet e-mail: the outbox row is written by a receiver of orders' own change signal."""

from __future__ import annotations

import asyncio
import threading

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, transaction

# Set when a transaction of the current request that enqueued an e-mail commits; that request, once its
# response is out, sends (local backends only, see NOTIFICATIONS_SEND_AFTER_RESPONSE). Per thread and
# reset when a request starts: a request sends only what it enqueued itself (and what else is due).
_request = threading.local()
AFTER_RESPONSE_BATCH = 20


def on_order_changed(sender, *, order, from_state: str, to_state: str, **kwargs) -> None:
    """Enqueue the e-mail this change calls for, in the change's own transaction."""
    from .services import enqueue_order_email

    if enqueue_order_email(order=order, to_state=to_state) is not None:
        note_enqueued()


def note_enqueued() -> None:
    """Remember, once the current transaction commits, that this request has e-mail to send."""
    transaction.on_commit(_mark_enqueued)


def _mark_enqueued() -> None:
    _request.enqueued = True


def forget_enqueued(sender, **kwargs) -> None:
    _request.enqueued = False


def send_after_response(sender, **kwargs) -> None:
    """Send what this process enqueued, after the response left: the shopper never waits on it."""
    if not settings.NOTIFICATIONS_SEND_AFTER_RESPONSE or not getattr(_request, "enqueued", False):
        return
    if connection.in_atomic_block or _in_event_loop():
        # A test wraps requests in a transaction (nothing it enqueued has committed); an async
        # response (a stream) closes in the event loop, where the ORM may not run. The next one sends.
        return
    _request.enqueued = False
    from .services import send_due_emails

    send_due_emails(limit=AFTER_RESPONSE_BATCH)
    # Django closed the request's connection already if its receiver ran first; do not leave one open.
    close_old_connections()


def _in_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def connect() -> None:
    from orders.services import order_changed

    order_changed.connect(on_order_changed, dispatch_uid="notifications.enqueue")
    request_started.connect(forget_enqueued, dispatch_uid="notifications.request_started")
    request_finished.connect(send_after_response, dispatch_uid="notifications.after_response")
