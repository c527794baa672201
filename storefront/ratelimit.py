"""Per-IP rate limits kept in the cache, so every process behind the load balancer shares them."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .upstream.end_user import client_ip


def hit(*, scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one request of `key` in `scope`; return False once the window's limit is passed.

    The window opens at the key's first request and closes `window_seconds` later (the
    counter's expiry; incr keeps it). A window aligned to the clock would reset at every
    boundary and let a burst of twice the limit straddle it.
    """
    cache_key = f"ratelimit:{scope}:{key}"
    count_in_window = getattr(cache, "count_in_window", None)
    if count_in_window is not None:  # Redis: one round trip (storefront/redis_cache.py)
        return count_in_window(cache_key, window_seconds=window_seconds) <= limit
    if cache.add(cache_key, 1, timeout=window_seconds):
        return True
    try:
        return cache.incr(cache_key) <= limit
    except ValueError:  # the window closed between add and incr: this request opens the next
        cache.add(cache_key, 1, timeout=window_seconds)
        return True


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
            limit, window = settings.RATE_LIMITS[scope]
            if request.method in methods and not hit(
                scope=scope, key=client_ip(request), limit=limit, window_seconds=window
            ):
                return too_many_requests(request, retry_after=window)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
