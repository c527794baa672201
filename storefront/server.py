"""Serve the shop with N uvicorn workers, each listening on its own SO_REUSEPORT socket.

Each worker runs `storefront.serving:application` (pages as a sync WSGI worker would, order
streams on the event loop) with httptools and uvloop, uvicorn's C parser and loop.

`uvicorn --workers N` shares one listening socket, and a worker's event loop accepts every
connection pending when it wakes: a burst of keep-alive connections (a proxy's pool, a load
test) can all land on one worker while another idles (seen: 15 of 16 on one worker, and the shop
at the speed of one core). With a socket per worker the kernel spreads new connections across
the workers. The parent restarts a worker that dies and stops them all on SIGINT or SIGTERM.

    python -m storefront.server --host 127.0.0.1 --port 8000 --workers 2
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import signal
import socket
import sys
import time

logger = logging.getLogger("storefront.server")
APPLICATION = "storefront.serving:application"
BACKLOG = 2048
# A worker that dies this soon after starting is broken (settings, imports), not unlucky.
STARTUP_SECONDS = 10.0
SHUTDOWN_SECONDS = 30.0


def listening_socket(host: str, port: int, *, reuse_port: bool = True) -> socket.socket:
    """Return a socket listening on host:port; with reuse_port, other workers may listen there too."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    return sock


def run_worker(host: str, port: int, options: dict) -> None:
    """One worker: its own socket on the shared port, one uvicorn server on it."""
    import uvicorn

    config = uvicorn.Config(APPLICATION, host=host, port=port, **options)
    uvicorn.Server(config).run(sockets=[listening_socket(host, port)])


def check_port_is_free(host: str, port: int) -> None:
    """Fail now if anything listens on the port: SO_REUSEPORT would otherwise share it silently."""
    listening_socket(host, port, reuse_port=False).close()


class Supervisor:
    """Keeps `count` workers running until told to stop."""

    def __init__(self, *, host: str, port: int, count: int, options: dict) -> None:
        self.host, self.port, self.count, self.options = host, port, count, options
        self.context = multiprocessing.get_context("spawn")
        self.workers: dict[int, tuple[multiprocessing.Process, float]] = {}
        self.stopping = False

    def start(self, slot: int) -> None:
        process = self.context.Process(
            target=run_worker, args=(self.host, self.port, self.options), name=f"web-{slot}"
        )
        process.start()
        self.workers[slot] = (process, time.monotonic())

    def stop(self, *_signal_args) -> None:
        self.stopping = True

    def run(self) -> int:
        signal.signal(signal.SIGINT, self.stop)
        signal.signal(signal.SIGTERM, self.stop)
        for slot in range(self.count):
            self.start(slot)
        status = 0
        while not self.stopping:
            time.sleep(0.5)
            if self.stopping:
                break
            for slot, (process, started) in list(self.workers.items()):
                if process.is_alive():
                    continue
                if time.monotonic() - started < STARTUP_SECONDS:
                    logger.error("worker %s exited with %s while starting: stopping", slot, process.exitcode)
                    self.stopping, status = True, 1
                    break
                logger.warning("worker %s exited with %s: starting another", slot, process.exitcode)
                self.start(slot)
        self.shut_down()
        return status

    def shut_down(self) -> None:
        processes = [process for process, _started in self.workers.values()]
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        deadline = time.monotonic() + SHUTDOWN_SECONDS
        for process in processes:
            process.join(timeout=max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the shop with uvicorn workers on one port.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--log-level", default="info")
    parser.add_argument(
        "--proxy-headers", action="store_true", help="trust X-Forwarded-* from --forwarded-allow-ips"
    )
    parser.add_argument("--forwarded-allow-ips", default="127.0.0.1")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s:     %(message)s")
    try:
        check_port_is_free(args.host, args.port)
    except OSError as exc:
        logger.error("cannot listen on %s:%s: %s", args.host, args.port, exc.strerror)
        return 1
    options = {
        "http": "httptools",
        "loop": "uvloop",
        "lifespan": "on",
        "log_level": args.log_level,
        "access_log": False,
        "proxy_headers": args.proxy_headers,
        "forwarded_allow_ips": args.forwarded_allow_ips,
    }
    supervisor = Supervisor(host=args.host, port=args.port, count=args.workers, options=options)
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
