"""The cart's item count for the header, read from the session without touching the upstream."""

from django import template

from checkout.cart import count_deliveries, get_cart

register = template.Library()


@register.simple_tag(takes_context=True)
def cart_count(context) -> int:
    """Return how many deliveries the current session's cart holds."""
    request = context.get("request")
    session = getattr(request, "session", None)
    return count_deliveries(get_cart(session)) if session is not None else 0
