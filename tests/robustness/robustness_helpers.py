"""Robustness helpers: a sandbox served over real HTTP behind respx, faults to inject, shop invariants.

Not a conftest.py: tests/e2e imports `conftest` by name, and a second conftest module would shadow it.
Test modules import what they need from here explicitly.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import httpx
import respx

from checkout.cart import MAX_DELIVERIES
from orders.models import Order, OrderItem
from orders.states import OrderState
from storefront.management.commands.sandbox_upstream import ThreadingWSGIServer
from storefront.upstream.factory import get_client, get_sandbox_app, reset_clients

# -- the upstream, with faults ---------------------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:  # the sandbox's access log is noise in test output
        pass


class DroppedBody(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that starts, then loses its connection."""

    def __init__(self, head: bytes) -> None:
        self.head = head

    def __iter__(self) -> Iterator[bytes]:
        yield self.head
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")

    async def __aiter__(self):
        yield self.head
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")


def _raise(exc_type: type[Exception], message: str) -> Callable[[httpx.Request], httpx.Response]:
    def effect(request: httpx.Request) -> httpx.Response:
        raise exc_type(f"{message} (fault injected)", request=request)

    return effect


# Each fault is a respx side effect: what the shop's client sees instead of the upstream's answer.
FAULTS: dict[str, Callable[[httpx.Request], httpx.Response]] = {
    "connection_error": _raise(httpx.ConnectError, "connection refused"),
    # A slow upstream, past the client's read timeout, surfaces as httpx.ReadTimeout.
    "timeout": _raise(httpx.ReadTimeout, "read timed out"),
    "server_error": lambda request: httpx.Response(
        503, json={"status": 503, "detail": "SERVICE_UNAVAILABLE"}
    ),
    "http_500": lambda request: httpx.Response(500, json={"status": 500, "detail": "INTERNAL_ERROR"}),
    "html_502": lambda request: httpx.Response(
        502, text="<html><body>502 Bad Gateway</body></html>", headers={"content-type": "text/html"}
    ),
    "malformed_json": lambda request: httpx.Response(
        200, content=b'{"order_id": "ord_1", "order_state": ', headers={"content-type": "application/json"}
    ),
    # Valid JSON that fits no answer of the API (objects where a list is due, and the other way round).
    "schema_mismatch": lambda request: httpx.Response(200, json=[{"unexpected": "shape"}]),
    "dropped_body": lambda request: httpx.Response(
        200, stream=DroppedBody(b'{"order_id": "ord_'), headers={"content-type": "application/json"}
    ),
}
FAULT_NAMES = tuple(FAULTS)


@dataclass
class FaultyUpstream:
    """The sandbox upstream over HTTP, with respx in front: every route passes through unless faulted."""

    url: str
    router: respx.MockRouter

    def fault(self, method: str, path_regex: str, fault: str | Callable) -> respx.Route:
        """Make requests matching `method` and the path regex fail with `fault` (a name of FAULTS)."""
        effect = FAULTS[fault] if isinstance(fault, str) else fault
        route = self.router.route(method=method, path__regex=path_regex).mock(side_effect=effect)
        # Routes match in the order they were added: keep the pass-through last.
        self.router.add(self.router.pop("sandbox"), name="sandbox")
        return route

    def rewrite(self, method: str, path_regex: str, change: Callable[[Any], Any]) -> respx.Route:
        """Let the sandbox answer requests matching `method` and the path regex, then `change` its JSON.

        For faults inside an answer that the sandbox itself never gives (one malformed item, an
        unknown state): the rest of the answer stays the sandbox's, so the shop stays coherent.
        """

        def effect(request: httpx.Request) -> httpx.Response:
            # In process (not through respx): the same sandbox app the HTTP server serves.
            with httpx.Client(transport=httpx.WSGITransport(app=get_sandbox_app())) as sandbox:
                forwarded = httpx.Request(
                    request.method, request.url, headers=request.headers, content=request.content
                )
                answer = sandbox.send(forwarded)
            return httpx.Response(answer.status_code, json=change(answer.json()))

        return self.fault(method, path_regex, effect)

    def heal(self) -> None:
        """Remove every fault: the sandbox answers everything again."""
        sandbox = self.router.pop("sandbox")
        self.router.routes.clear()
        self.router.add(sandbox, name="sandbox")

    def sandbox_calls(self, method: str, path_prefix: str) -> int:
        """Return how many requests reached the sandbox itself (faulted ones never do)."""
        return sum(
            1
            for m, path, _headers in get_sandbox_app().request_log
            if m == method and path.split("?", 1)[0].startswith(path_prefix)
        )

    def attempts(self, method: str, path: str) -> int:
        """Return how many times the shop sent `method path`, faulted or passed through."""
        faulted = sum(
            1
            for route in self.router.routes
            if route.name != "sandbox"
            for call in route.calls
            if call.request.method == method and call.request.url.path == path
        )
        return faulted + sum(
            1
            for m, p, _headers in get_sandbox_app().request_log
            if m == method and p.split("?", 1)[0] == path
        )


@contextmanager
def faulty_upstream(settings, *, read_timeout: float | None = None) -> Iterator[FaultyUpstream]:
    """Serve the test's sandbox over real HTTP and point the shop's clients at it, behind respx."""
    app = get_sandbox_app()
    server = make_server("127.0.0.1", 0, app, server_class=ThreadingWSGIServer, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    settings.CRYPTOREFILLS_API_URL = url
    if read_timeout is not None:
        settings.CRYPTOREFILLS_TIMEOUT = {**settings.CRYPTOREFILLS_TIMEOUT, "read": read_timeout}
    _forget_client()  # the next get_client() talks to `url`; the sandbox app (and its log) stays
    try:
        with respx.mock(base_url=url, assert_all_called=False) as router:
            router.route(name="sandbox").pass_through()
            yield FaultyUpstream(url=url, router=router)
    finally:
        server.shutdown()
        server.server_close()
        reset_clients()


def _forget_client() -> None:
    if get_client.cache_info().currsize:
        get_client().close()
    get_client.cache_clear()


# -- invariants ------------------------------------------------------------------------------------


def assert_nothing_half_created() -> None:
    """No order stuck in Submitting, no item without its order, no placed order without an upstream id."""
    assert not Order.objects.filter(state=OrderState.SUBMITTING).exists()
    assert not OrderItem.objects.exclude(order_id__in=Order.objects.values("id")).exists()
    for order in Order.objects.all():
        assert order.items.exists(), f"order {order.reference} has no items"
        assert order.upstream_order_id or order.state == OrderState.SUBMIT_FAILED, order.state


def assert_cart_within_limits(client) -> None:
    """The session's cart holds well-formed lines and at most MAX_DELIVERIES deliveries."""
    raw = client.session.get("cart", [])
    assert isinstance(raw, list)
    quantities = [int(line["qty"]) for line in raw]
    assert all(1 <= q <= MAX_DELIVERIES for q in quantities), quantities
    assert sum(quantities) <= MAX_DELIVERIES, quantities


def assert_not_5xx(response, what: str = "") -> None:
    assert response.status_code < 500, f"{what}: {response.status_code}"
    assert 200 <= response.status_code < 500, f"{what}: {response.status_code}"
