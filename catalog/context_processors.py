"""Template context of every page: the country the shopper is browsing."""

from __future__ import annotations

from django.http import HttpRequest

from .choice import preferred_country
from .countries import find_country


def country(request: HttpRequest) -> dict:
    """Return the current country: the one in the URL, else the shopper's kept choice or guess."""
    match = getattr(request, "resolver_match", None)
    in_url = find_country(match.kwargs.get("cc")) if match is not None else None
    return {"current_country": in_url or preferred_country(request)}
