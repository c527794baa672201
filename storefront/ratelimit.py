"""Per-IP rate limits kept in the shared cache, so every process (and machine) counts together."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .leased_allowance import Allowance, spend
from .upstream.end_user import client_ip
from .window_counter import WindowCount, count_in_window


def _window_key(scope: str, key: str) -> str:
    return f"ratelimit:{scope}:{key}"


def count_request(*, scope: str, key: str, window_seconds: int) -> WindowCount:
    """Count one request of `key` in `scope`, in a window opened by the key's first request.

    The window closes `window_seconds` after that first request. A window aligned to the clock
    would reset at every boundary and let a burst of twice the limit straddle it.
    """
    return count_in_window(caches["default"], _window_key(scope, key), window_seconds=window_seconds)


def allow(*, scope: str, key: str, limit: int, window_seconds: int) -> Allowance:
    """Spend one request of `key`'s window in `scope`, as count_request counts it, from this
    process's lease of it (storefront.leased_allowance): refused once the limit is passed."""
    return spend(caches["default"], _window_key(scope, key), limit=limit, window_seconds=window_seconds)


def hit(*, scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one request of `key` in `scope`; return False once the window's limit is passed."""
    return allow(scope=scope, key=key, limit=limit, window_seconds=window_seconds).allowed


def too_many_requests(request: HttpRequest, *, retry_after: int) -> HttpResponse:
    """Render the 429 page."""
    response = render(request, "errors/429.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def rate_limited(scope: str, *, methods: tuple[str, ...] = ("GET", "POST")) -> Callable:
    """Limit a view per client IP to the `RATE_LIMITS[scope]` (requests, seconds) pair."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method in methods:
                limit, window = settings.RATE_LIMITS[scope]
                allowance = allow(scope=scope, key=client_ip(request), limit=limit, window_seconds=window)
                if not allowance.allowed:
                    # The client may come back when its own window closes, not a whole window later.
                    return too_many_requests(request, retry_after=allowance.retry_after)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
