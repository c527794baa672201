"""The polled status fragment, rendered once per version of the order and kept in this process.

Every open payment page polls its order's status; until the order moves, each poll renders the same
HTML. What the fragment shows is a function of the order's row, the language, the clock (the time
left to pay as the page words it, whether the window closed, whether the order still updates), the
sandbox switch, whether this server streams, and the shared-cache values its context reads (the
payment vias behind the wallet link). So a kept fragment is keyed by all of that, its shared-cache
reads are checked as a kept catalog page's are (storefront.page_inputs), and a poll that finds one
neither builds the context nor renders. An order showing its delivered codes is always rendered,
so no code is kept in memory.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.timesince import timeuntil

from storefront import page_inputs
from storefront.htmx import STOP_POLLING, render_page, wants_partial
from storefront.kept_in_memory import KeptInMemory

from .models import Order
from .services import keeps_updating
from .states import OrderState

TEMPLATE = "orders/detail.html"
PARTIAL = "status"
MAX_FRAGMENTS = 1000


@dataclass(frozen=True)
class KeptFragment:
    content: bytes
    status: int
    inputs: tuple[tuple[str, Any], ...]
    fresh_until: float


_fragments: KeptInMemory[tuple, KeptFragment] = KeptInMemory(MAX_FRAGMENTS)


def forget_fragments() -> None:
    """Drop every kept fragment of this process (tests call this)."""
    _fragments.clear()


def _time_left_as_worded(expires_at, now) -> object:
    """Return what decides the words |timeuntil gives the time left: below a day, the whole minutes
    (it words hours and minutes of the seconds left); otherwise the words themselves, which cost
    ten times as much to find."""
    left = expires_at - now
    if timedelta(0) < left < timedelta(days=1):
        return left // timedelta(minutes=1)
    return timeuntil(expires_at)


def fragment_key(order: Order, *, streams: bool) -> tuple | None:
    """Return what the order's status fragment is rendered from, or None when it is never kept."""
    if order.state == OrderState.DONE:
        return None
    now = timezone.now()
    return (
        translation.get_language(),
        settings.SANDBOX_MODE,
        streams,
        keeps_updating(order, now=now),
        bool(order.expires_at and order.expires_at <= now),
        # The time left to pay, on the clock the template's |timeuntil filter reads.
        _time_left_as_worded(order.expires_at, now) if order.expires_at else "",
        tuple(getattr(order, field.attname) for field in Order._meta.concrete_fields),
    )


def _find(key: tuple) -> KeptFragment | None:
    return _fragments.get(key, still_good=page_inputs.kept_copy_is_current)


def _run_context_processors(request: HttpRequest) -> None:
    # A render runs them, and what they read (the session, for the country) shapes the answer's
    # headers (Vary: Cookie): a kept answer reads the same.
    for processor in engines["django"].engine.template_context_processors:
        processor(request)


def _answer(request: HttpRequest, kept: KeptFragment) -> HttpResponse:
    _run_context_processors(request)
    response = HttpResponse(kept.content, status=kept.status)
    patch_vary_headers(response, ("HX-Request",))
    return response


def render_status(request: HttpRequest, order: Order, *, streams: bool,
                  context: Callable[[], dict]) -> HttpResponse:
    """Render the order page, or for htmx its status fragment (from a kept copy when one fits).

    `context` builds the page's context; `streams` says whether this server streams order events.
    """
    key = fragment_key(order, streams=streams) if wants_partial(request) else None
    kept = _find(key) if key is not None else None
    if kept is not None:
        return _answer(request, kept)
    with page_inputs.recording() as inputs:
        values = context()
        response = render_page(request, TEMPLATE, values, partial=PARTIAL, stop_polling=not values["live"])
    if (
        key is not None
        and response.status_code in (200, STOP_POLLING)
        and inputs.fresh_until > time.time()
        # The clock may have turned a minute during the render: keep only what the key describes.
        and fragment_key(order, streams=streams) == key
    ):
        fragment = KeptFragment(content=response.content, status=response.status_code,
                                inputs=tuple(inputs.seen.items()), fresh_until=inputs.fresh_until)
        _fragments.put(key, fragment)
    return response
