"""Who the shopper is, as the upstream must be told: taken from the request, never from the server."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from .client import EndUser


def client_ip(request: HttpRequest) -> str:
    """Return the shopper's IP: REMOTE_ADDR, or the address the trusted proxies saw.

    X-Forwarded-For is only believed for as many hops as there are trusted proxies in front of
    the shop; otherwise any client could make the upstream blame someone else's address.
    """
    trusted = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"
    if trusted <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < trusted:
        return remote
    return hops[-trusted]


def end_user_from_request(request: HttpRequest, *, country_code: str = "") -> EndUser:
    """Return the end user a call made for this request speaks for."""
    return EndUser(
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:512],
        country_code=country_code,
    )
