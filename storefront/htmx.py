"""Rendering a page or, for htmx, its named partial: one spelling for the whole shop.

As in the django-htmx example app, one view serves the page and, for `request.htmx`, the partial of
the same template (`"orders/detail.html#status"`). A history restore asks for the whole page even
though it comes from htmx. Caches must keep the two answers apart, hence `Vary: HX-Request`.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

# htmx stops polling an element whose answer has this status (django_htmx's HttpResponseStopPolling).
STOP_POLLING = 286


def wants_partial(request: HttpRequest) -> bool:
    """Return whether this request asks for a fragment rather than the whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def render_page(
    request: HttpRequest, template: str, context: dict, *, partial: str, status: int = 200,
    stop_polling: bool = False,
) -> HttpResponse:
    """Render `template`, or only its `partial` for htmx (with status 286 when polling should stop)."""
    fragment = wants_partial(request)
    response = render(request, f"{template}#{partial}" if fragment else template, context, status=status)
    if fragment and stop_polling:
        response.status_code = STOP_POLLING
    patch_vary_headers(response, ("HX-Request",))
    return response
