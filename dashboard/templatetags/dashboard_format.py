"""How the dashboard writes durations, latencies and shares.

With SI symbols (h, min, s, ms, %), which staff read the same in English, Spanish and Chinese;
the numbers follow the active language's notation.
"""

from datetime import timedelta

from django import template
from django.utils.formats import number_format

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
        return f"{number_format(hours, force_grouping=True)} h {minutes} min"
    if minutes:
        return f"{minutes} min"
    return f"{seconds} s"


@register.filter
def milliseconds(seconds: float | None) -> str:
    """Return a latency in whole milliseconds ("—" when there is none)."""
    if seconds is None:
        return "—"
    return f"{number_format(round(seconds * 1000), force_grouping=True)} ms"


@register.filter
def share(value: float | None) -> str:
    """Return a share as a whole percentage ("—" for none)."""
    if value is None:
        return "—"
    return f"{number_format(round(value * 100))} %"
