"""/readyz: 200 with the database, the cache and the upstream working; 503 naming what failed."""

from __future__ import annotations

import json

import pytest
from django.db import OperationalError

from storefront import health
from storefront.upstream.factory import reset_clients

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_upstream_check():
    health.forget_upstream_check()
    yield
    health.forget_upstream_check()


def _ready(client):
    response = client.get("/readyz")
    return response.status_code, json.loads(response.content)


def test_ready_when_everything_answers(client):
    status, body = _ready(client)
    assert status == 200
    checks = {"database": "ok", "cache": "ok", "upstream": "ok"}
    assert body == {"status": "ready", "failed": [], "checks": checks}
    assert "no-cache" in client.get("/readyz")["Cache-Control"]


def test_503_names_the_upstream_when_it_is_down(client, settings):
    settings.CRYPTOREFILLS_API_URL = "http://127.0.0.1:9"  # nothing listens there
    settings.CRYPTOREFILLS_GET_RETRIES = 0
    reset_clients()
    status, body = _ready(client)
    assert status == 503 and body["failed"] == ["upstream"]


def test_503_names_the_database_when_it_is_down(client, monkeypatch):
    class DownConnection:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(health, "connection", DownConnection())
    status, body = _ready(client)
    assert status == 503 and body["failed"] == ["database"]


def test_503_names_the_cache_when_it_loses_what_it_was_given(client, monkeypatch):
    monkeypatch.setattr(health.cache, "get", lambda *args, **kwargs: None)
    status, body = _ready(client)
    assert status == 503 and "cache" in body["failed"]


def test_the_upstream_is_asked_once_per_interval_however_often_readyz_is(client, monkeypatch):
    calls = []
    real = health.get_client

    def counting():
        calls.append(1)
        return real()

    monkeypatch.setattr(health, "get_client", counting)
    for _ in range(5):
        assert client.get("/readyz").status_code == 200
    assert len(calls) == 1


def test_healthz_stays_cheap_when_the_upstream_is_down(client, settings):
    settings.CRYPTOREFILLS_API_URL = "http://127.0.0.1:9"
    reset_clients()
    assert client.get("/healthz").status_code == 200
