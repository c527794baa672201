"""Shared fixtures: every test gets its own sandbox upstream state and an empty cache."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.utils import translation

from storefront.upstream.cache import forget_memo
from storefront.upstream.client import EndUser
from storefront.upstream.factory import reset_clients


def pytest_collection_modifyitems(items):
    """Run the browser tests last: Playwright's sync API keeps an event loop running in the main
    thread for the rest of the session, and async_to_sync refuses to run under it."""
    items.sort(key=lambda item: "tests/e2e/" in str(item.fspath))


@pytest.fixture(autouse=True)
def isolated_upstream(tmp_path, monkeypatch, settings):
    """Point the in-process sandbox at a fresh database with fast lifecycle steps."""
    monkeypatch.setenv("SANDBOX_DB_PATH", str(tmp_path / "sandbox.sqlite3"))
    monkeypatch.setenv("SANDBOX_STEP_SECONDS", "0.05")
    settings.CRYPTOREFILLS_PARTNER_ID = ""
    settings.CRYPTOREFILLS_API_URL = ""
    settings.SANDBOX_MODE = True
    settings.CRYPTOREFILLS_GET_RETRIES = 2
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    reset_clients()
    clear_caches()
    yield
    reset_clients()
    clear_caches()


def clear_caches() -> None:
    """Empty the shared cache, this process's fragment cache and its decoded copies."""
    for each in caches.all():
        each.clear()
    forget_memo()


@pytest.fixture(autouse=True)
def english_by_default():
    """Start every test in English: a request in another language leaves it active in the thread."""
    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture
def end_user() -> EndUser:
    return EndUser(ip="203.0.113.7", user_agent="Mozilla/5.0 (test shopper)", country_code="US")
