"""The shopper's country: a first guess from the request, and the choice kept across visits."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation.trans_real import parse_accept_lang_header

from .countries import DEFAULT_COUNTRY, Country, find_country

SESSION_KEY = "country"
COOKIE_NAME = "country"
COOKIE_MAX_AGE = 365 * 24 * 60 * 60
# Request headers a CDN or proxy may set with the visitor's country, most specific first.
COUNTRY_HEADERS = ("HTTP_X_COUNTRY_ISO_CODE", "HTTP_CF_IPCOUNTRY")


def guess_country(request: HttpRequest) -> Country:
    """Return the country this request most likely comes from (US when nothing says otherwise)."""
    for header in COUNTRY_HEADERS:
        # Cloudflare sends XX (unknown) and T1 (Tor): find_country refuses both.
        country = find_country(request.META.get(header, "").strip())
        if country:
            return country
    for language, _quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")[:500]):
        # The region is the two-letter subtag after the language: en-GB, zh-Hans-CN.
        regions = [tag for tag in language.split("-")[1:] if len(tag) == 2]
        country = find_country(regions[0]) if regions else None
        if country:
            return country
    return find_country(DEFAULT_COUNTRY)


def kept_country(request: HttpRequest) -> Country | None:
    """Return the country the shopper chose before (session first, then the long-lived cookie)."""
    session = getattr(request, "session", None)
    chosen = session.get(SESSION_KEY) if session is not None else None
    return find_country(chosen) or find_country(request.COOKIES.get(COOKIE_NAME))


def preferred_country(request: HttpRequest) -> Country:
    """Return the kept choice, else the guess."""
    return kept_country(request) or guess_country(request)


def keep_country(request: HttpRequest, response: HttpResponse, *, country: Country) -> None:
    """Remember the shopper's choice in the session and in a cookie that outlives it."""
    request.session[SESSION_KEY] = country.code
    response.set_cookie(COOKIE_NAME, country.code, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True,
                        secure=settings.SESSION_COOKIE_SECURE)
