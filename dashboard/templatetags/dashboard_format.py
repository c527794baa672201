"""How the dashboard writes durations and latencies, in the staff's language."""

from datetime import timedelta

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """Return "2 h 5 min", "12 min" or "40 s" ("—" when there is nothing to measure)."""
    if value is None:
        return "—"
    seconds = max(0, int(value.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    if minutes:
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("%(seconds)d s") % {"seconds": seconds}


@register.filter
def milliseconds(seconds: float | None) -> str:
    """Return a latency in whole milliseconds ("—" when there is none)."""
    if seconds is None:
        return "—"
    return _("%(ms)s ms") % {"ms": number_format(round(seconds * 1000), use_l10n=True, force_grouping=True)}


@register.filter
def share(value: float | None) -> str:
    """Return a share as a whole percentage ("—" for none)."""
    if value is None:
        return "—"
    return _("%(percent)s %%") % {"percent": number_format(round(value * 100))}
