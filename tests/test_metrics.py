"""/metrics: Prometheus' text format, parsed by prometheus-client's own parser; only for allowed callers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from notifications.models import OutboxEmail
from orders.models import Order
from orders.states import OrderState
from storefront.upstream.client import EndUser
from storefront.upstream.factory import get_client

pytestmark = pytest.mark.django_db


def _samples(response) -> dict[tuple[str, tuple], float]:
    families = text_string_to_metric_families(response.content.decode())
    return {(s.name, tuple(sorted(s.labels.items()))): s.value for family in families for s in family.samples}


def _order(**fields) -> Order:
    return Order.objects.create(
        **{"email": "m@example.com", "country_code": "US", "coin": "USDC", "network": "Solana", **fields})


def test_metrics_parse_and_count_requests_upstream_calls_orders_backlog_and_sync_lag(client):
    _order(state=OrderState.DONE, upstream_order_id="a")
    waiting = _order(state=OrderState.WAITING_FOR_PAYMENT, upstream_order_id="b")
    Order.objects.filter(pk=waiting.pk).update(synced_at=timezone.now() - timedelta(seconds=90))
    OutboxEmail.objects.create(kind="order_placed", to="m@example.com", order=waiting)
    client.get("/healthz")
    get_client().payment_vias(end_user=EndUser(ip="192.0.2.9", user_agent="t"))
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    samples = _samples(response)
    assert samples[("storefront_requests_total", (("status", "2xx"), ("view", "healthz")))] >= 1
    assert ("storefront_request_seconds_count", (("view", "healthz"),)) in samples
    assert samples[("storefront_upstream_calls_total",
                    (("endpoint", "GET /v3/payment_vias"), ("outcome", "2xx")))] >= 1
    assert ("storefront_upstream_seconds_bucket",
            (("endpoint", "GET /v3/payment_vias"), ("le", "+Inf"))) in samples
    assert samples[("storefront_orders", (("state", "Done"),))] == 1
    assert samples[("storefront_orders", (("state", "WaitingForPayment"),))] == 1
    assert samples[("storefront_outbox_backlog", ())] == 1
    assert 85 <= samples[("storefront_sync_lag_seconds", ())] < 200


def test_upstream_failures_are_counted_by_endpoint_without_their_ids(client, settings):
    from storefront.upstream import errors
    from storefront.upstream.factory import reset_clients

    settings.CRYPTOREFILLS_API_URL = "http://127.0.0.1:9"  # nothing listens there
    settings.CRYPTOREFILLS_GET_RETRIES = 0
    reset_clients()
    with pytest.raises(errors.UpstreamConnectionError):
        get_client().get_order(order_id="3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b",
                               end_user=EndUser("192.0.2.9", "t"))
    samples = _samples(client.get("/metrics", REMOTE_ADDR="127.0.0.1"))
    assert samples[("storefront_upstream_calls_total",
                    (("endpoint", "GET /v5/orders/{id}"), ("outcome", "no_answer")))] >= 1


def test_the_catalog_cache_counts_its_misses_and_hits(client):
    from storefront.upstream.cache import cached_upstream_read

    before = _samples(client.get("/metrics", REMOTE_ADDR="127.0.0.1"))
    cached_upstream_read("metrics-test", lambda: 1)
    cached_upstream_read("metrics-test", lambda: 1)
    after = _samples(client.get("/metrics", REMOTE_ADDR="127.0.0.1"))
    key = "storefront_catalog_cache_reads_total"
    assert after[(key, (("result", "miss"),))] - before.get((key, (("result", "miss"),)), 0) == 1
    assert after[(key, (("result", "fresh"),))] - before.get((key, (("result", "fresh"),)), 0) == 1


def test_a_forbidden_address_gets_403(client):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 403
    assert b"storefront_" not in response.content


def test_the_token_opens_metrics_from_anywhere_and_a_wrong_one_does_not(client, settings):
    settings.METRICS_TOKEN = "scrape-secret-for-tests"
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.5",
                      HTTP_AUTHORIZATION="Bearer scrape-secret-for-tests").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.5",
                      HTTP_AUTHORIZATION="Bearer wrong").status_code == 403


def test_allowed_networks_are_ranges(client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


def test_a_request_costs_the_metrics_only_microseconds():
    import time

    from django.http import HttpResponse
    from django.test import RequestFactory

    from storefront.metrics import RequestMetricsMiddleware

    def view(request):
        return HttpResponse(b"ok")

    middleware = RequestMetricsMiddleware(view)
    request = RequestFactory().get("/healthz")
    middleware(request)
    runs = 20_000
    started = time.perf_counter()
    for _ in range(runs):
        middleware(request)
    bare = time.perf_counter()
    for _ in range(runs):
        view(request)
    per_request = ((bare - started) - (time.perf_counter() - bare)) / runs
    assert per_request < 20e-6, f"{per_request * 1e6:.1f} µs per request"
