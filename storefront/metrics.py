"""Prometheus metrics: requests per view, upstream calls per endpoint, cache reads, and the shop's state.

Counting stays in this process's memory (a few microseconds per request, no database or cache).
What the database knows (orders by state, sync lag) is read only when /metrics is scraped. With
several worker processes, set PROMETHEUS_MULTIPROC_DIR to an empty folder before starting them:
each worker then writes its counts there and a scrape of any one of them adds them all up.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import urlsplit

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.cache import never_cache
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

logger = logging.getLogger(__name__)
REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "storefront_requests", "Requests answered, by view and status class.", ["view", "status"],
    registry=REGISTRY,
)
REQUEST_SECONDS = Histogram(
    "storefront_request_seconds", "Time to answer a request, by view.", ["view"], registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
UPSTREAM_CALLS = Counter(
    "storefront_upstream_calls", "HTTP attempts to the partner API, by endpoint and outcome.",
    ["endpoint", "outcome"], registry=REGISTRY,
)
UPSTREAM_SECONDS = Histogram(
    "storefront_upstream_seconds", "Time of one attempt to the partner API, by endpoint.", ["endpoint"],
    registry=REGISTRY, buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
CACHE_READS = Counter(
    "storefront_catalog_cache_reads", "Reads of the cached catalog: fresh, stale (refreshing) or miss.",
    ["result"], registry=REGISTRY,
)

# The endpoint being called, for log lines written during the call (storefront.logging).
current_endpoint: ContextVar[str] = ContextVar("upstream_endpoint", default="")

# Path segments that are ids, so each endpoint is one label however many orders there are.
_ID_SEGMENT = re.compile(r"^(?=.*\d)[0-9A-Za-z_-]{8,}$")
_COUNTRY_PATH = re.compile(r"(/country/)[A-Za-z]{2}\b")


def upstream_endpoint(method: str, url: str) -> str:
    """Return "GET /v5/orders/{id}": the endpoint of a call without its ids, host or query."""
    path = urlsplit(url).path or "/"
    path = _COUNTRY_PATH.sub(r"\1{country}", path)
    path = "/".join("{id}" if _ID_SEGMENT.match(part) else part for part in path.split("/"))
    return f"{method} {path}"


def _outcome(status_code: int | None, error: BaseException | None) -> str:
    if status_code is not None:
        return f"{status_code // 100}xx"
    name = type(error).__name__ if error is not None else ""
    return "timeout" if "Timeout" in name else "no_answer"


@contextmanager
def observe_upstream_call(method: str, url: str) -> Iterator[Callable[[int], None]]:
    """Time one attempt to the upstream and count it (metrics and the dashboard's last hour)."""
    from dashboard.upstream_health import record_call

    endpoint = upstream_endpoint(method, url)
    token = current_endpoint.set(endpoint)
    answer: list[int] = []
    error: BaseException | None = None
    started = time.perf_counter()
    try:
        yield answer.append
    except BaseException as exc:
        error = exc
        raise
    finally:
        seconds = time.perf_counter() - started
        current_endpoint.reset(token)
        status_code = answer[0] if answer else None
        UPSTREAM_CALLS.labels(endpoint, _outcome(status_code, error)).inc()
        UPSTREAM_SECONDS.labels(endpoint).observe(seconds)
        record_call(endpoint=endpoint, seconds=seconds, failed=status_code is None or status_code >= 400)


def count_cache_read(result: str) -> None:
    """Count one read of the catalog cache ("fresh", "stale" or "miss")."""
    CACHE_READS.labels(result).inc()


class RequestMetricsMiddleware:
    """Count and time every request by the view that answered it (a few microseconds each)."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        # The labelled children, looked up once: labels() takes a lock and builds a tuple each time.
        self._children: dict[tuple[str, int], tuple] = {}
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest):
        if iscoroutinefunction(self):
            return self._acall(request)
        started = time.perf_counter()
        response = self.get_response(request)
        self._record(request, response, time.perf_counter() - started)
        return response

    async def _acall(self, request: HttpRequest):
        started = time.perf_counter()
        response = await self.get_response(request)
        self._record(request, response, time.perf_counter() - started)
        return response

    def _record(self, request: HttpRequest, response: HttpResponse, seconds: float) -> None:
        match = request.resolver_match
        view = match.view_name if match is not None else "unresolved"
        key = (view, response.status_code // 100)
        children = self._children.get(key)
        if children is None:
            children = self._children[key] = (
                REQUESTS.labels(view, f"{key[1]}xx"), REQUEST_SECONDS.labels(view)
            )
        children[0].inc()
        children[1].observe(seconds)


class ShopCollector:
    """What the database says at scrape time: orders by state, the sync worker's lag, the outbox backlog."""

    def describe(self):
        return []

    def collect(self):
        from dashboard.selectors import count_orders_by_state, count_outbox_backlog, get_sync_lag_seconds

        try:
            by_state = count_orders_by_state()
            lag = get_sync_lag_seconds()
            backlog = count_outbox_backlog()
        except DatabaseError as exc:
            # The request counters are worth most when the database is down: still answer them.
            logger.warning("metrics: the database could not be read: %s", exc)
            return
        orders = GaugeMetricFamily("storefront_orders", "Orders by state now.", labels=["state"])
        for state, count in sorted(by_state.items()):
            orders.add_metric([state], count)
        yield orders
        yield GaugeMetricFamily(
            "storefront_sync_lag_seconds",
            "Age of the last sync of the open order synced longest ago (0 with no open order).",
            value=lag,
        )
        yield GaugeMetricFamily(
            "storefront_outbox_backlog", "E-mails waiting in the outbox (pending or being sent).",
            value=backlog,
        )


REGISTRY.register(ShopCollector())


def _scrape_registry() -> CollectorRegistry:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    registry.register(ShopCollector())
    return registry


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(entry, strict=False) for entry in settings.METRICS_ALLOWED_IPS]


def may_scrape(request: HttpRequest) -> bool:
    """Return whether the request comes from an allowed address or carries the metrics token."""
    from storefront.upstream.end_user import client_ip

    token = settings.METRICS_TOKEN
    if token:
        given = request.META.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ").strip()
        if given and hmac.compare_digest(given.encode(), token.encode()):
            return True
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(address in network for network in _allowed_networks())


@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Answer the metrics in Prometheus' text format, to allowed addresses or the token's bearer."""
    if not may_scrape(request):
        return HttpResponseForbidden(b"forbidden", content_type="text/plain")
    return HttpResponse(generate_latest(_scrape_registry()), content_type=CONTENT_TYPE_LATEST)
