"""The `upstream_html` filter: the upstream's HTML, sanitized, for templates."""

from django import template

from storefront.sanitize import sanitize_html

register = template.Library()
register.filter("upstream_html", sanitize_html)
