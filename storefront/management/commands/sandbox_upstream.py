"""Serve the sandbox upstream over real HTTP."""

from __future__ import annotations

from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIServer, make_server

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from storefront.sandbox.app import make_app
from storefront.sandbox.config import SandboxConfig


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    """A wsgiref server with a daemon thread per connection, so SSE streams do not block others."""

    daemon_threads = True
    # socketserver's default of 5 pending connections drops most of a burst (a shop's workers
    # opening a hundred order streams at once), and each dropped one waits 1, 3, 7... s to retry.
    request_queue_size = 1024


class Command(BaseCommand):
    help = "Serve the sandbox Cryptorefills upstream over HTTP (SSE streams incrementally)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8700)
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args: object, host: str, port: int, **options: object) -> None:
        config = SandboxConfig.from_env(Path(getattr(settings, "BASE_DIR", Path.cwd())))
        app = make_app(config)
        server = make_server(host, port, app, server_class=ThreadingWSGIServer)
        self.stdout.write(
            f"Sandbox upstream serving http://{host}:{server.server_port}/ (orders in {config.db_path})"
        )
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
