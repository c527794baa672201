"""The application `make run` serves: every request the WSGI way, the order streams then on the loop.

Under Django's ASGI handler every synchronous middleware and the view each hop to a thread, and a
page costs several times what it costs under a sync WSGI worker (measured: /healthz 745 req/s under
uvicorn + ASGI, 3,450 under gunicorn's sync workers, 5,340 here). So a page is handled here as a
sync worker would: the WSGI handler runs to the end on the worker's own thread, one page at a time,
with nothing to hop to. The order streams are answered the same way, and their answer (with an
`open_on_loop` method, storefront/serving_flags.py) is then opened and relayed on the event loop:
thousands of them wait there without holding a thread each (under Django's ASGI handler each held
one, and opening 1,000 took seconds).

A page thus blocks the worker's loop while it renders, as a sync worker is blocked: the streams on
that worker wait those milliseconds. Django refuses database calls on a thread that runs an event
loop unless told they are meant; they are here, which is why DJANGO_ALLOW_ASYNC_UNSAFE is set
before Django loads, in this module only (management commands keep the guard; tests that import
this module, to serve through it, do not).
"""

from __future__ import annotations

import asyncio
import os
import sys
from contextlib import aclosing
from io import BytesIO

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "storefront.settings")
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import django  # noqa: E402

django.setup(set_prefix=False)

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.http import HttpResponseBase  # noqa: E402

from storefront.serving_flags import OPEN_ON_LOOP, STREAMS_ENVIRON_KEY  # noqa: E402

_pages = WSGIHandler()


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
        started["headers"] = _encoded_headers(headers)

    result = _pages(wsgi_environ(scope, body), start_response)
    try:
        if hasattr(result, OPEN_ON_LOOP):
            await _serve_stream(result, started, receive, send)
            return
        chunks = iter(result)
        first = next(chunks, b"")  # a WSGI app may call start_response only once iterated
        await _send_head(send, started["status"], started["headers"])
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


def _encoded_headers(headers) -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode("latin-1"), value.strip().encode("latin-1")) for name, value in headers]


async def _send_head(send, status: int, headers: list[tuple[bytes, bytes]]) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})


async def _serve_stream(response, started: dict, receive, send) -> None:
    """Open a long-lived answer on the loop, then relay its chunks until it ends or the client leaves."""
    opened = await getattr(response, OPEN_ON_LOOP)()
    if isinstance(opened, HttpResponseBase):  # refused: that answer goes instead, with the same id
        request_id = [(name, value) for name, value in started["headers"] if name == b"x-request-id"]
        await _send_head(send, opened.status_code, _encoded_headers(opened.items()) + request_id)
        await send({"type": "http.response.body", "body": opened.content})
        return
    await _send_head(send, started["status"], started["headers"])

    async def relay() -> None:
        async with aclosing(opened):
            async for chunk in opened:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    async def client_leaves() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    tasks = [asyncio.ensure_future(relay()), asyncio.ensure_future(client_leaves())]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        # Either ended the answer: the other is cancelled, and a send to a client already gone
        # is not an error worth a log line.
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


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
    elif scope["type"] == "http":
        await serve_page(scope, receive, send)
