"""Operational endpoints and the shop's error pages."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
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
