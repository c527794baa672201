"""Shared fixtures: every test gets its own sandbox upstream state and an empty cache."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest
from django.conf import settings
from django.core.cache import caches
from django.utils import translation

from orders.status_fragment import forget_fragments
from storefront.leased_allowance import forget_leases
from storefront.page_cache import forget_pages
from storefront.page_inputs import forget_checks
from storefront.upstream.cache import forget_memo
from storefront.upstream.client import EndUser
from storefront.upstream.factory import reset_clients


def pytest_configure(config):
    """Give the run its own embedded cache, so it neither reads nor clears the one `make run` uses.

    Without CACHE_URL the default cache is diskcache in var/cache (storefront/cache_config.py,
    shown by tests/test_shared_cache.py); here it moves to a folder of this run's own, and the
    servers that tests start inherit it through CACHE_URL.
    """
    if os.environ.get("CACHE_URL"):
        return
    config.embedded_cache_dir = tempfile.mkdtemp(prefix="shop-test-cache-")
    os.environ["CACHE_URL"] = f"diskcache://{config.embedded_cache_dir}"
    settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"],
                                                      "LOCATION": config.embedded_cache_dir}}


def pytest_unconfigure(config):
    directory = getattr(config, "embedded_cache_dir", None)
    if directory:
        os.environ.pop("CACHE_URL", None)
        shutil.rmtree(directory, ignore_errors=True)


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
    """Empty the shared cache and what this process keeps beside it: fragments, decoded copies, kept
    pages, their checks and its rate-limit leases."""
    for each in caches.all():
        each.clear()
    forget_memo()
    forget_pages()
    forget_fragments()
    forget_checks()
    forget_leases()


@pytest.fixture(autouse=True)
def english_by_default():
    """Start every test in English: a request in another language leaves it active in the thread."""
    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture
def end_user() -> EndUser:
    return EndUser(ip="203.0.113.7", user_agent="Mozilla/5.0 (test shopper)", country_code="US")
