"""Run one task in several threads released together, as concurrent workers or shopper tabs would."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connection

T = TypeVar("T")


def run_at_once(task: Callable[[], T], *, count: int, timeout: float = 30) -> list[T]:
    """Start `count` threads that wait at one barrier, then run `task`; return what each returned.

    Each thread closes its own database connection, so PostgreSQL sees no leftover sessions.
    """
    barrier = threading.Barrier(count, timeout=timeout)
    results: list[T] = []

    def worker() -> None:
        barrier.wait()
        try:
            results.append(task())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
