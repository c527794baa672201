"""Make the upstream's HTML safe to show: descriptions, terms and redeem instructions."""

from __future__ import annotations

import nh3
from django.utils.safestring import SafeString, mark_safe

# What a redeem text or a brand description needs: structure, emphasis, lists, tables and links.
ALLOWED_TAGS = frozenset({
    "a", "b", "br", "em", "h3", "h4", "h5", "i", "li", "ol", "p", "small", "span", "strong",
    "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def sanitize_html(html: str | None) -> SafeString:
    """Return the upstream's HTML with scripts, styles, handlers and foreign tags removed.

    Links keep only http(s) and mailto targets and open with rel="noopener noreferrer nofollow",
    so nothing the upstream sends can run in the shop's pages or leak an order URL.
    """
    if not html:
        return mark_safe("")
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return mark_safe(cleaned.strip())  # noqa: S308 - nh3 has just removed everything unsafe
