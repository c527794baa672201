"""Where the shopper goes after choosing a country."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest, QueryDict
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from .countries import Country

# Pages that exist for every country: after a change of country the shopper stays on the same one.
PER_COUNTRY_PAGES = ("catalog:home", "catalog:brands")


def safe_next(request: HttpRequest, next_url: str) -> str:
    """Return `next_url` if it is a path on this site, else an empty string."""
    if next_url and next_url.startswith("/") and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return ""


def country_destination(*, next_url: str, country: Country) -> str:
    """Return the page to show after choosing `country`, given the page the shopper came from."""
    home = reverse("catalog:home", kwargs={"cc": country.slug})
    if not next_url:
        return home
    parts = urlsplit(next_url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return home
    if match.view_name == "catalog:brands":
        # Search words and kind carry over; a category may not exist elsewhere, so it is dropped.
        query = QueryDict(parts.query, mutable=True)
        for key in ("page", "category"):
            query.pop(key, None)
        path = reverse("catalog:brands", kwargs={"cc": country.slug})
        return f"{path}?{query.urlencode()}" if query else path
    if match.view_name in PER_COUNTRY_PAGES or match.namespace == "catalog":
        return home
    # Pages outside the catalog (the cart, an order) do not depend on the country.
    return next_url
