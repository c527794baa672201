"""Operational endpoints and the shop's error pages."""

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Answer that the process is up, without touching the upstream."""
    return HttpResponse(b"ok", content_type="text/plain")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Render the shop's 404 page."""
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Render the shop's 500 page without touching the database or the upstream."""
    return render(request, "errors/500.html", status=500)


def upstream_unavailable(request: HttpRequest) -> HttpResponse:
    """Render the honest page for when the partner API is down and nothing is cached."""
    response = render(request, "errors/503.html", status=503)
    response["Retry-After"] = "30"
    return response


@never_cache
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Render the shop's page for a form whose security token expired or whose cookies were refused.

    The way back is the page the form was on: the browser's history brings it back with what was
    typed (static/js/errors.js); without JavaScript the link opens that page afresh.
    """
    referer = request.META.get("HTTP_REFERER", "")
    same_site = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    context = {
        "back_url": referer if same_site else "",
        "cookies_refused": reason == REASON_NO_CSRF_COOKIE,
    }
    return render(request, "errors/403_csrf.html", context, status=403)
