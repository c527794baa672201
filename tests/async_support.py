"""Run async code from synchronous tests."""

from __future__ import annotations

import threading

from asgiref.sync import async_to_sync
from django.db import connection


def run_async(function):
    """Run an async function to its end from a thread of its own.

    A thread of its own, because browser tests leave an event loop running in the main thread,
    where async_to_sync refuses to work.
    """
    outcome: dict = {}

    def target() -> None:
        try:
            outcome["value"] = async_to_sync(function)()
        except BaseException as exc:  # re-raised in the test's thread
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=60)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
