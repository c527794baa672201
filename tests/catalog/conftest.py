"""Catalog fixtures: count what reaches the sandbox upstream, and break it on demand."""

from __future__ import annotations

import pytest

from storefront.sandbox_views import logo_cache
from storefront.upstream import errors
from storefront.upstream.factory import get_client, get_sandbox_app


@pytest.fixture(autouse=True)
def empty_logo_cache():
    logo_cache.clear()
    yield
    logo_cache.clear()


class UpstreamCalls:
    """The API calls the sandbox received since the fixture started (logos excluded)."""

    def __init__(self) -> None:
        self.log = get_sandbox_app().request_log
        self.start = len(self.log)

    def paths(self) -> list[str]:
        return [path for _method, path, _headers in self.log[self.start:] if not path.startswith("/logos/")]

    def reset(self) -> None:
        self.start = len(self.log)

    def __len__(self) -> int:
        return len(self.paths())


@pytest.fixture
def upstream_calls() -> UpstreamCalls:
    get_client()  # the sandbox app, and so its log, exist from here on
    return UpstreamCalls()


@pytest.fixture
def upstream_down(monkeypatch):
    """Make every call to the partner API fail as if the network were down."""

    def refuse(*args, **kwargs):
        raise errors.UpstreamConnectionError("connection refused (test)")

    def down() -> None:
        monkeypatch.setattr(get_client(), "_send", refuse)

    return down
