"""The first guess of the shopper's language: an English (unprefixed) page redirects to their own.

With `prefix_default_language=False`, Django's LocaleMiddleware serves every unprefixed path in
English and never redirects. A shopper whose language cookie (their choice in the switcher) or,
failing that, whose `Accept-Language` names Spanish or Chinese is sent to the same page under
`/es/` or `/zh-hans/`. Choosing English in the switcher sets the cookie to `en`, so the English
pages stay reachable for everyone.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import get_script_prefix, get_urlconf, is_valid_path
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.deprecation import MiddlewareMixin

from .i18n import with_language_prefix

GUESSED = "_language_guess_considered"


def preferred_language(request: HttpRequest) -> str:
    """Return the shop language the shopper prefers: their kept choice, else their browser's."""
    return translation.get_language_from_request(request, check_path=False)


def guessed_location(request: HttpRequest) -> str | None:
    """Return where to send a shopper who landed on an English page in another language, or None."""
    if request.method not in ("GET", "HEAD") or request.headers.get("HX-Request"):
        return None  # A form post or an htmx fragment is answered as asked.
    if translation.get_language_from_path(request.path_info) is not None:
        return None  # The URL names its language: it wins.
    language = preferred_language(request)
    if language == settings.LANGUAGE_CODE:
        return None
    target = with_language_prefix(request.path_info, language)
    with translation.override(language):
        # Only shopper pages live under a language prefix; /healthz, /admin/, /api/ do not.
        if not is_valid_path(target, getattr(request, "urlconf", None) or get_urlconf()):
            return None
    query = request.META.get("QUERY_STRING", "")
    return get_script_prefix().rstrip("/") + target + (f"?{query}" if query else "")


class LanguageGuessMiddleware(MiddlewareMixin):
    # After LocaleMiddleware; MiddlewareMixin is sync- and async-capable (no thread hop under ASGI).

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        if translation.get_language_from_path(request.path_info) is None:
            setattr(request, GUESSED, True)
        location = guessed_location(request)
        return HttpResponseRedirect(location) if location else None

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if getattr(request, GUESSED, False):
            # The same unprefixed URL answers differently by cookie and header: caches must know.
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response
