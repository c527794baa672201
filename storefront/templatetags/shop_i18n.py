"""Template helpers for the language switcher."""

from django import template

from storefront.i18n import strip_language_prefix

register = template.Library()


@register.simple_tag(takes_context=True)
def page_path_without_language(context) -> str:
    """Return the current page's path and query string without the language prefix.

    `set_language` resolves its `next` with English active, so only the unprefixed path resolves
    there and gets translated into the chosen language; a prefixed one would come back unchanged.
    """
    request = context.get("request")
    if request is None:
        return "/"
    return strip_language_prefix(request.get_full_path())
