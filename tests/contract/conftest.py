"""Fixtures of the contract tests: a stand-in serving only live-shaped fixtures, and clients of it."""

from __future__ import annotations

from importlib import import_module

import httpx
import pytest
from standin import LiveStandin, StandinServer

from storefront.upstream.client import ClientConfig, CryptorefillsClient
from storefront.upstream.factory import reset_clients

STANDIN_PARTNER_ID = "contract-partner"


@pytest.fixture
def live_standin() -> LiveStandin:
    """Serve the live fixtures over HTTP; `.base_url` is its address, `.order_fixture` what orders answer."""
    with StandinServer() as standin:
        yield standin


@pytest.fixture
def standin_client(live_standin) -> CryptorefillsClient:
    """Return a partner API client pointed at the stand-in, as a live shop's would be."""
    config = ClientConfig(
        base_url=live_standin.base_url,
        partner_id=STANDIN_PARTNER_ID,
        app_version="contract-tests/1",
        site_url=live_standin.base_url,
        timeout=httpx.Timeout(5.0),
        get_retries=0,
    )
    client = CryptorefillsClient(config)
    yield client
    client.close()


@pytest.fixture
def shop_on_live_standin(live_standin, settings) -> LiveStandin:
    """Point the whole shop at the stand-in as at the live API (a partner ID, no sandbox)."""
    # The URLconf reads SANDBOX_MODE once, when first imported: import it in the suite's sandbox
    # mode, or a run starting here would lose the sandbox routes (logos) for every later test.
    import_module(settings.ROOT_URLCONF)
    settings.CRYPTOREFILLS_API_URL = live_standin.base_url
    settings.CRYPTOREFILLS_SITE_URL = live_standin.base_url
    settings.CRYPTOREFILLS_PARTNER_ID = STANDIN_PARTNER_ID
    settings.SANDBOX_MODE = False
    settings.CRYPTOREFILLS_GET_RETRIES = 0
    reset_clients()
    yield live_standin
    reset_clients()
