"""What the shopper reads for the upstream's kinds and category slugs ("e-sim" -> "eSIMs")."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

KIND_LABELS = {
    "giftcard": _("Gift cards"),
    "mobile_recharge": _("Mobile top-ups"),
    "esim": _("eSIMs"),
}

# The upstream names a category by a slug only; the known ones get a translated name.
CATEGORY_LABELS = {
    "e-commerce": _("Online shopping"),
    "e-sim": _("eSIMs"),
    "entertainment": _("Entertainment"),
    "gaming": _("Gaming"),
    "phone-refills": _("Mobile top-ups"),
    "electronics": _("Electronics"),
    "books_learning": _("Books and learning"),
    "food": _("Food and drink"),
    "travel": _("Travel"),
    "fashion": _("Fashion"),
    "music": _("Music"),
    "streaming": _("Streaming"),
    "home": _("Home and garden"),
    "health_beauty": _("Health and beauty"),
    "sports": _("Sports"),
}


def kind_label(kind: str) -> str:
    """Return the shopper-facing name of a kind of product (the raw kind for an unknown one)."""
    return str(KIND_LABELS.get(kind, kind))


def category_label(slug: str) -> str:
    """Return the readable name of a category slug: translated when known, else humanized."""
    known = CATEGORY_LABELS.get(slug)
    if known is not None:
        return str(known)
    words = " ".join(slug.replace("_", " ").replace("-", " ").split())
    return words[:1].upper() + words[1:]
