"""Run a worker's pass once, or again and again until the process is asked to stop."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable


def run_passes(one_pass: Callable[[], None], *, loop: bool, interval: float) -> None:
    """Run `one_pass` once, or, with `loop`, every `interval` seconds until SIGTERM or SIGINT.

    A signal ends the loop after the pass under way, never inside it, so a worker stopped by its
    supervisor leaves no order half-synced and no e-mail half-sent.
    """
    stopping = False

    def stop(signum, frame) -> None:
        nonlocal stopping
        stopping = True

    if loop:
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    while True:
        one_pass()
        if not loop or stopping:
            return
        deadline = time.monotonic() + interval
        while not stopping and time.monotonic() < deadline:
            time.sleep(min(0.2, interval))
