"""The polled status fragment, rendered once per version of what it shows and kept in this process.

Every open payment page polls its order's status; until the order moves, each poll renders the same
HTML. The fragment is kept keyed by everything it is rendered from: every value of its context (the
order's whole row, so any change to it is a new key; the payment card's amounts, QR code and link),
the language, and what follows the clock (the time left to pay, read as the page words it). A
context value of a kind not known here makes the fragment be rendered every time rather than kept
under a key that might miss a change. An order showing its delivered codes is always rendered, so
no code is kept in memory.
"""

from __future__ import annotations

import dataclasses
import datetime
import threading
from collections import OrderedDict
from decimal import Decimal

from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.functional import Promise
from django.utils.timesince import timeuntil

from storefront.htmx import STOP_POLLING, render_page, wants_partial

from .states import OrderState

TEMPLATE = "orders/detail.html"
PARTIAL = "status"
MAX_FRAGMENTS = 1000
# Read by the template only when the order is Done, which is never kept.
NOT_SHOWN_BEFORE_DONE = frozenset({"items"})
_PLAIN = (str, int, float, bool, Decimal, datetime.date, datetime.time, type(None))

_fragments: OrderedDict[tuple, bytes] = OrderedDict()
_fragments_lock = threading.Lock()


class _Unknown(Exception):
    """A context value this module cannot turn into a key."""


def forget_fragments() -> None:
    """Drop every kept fragment of this process (tests call this)."""
    with _fragments_lock:
        _fragments.clear()


def _plain(value):
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, _PLAIN):
        return (type(value).__name__, value)
    if isinstance(value, Model):
        return (type(value).__name__, tuple(getattr(value, f.attname) for f in value._meta.concrete_fields))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return (type(value).__name__, tuple(_plain(getattr(value, f.name)) for f in fields))
    if isinstance(value, list | tuple):
        return tuple(_plain(each) for each in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _plain(v)) for k, v in value.items()))
    raise _Unknown(type(value).__name__)


def fragment_key(context: dict) -> tuple | None:
    """Return the key of the fragment this context renders, or None when it must be rendered every time."""
    order = context["order"]
    if order.state == OrderState.DONE:
        return None
    # The page's "time left to pay", on the clock its |timeuntil filter reads.
    clock = timeuntil(order.expires_at) if order.expires_at else ""
    try:
        values = tuple(
            (name, _plain(value)) for name, value in sorted(context.items())
            if name != "now" and name not in NOT_SHOWN_BEFORE_DONE
        )
    except _Unknown:
        return None
    return (translation.get_language(), clock, values)


def _run_context_processors(request: HttpRequest) -> None:
    # A render runs them, and what they read (the session, for the country) shapes the answer's
    # headers (Vary: Cookie): a kept answer reads the same.
    for processor in engines["django"].engine.template_context_processors:
        processor(request)


def render_status(request: HttpRequest, context: dict, *, stop_polling: bool) -> HttpResponse:
    """Render the order page, or for htmx its status fragment, from a kept copy when one fits."""
    key = fragment_key(context) if wants_partial(request) else None
    if key is None:
        return render_page(request, TEMPLATE, context, partial=PARTIAL, stop_polling=stop_polling)
    content = _fragments.get(key)
    if content is None:
        response = render_page(request, TEMPLATE, context, partial=PARTIAL, stop_polling=stop_polling)
        # The clock may have turned a minute during the render: keep only what the key describes.
        if response.status_code in (200, STOP_POLLING) and fragment_key(context) == key:
            with _fragments_lock:
                _fragments[key] = response.content
                while len(_fragments) > MAX_FRAGMENTS:
                    _fragments.popitem(last=False)
        return response
    _run_context_processors(request)
    response = HttpResponse(content, status=STOP_POLLING if stop_polling else 200)
    patch_vary_headers(response, ("HX-Request",))
    return response
