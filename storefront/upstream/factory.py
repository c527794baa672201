"""Build the process-wide partner API client from settings: live, sandbox over HTTP, or sandbox in-process."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import httpx
from django.conf import settings

from .client import AsyncCryptorefillsClient, ClientConfig, CryptorefillsClient
from .transports import AsyncWSGITransport

IN_PROCESS_SANDBOX_URL = "http://sandbox.invalid"
SANDBOX_PARTNER_ID = "sandbox-partner"


def uses_in_process_sandbox() -> bool:
    """Return whether calls go to the sandbox inside this process (no partner ID, no API URL)."""
    return settings.SANDBOX_MODE and not settings.CRYPTOREFILLS_API_URL


def client_config() -> ClientConfig:
    """Return the client configuration the settings describe."""
    if uses_in_process_sandbox():
        base_url = site_url = IN_PROCESS_SANDBOX_URL
    elif settings.SANDBOX_MODE:
        base_url = site_url = settings.CRYPTOREFILLS_API_URL
    else:
        base_url = settings.CRYPTOREFILLS_API_URL or "https://api.cryptorefills.com"
        site_url = settings.CRYPTOREFILLS_SITE_URL
    return ClientConfig(
        base_url=base_url,
        partner_id=settings.CRYPTOREFILLS_PARTNER_ID or SANDBOX_PARTNER_ID,
        app_version=settings.CRYPTOREFILLS_APP_VERSION,
        site_url=site_url,
        timeout=httpx.Timeout(**settings.CRYPTOREFILLS_TIMEOUT),
        get_retries=settings.CRYPTOREFILLS_GET_RETRIES,
    )


@lru_cache(maxsize=1)
def get_sandbox_app():
    """Return the in-process sandbox upstream (one per process, state in its SQLite file)."""
    from storefront.sandbox.app import make_app
    from storefront.sandbox.config import SandboxConfig

    return make_app(SandboxConfig.from_env(settings.BASE_DIR))


def build_client(*, on_response: Callable[[httpx.Response], None] | None = None) -> CryptorefillsClient:
    """Return a new synchronous client of the configured upstream (check_upstream watches its answers)."""
    from storefront.metrics import observe_upstream_call

    transport = httpx.WSGITransport(app=get_sandbox_app()) if uses_in_process_sandbox() else None
    # Every call is counted and timed here, the one place clients are built (metrics, dashboard).
    return CryptorefillsClient(
        client_config(), transport=transport, on_response=on_response, on_call=observe_upstream_call
    )


@lru_cache(maxsize=1)
def get_client() -> CryptorefillsClient:
    """Return the shared synchronous client."""
    return build_client()


def build_async_client() -> AsyncCryptorefillsClient:
    """Return a new async client, for one event loop: an async pool is bound to its loop.

    Building one costs tens of milliseconds (its TLS context), so a worker keeps one for all its
    streams (orders.live.Hub) instead of one per stream.
    """
    from storefront.metrics import observe_upstream_call

    transport = AsyncWSGITransport(get_sandbox_app()) if uses_in_process_sandbox() else None
    return AsyncCryptorefillsClient(client_config(), transport=transport, on_call=observe_upstream_call)


def reset_clients() -> None:
    """Forget the cached client and sandbox (tests that change settings call this)."""
    if get_client.cache_info().currsize:
        get_client().close()
    get_client.cache_clear()
    get_sandbox_app.cache_clear()
