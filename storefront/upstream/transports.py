"""In-process transports that put the sandbox upstream behind the real httpx client code."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterable

import httpx

_END = object()


class _ThreadedByteStream(httpx.AsyncByteStream):
    """Read a blocking byte stream on a thread of its own, chunk by chunk, so streams stay incremental.

    A thread per stream, not the loop's shared executor: a hundred open order streams would hold
    all of its threads. The thread also closes the stream itself, after the chunk it is waiting
    for: closing a generator from another thread while it runs fails ("generator already
    executing"), so closing only asks, and the stream ends at its next chunk (a keep-alive at most).
    """

    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream
        self._closing = threading.Event()
        self._queue: asyncio.Queue | None = None

    def _read(self, loop: asyncio.AbstractEventLoop) -> None:
        try:
            for chunk in self._stream:
                if self._closing.is_set():
                    break
                loop.call_soon_threadsafe(self._queue.put_nowait, chunk)
        except Exception as exc:  # handed to the reader, which raises it where it reads
            self._deliver(loop, exc)
        finally:
            close = getattr(self._stream, "close", None)
            if close is not None:
                close()
            self._deliver(loop, _END)

    def _deliver(self, loop: asyncio.AbstractEventLoop, item: object) -> None:
        try:
            loop.call_soon_threadsafe(self._queue.put_nowait, item)
        except RuntimeError:
            pass  # the loop has closed: nobody reads any more

    async def __aiter__(self) -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        self._queue = asyncio.Queue()
        threading.Thread(target=self._read, args=(loop,), name="sandbox-stream", daemon=True).start()
        while True:
            item = await self._queue.get()
            if item is _END:
                return
            if isinstance(item, Exception):
                raise item
            yield item

    async def aclose(self) -> None:
        self._closing.set()


class AsyncWSGITransport(httpx.AsyncBaseTransport):
    """Serve an async client from a WSGI app, running the app in worker threads."""

    def __init__(self, app: Callable) -> None:
        self._sync = httpx.WSGITransport(app=app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        sync_request = httpx.Request(request.method, request.url, headers=request.headers, content=body)
        response = await asyncio.to_thread(self._sync.handle_request, sync_request)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_ThreadedByteStream(response.stream),
            request=request,
        )
