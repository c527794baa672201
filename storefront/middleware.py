"""Turn upstream failures that reach the top of a view into an honest 503 page, never a 500."""

from django.http import HttpRequest, HttpResponse
from django.utils.deprecation import MiddlewareMixin

from .upstream.errors import UpstreamError
from .views import upstream_unavailable


class UpstreamErrorMiddleware(MiddlewareMixin):
    # MiddlewareMixin is sync- and async-capable, so under ASGI this adds no thread hop.

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, UpstreamError):
            return upstream_unavailable(request)
        return None
