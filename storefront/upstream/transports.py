"""In-process transports that put the sandbox upstream behind the real httpx client code."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Iterator

import httpx

_END = object()


class _ThreadedByteStream(httpx.AsyncByteStream):
    """Read a blocking byte stream from a worker thread, chunk by chunk, so streams stay incremental."""

    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream
        self._chunks: Iterator[bytes] = iter(stream)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            chunk = await asyncio.to_thread(next, self._chunks, _END)
            if chunk is _END:
                return
            yield chunk

    async def aclose(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            await asyncio.to_thread(close)


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
