"""Requests through storefront.serving, the application `make run` serves, without starting a server.

The order streams are answered only there (pages through Django's WSGI handler, the stream then
opened on the event loop), so their tests ask it. Importing it lifts Django's async-safety guard
for this process, as it does in the server.
"""

from __future__ import annotations

import httpx
from async_support import run_async


def get_through_serving(url: str, *, headers: dict[str, str] | None = None) -> httpx.Response:
    """GET `url` from storefront.serving and read the whole answer (a stream to its end)."""
    from storefront.serving import application

    async def run() -> httpx.Response:
        transport = httpx.ASGITransport(app=application, client=("203.0.113.7", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.get(url, headers=headers)

    return run_async(run)
