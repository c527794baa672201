"""The application `make run` serves: pages the WSGI way, the order streams the ASGI way, on one port.

Under Django's ASGI handler every synchronous middleware and the view each hop to a thread, and a
page costs several times what it costs under a sync WSGI worker (measured: /healthz 745 req/s under
uvicorn + ASGI, 3,450 under gunicorn's sync workers, 5,340 here). So a page is handled here as a
sync worker would: the WSGI handler runs to the end on the worker's own thread, one page at a time,
with nothing to hop to. Only the order streams (long-lived, waiting on the upstream) go to Django's
ASGI handler, so thousands of them wait on the event loop without holding a thread each.

A page thus blocks the worker's loop while it renders, as a sync worker is blocked: the streams on
that worker wait those milliseconds. Django refuses database calls on a thread that runs an event
loop unless told they are meant; they are here, which is why DJANGO_ALLOW_ASYNC_UNSAFE is set
before Django loads, in this module only (the tests and the management commands keep the guard).
"""

from __future__ import annotations

import os
import re
import sys
from io import BytesIO

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "storefront.settings")
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import django  # noqa: E402

django.setup(set_prefix=False)

from django.core.handlers.asgi import ASGIHandler  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402

from storefront.serving_flags import STREAMS_ENVIRON_KEY  # noqa: E402

# The only paths answered by Django's ASGI handler: the order streams (orders/api_urls.py).
STREAMED_PATH = re.compile(r"^/api/orders/[^/]+/subscribe$")

_pages = WSGIHandler()
_streams = ASGIHandler()


def wsgi_environ(scope: dict, body: bytes) -> dict:
    """Build the WSGI environ of an ASGI HTTP request whose body has been read."""
    server = scope.get("server") or ("localhost", 80)
    client = scope.get("client") or ("", 0)
    environ = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": scope.get("root_path", ""),
        # WSGI carries the path as latin-1 decoded bytes, ASGI as text: PEP 3333's round trip.
        "PATH_INFO": scope["path"].encode("utf-8").decode("latin-1"),
        "QUERY_STRING": scope["query_string"].decode("latin-1"),
        "SERVER_NAME": server[0],
        "SERVER_PORT": str(server[1]),
        "SERVER_PROTOCOL": f"HTTP/{scope['http_version']}",
        "REMOTE_ADDR": client[0],
        "REMOTE_PORT": str(client[1]),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        STREAMS_ENVIRON_KEY: True,
    }
    for raw_name, raw_value in scope["headers"]:
        name = raw_name.decode("latin-1").upper().replace("-", "_")
        key = name if name in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{name}"
        value = raw_value.decode("latin-1")
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


async def _read_body(receive) -> bytes | None:
    """Return the request body, or None when the client left before sending it all."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def serve_page(scope: dict, receive, send) -> None:
    """Answer one request with Django's WSGI handler, run to the end on this thread."""
    body = await _read_body(receive)
    if body is None:
        return
    started: dict = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info=None) -> None:
        started["status"] = int(status.split(" ", 1)[0])
        started["headers"] = [(name.lower().encode("latin-1"), value.strip().encode("latin-1"))
                              for name, value in headers]

    result = _pages(wsgi_environ(scope, body), start_response)
    try:
        chunks = iter(result)
        first = next(chunks, b"")  # a WSGI app may call start_response only once iterated
        await send(
            {"type": "http.response.start", "status": started["status"], "headers": started["headers"]}
        )
        pending = first
        for chunk in chunks:
            if chunk:
                await send({"type": "http.response.body", "body": pending, "more_body": True})
                pending = chunk
        await send({"type": "http.response.body", "body": pending})
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()  # fires request_finished: database connections are closed or kept as configured


async def _lifespan(receive, send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def application(scope: dict, receive, send) -> None:
    """The ASGI application of `python -m storefront.server`."""
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
    elif scope["type"] == "http" and not STREAMED_PATH.match(scope["path"]):
        await serve_page(scope, receive, send)
    else:
        await _streams(scope, receive, send)
