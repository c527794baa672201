"""The production server: workers with their own sockets on one port, restarted when they die."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from process_support import free_port, wait_for, worker_pids

from storefront.server import STARTUP_SECONDS, check_port_is_free, listening_socket

ROOT = Path(__file__).resolve().parent.parent
CONNECTIONS = 32


def test_workers_can_each_listen_on_the_same_port():
    port = free_port()
    first, second = listening_socket("127.0.0.1", port), listening_socket("127.0.0.1", port)
    try:
        assert first.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
        assert second.getsockname() == first.getsockname()
    finally:
        first.close()
        second.close()


def test_a_port_another_server_listens_on_is_refused_at_start():
    port = free_port()
    other_shop = listening_socket("127.0.0.1", port)  # even one that shares its port
    try:
        with pytest.raises(OSError):
            check_port_is_free("127.0.0.1", port)
    finally:
        other_shop.close()
    check_port_is_free("127.0.0.1", port)


# -- the server as `make run` starts it ---------------------------------------------------------------


def established_connections_by_pid(port: int, pids: set[int]) -> dict[int, int]:
    """Count the established connections on local `port` that each process holds."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port, state, inode = int(fields[1].rsplit(":", 1)[1], 16), fields[3], fields[9]
            if local_port == port and state == "01":
                inodes.add(f"socket:[{inode}]")
    counts = {}
    for pid in pids:
        fds = Path(f"/proc/{pid}/fd")
        counts[pid] = sum(1 for fd in fds.iterdir() if os.readlink(fd) in inodes)
    return counts


def healthz(port: int, timeout: float = 5) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.fixture
def server():
    port = free_port()
    env = {**os.environ, "DEBUG": "false", "LOG_LEVEL": "WARNING"}
    process = subprocess.Popen(
        [sys.executable, "-m", "storefront.server", "--port", str(port), "--workers", "2",
         "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    started = time.monotonic()
    try:
        wait_for(lambda: healthz(port) == 200 and len(worker_pids(process.pid)) == 2,
                 seconds=90, what="two workers answering")
        yield process, port, started
    finally:
        if process.poll() is None:
            leftovers = worker_pids(process.pid)
            process.kill()
            process.wait()
            for pid in leftovers:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def test_a_burst_of_keep_alive_connections_is_spread_over_the_workers(server):
    process, port, _started = server
    # Opened at once, as a proxy's pool or a load test opens them; with one shared socket the first
    # worker to wake took them all (seen: 0 and 32), and the shop ran at the speed of one core.
    burst = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(CONNECTIONS)]
    try:
        for connection in burst:
            connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        for connection in burst:
            assert connection.recv(4096).startswith(b"HTTP/1.1 200")
        counts = established_connections_by_pid(port, worker_pids(process.pid))
        assert sum(counts.values()) == CONNECTIONS
        # The kernel hashes each connection to one worker's socket: a split worse than 4/28 is
        # about one in 100,000.
        assert min(counts.values()) >= 4, counts
    finally:
        for connection in burst:
            connection.close()


def test_a_worker_that_dies_is_replaced_and_the_server_stops_cleanly(server):
    process, port, started = server
    time.sleep(max(0.0, STARTUP_SECONDS + 1 - (time.monotonic() - started)))  # past the start-up check
    victim, survivor = sorted(worker_pids(process.pid))
    os.kill(victim, signal.SIGKILL)
    wait_for(lambda: victim not in worker_pids(process.pid) and len(worker_pids(process.pid)) == 2,
             seconds=60, what="a new worker")
    assert survivor in worker_pids(process.pid)
    wait_for(lambda: healthz(port) == 200, seconds=60, what="the new worker to answer")

    workers = worker_pids(process.pid)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=40) == 0
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
    with pytest.raises(OSError):
        healthz(port, timeout=1)
