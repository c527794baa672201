"""Rendered catalog pages kept in this process's memory, answered again without rendering.

A kept page is keyed by everything its render read from the request: the path and query, the
language, the htmx headers, the session's contents (the cart, the coin, the kept country) and the
cookies. Two visitors share a copy only when all of that is the same, so no one sees another's
state. The one per-visitor value a page carries whatever the key, the CSRF token, is rendered as a
placeholder and each answer gets the visitor's own token, as a fresh render would.

A page is never kept when it is anything but a plain 200 the view would give anyone with the same
key: a signed-in user's, one with flash messages, one whose view wrote the session or set a
cookie, or one built from a failed or stale upstream read. A kept page lives as long as the cached
catalog it was built from (storefront.page_inputs): it is dropped once any shared-cache value it
read has changed or reached its soft expiry, so the next request renders it and refreshes the data.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

from . import page_inputs
from .kept_in_memory import KeptInMemory

MAX_PAGES = 1000
# Stands in for the visitor's CSRF token in a rendered page: unguessable, letters and digits only,
# so HTML escaping leaves it alone.
CSRF_PLACEHOLDER = "csrfplaceholder" + secrets.token_hex(24)
_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()
RENDERING_WITH_PLACEHOLDER = "_page_cache_placeholder"
# Session keys that make a page personal beyond what its key says: a signed-in user, stored messages.
PERSONAL_SESSION_KEYS = ("_auth_user_id", "_messages")
# Headers the view set that a kept answer repeats; the middleware adds the rest on every answer.
DROPPED_HEADERS = {"content-length"}


@dataclass(frozen=True)
class KeptPage:
    """One rendered answer, its CSRF token left as the placeholder."""

    status: int
    headers: tuple[tuple[str, str], ...]
    content: bytes
    uses_csrf_token: bool
    inputs: tuple[tuple[str, Any], ...]
    fresh_until: float


_pages: KeptInMemory[tuple, KeptPage] = KeptInMemory(MAX_PAGES)


def forget_pages() -> None:
    """Drop every kept page of this process (tests call this)."""
    _pages.clear()


def csrf_placeholder(request: HttpRequest) -> dict:
    """Context processor: while a page is rendered to be kept, its CSRF token is the placeholder."""
    if getattr(request, RENDERING_WITH_PLACEHOLDER, False):
        return {"csrf_token": CSRF_PLACEHOLDER}
    return {}


def visitor_key(request: HttpRequest, view_name: str) -> tuple | None:
    """Return what the page's render may depend on, or None when it must be rendered for this visitor."""
    if request.method != "GET" or CookieStorage.cookie_name in request.COOKIES:
        return None
    session = dict(request.session.items())
    if any(key in session for key in PERSONAL_SESSION_KEYS):
        return None
    own_cookies = (settings.CSRF_COOKIE_NAME, settings.SESSION_COOKIE_NAME)
    cookies = tuple(sorted((name, value) for name, value in request.COOKIES.items()
                           if name not in own_cookies))
    htmx = tuple(sorted((name, value) for name, value in request.META.items() if name.startswith("HTTP_HX_")))
    return (
        view_name,
        request.scheme,
        request.META.get("HTTP_HOST", ""),
        request.get_full_path(),
        translation.get_language(),
        htmx,
        cookies,
        repr(sorted(session.items())),
    )


def _find(key: tuple) -> KeptPage | None:
    return _pages.get(key, still_good=page_inputs.kept_copy_is_current)


def _keep(key: tuple, page: KeptPage) -> None:
    _pages.put(key, page)


def _keepable(request: HttpRequest, response: HttpResponse, inputs: page_inputs.RenderInputs,
              token_used_before: bool) -> KeptPage | None:
    """Return the response as a page to keep, or None if it is personal, not a 200, or not current."""
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or request.session.modified
        or token_used_before
        # Someone asked for the real token, not the placeholder: this page carries it.
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or getattr(request, "_messages", None) is not None and request._messages._queued_messages
        or inputs.fresh_until <= time.time()
    ):
        return None
    return KeptPage(
        status=response.status_code,
        headers=tuple((k, v) for k, v in response.headers.items() if k.lower() not in DROPPED_HEADERS),
        content=response.content,
        uses_csrf_token=_PLACEHOLDER_BYTES in response.content,
        inputs=tuple(inputs.seen.items()),
        fresh_until=min(inputs.fresh_until, time.time() + settings.CATALOG_CACHE_SOFT_SECONDS),
    )


def _with_own_token(request: HttpRequest, content: bytes) -> bytes:
    # get_token also has the CSRF middleware send the cookie, as a render using the token would.
    return content.replace(_PLACEHOLDER_BYTES, get_token(request).encode())


def _answer(request: HttpRequest, kept: KeptPage) -> HttpResponse:
    content = _with_own_token(request, kept.content) if kept.uses_csrf_token else kept.content
    response = HttpResponse(content, status=kept.status)
    for name, value in kept.headers:
        response[name] = value
    return response


def keep_rendered_page(view_name: str):
    """Answer the decorated GET view from a kept render for the visitor's key, else render it and keep it."""

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            key = visitor_key(request, view_name)
            if key is None:
                return view(request, *args, **kwargs)
            kept = _find(key)
            if kept is not None:
                return _answer(request, kept)
            token_used_before = bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
            setattr(request, RENDERING_WITH_PLACEHOLDER, True)
            try:
                with page_inputs.recording() as inputs:
                    response = view(request, *args, **kwargs)
            finally:
                setattr(request, RENDERING_WITH_PLACEHOLDER, False)
            page = _keepable(request, response, inputs, token_used_before)
            if page is not None:
                _keep(key, page)
            if not response.streaming and _PLACEHOLDER_BYTES in response.content:
                response.content = _with_own_token(request, response.content)
            return response

        return wrapper

    return decorate
