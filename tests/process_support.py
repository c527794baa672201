"""Helpers for tests that start real server processes."""

from __future__ import annotations

import multiprocessing
import socket
import time
from pathlib import Path


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def worker_pids(parent: int) -> set[int]:
    """Return the uvicorn workers the server started (not multiprocessing's resource tracker)."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parent_pid = int(stat.rsplit(")", 1)[1].split()[1])
        if parent_pid == parent and b"spawn_main" in cmdline:
            pids.add(int(entry.name))
    return pids


def wait_for(condition, *, seconds: float, what: str) -> None:
    """Wait until `condition()` is true (a refused connection counts as not yet), or fail."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def results_of_processes(target, count: int, *args) -> list:
    """Run `target(*args, barrier, results)` in `count` new processes at once; return what each put.

    The barrier lets every process start its work at the same moment, or they would not overlap.
    """
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(count), context.Queue()
    processes = [context.Process(target=target, args=(*args, barrier, results)) for _ in range(count)]
    for process in processes:
        process.start()
    collected = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    return collected
