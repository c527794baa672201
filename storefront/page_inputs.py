"""What a page's render read from the shared cache, so a kept copy of the page can be checked later.

A rendered page is only as current as the shared-cache values it was built from: the catalog
entries' stamps (storefront.upstream.cache) and flags such as a paused brand (catalog.pauses). While
a render is recorded, each such read notes the key, the value it saw and until when that value
counts as fresh; a kept copy of the page is good while every key still holds the value it saw and
none of them has reached its soft expiry (after which a fresh render is the one that refreshes it).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache

from .kept_in_memory import KeptInMemory


@dataclass
class RenderInputs:
    """The shared-cache reads of one render: key -> value seen, and when the first of them goes stale."""

    seen: dict[str, Any] = field(default_factory=dict)
    fresh_until: float = math.inf

    def note(self, key: str, value: Any, *, fresh_until: float = math.inf) -> None:
        if self.seen.setdefault(key, value) != value:
            fresh_until = 0.0  # the key changed during the render: the page mixes two versions
        self.fresh_until = min(self.fresh_until, fresh_until)


_recording: ContextVar[RenderInputs | None] = ContextVar("page_render_inputs", default=None)


@contextmanager
def recording() -> Iterator[RenderInputs]:
    """Record the shared-cache reads made inside the block."""
    inputs = RenderInputs()
    token = _recording.set(inputs)
    try:
        yield inputs
    finally:
        _recording.reset(token)


def note_read(key: str, value: Any, *, fresh_until: float = math.inf) -> None:
    """Note that the render under way read `value` from shared-cache `key` (fresh until `fresh_until`)."""
    inputs = _recording.get()
    if inputs is not None:
        inputs.note(key, value, fresh_until=fresh_until)


def note_failed_read() -> None:
    """Note that a read failed: the page shows what it shows for want of data, so it must not be kept."""
    inputs = _recording.get()
    if inputs is not None:
        inputs.fresh_until = 0.0


# A kept page found current less than this long ago is taken as current without asking the shared
# cache again: its inputs (the catalog's stamps, a brand's pause) are the same for every visitor,
# and one more round trip to Redis per answer cost more than the rest of a polled status answer.
# A process that writes such a value forgets its checks at once (forget_checks); the others see it
# within this long.
RECHECK_SECONDS = 1.0
MAX_CHECKS = 10_000
_checked: KeptInMemory[tuple, float] = KeptInMemory(MAX_CHECKS)  # reads -> when last found current


def forget_checks() -> None:
    """Make the next kept page of this process ask the shared cache again (a value just changed)."""
    _checked.clear()


def still_current(seen: tuple[tuple[str, Any], ...]) -> bool:
    """Return whether every shared-cache key read still holds the value seen (one round trip, at
    most once per RECHECK_SECONDS for the same reads)."""
    if not seen:
        return True
    now = time.monotonic()
    checked_at = _checked.get(seen)
    if checked_at is not None and now - checked_at < RECHECK_SECONDS:
        return True
    current = cache.get_many([key for key, _value in seen])
    fresh = all(current.get(key) == value for key, value in seen)
    if fresh:
        _checked.put(seen, now)
    return fresh


def kept_copy_is_current(kept) -> bool:
    """Return whether a kept render (its `inputs` and `fresh_until`) may still be answered."""
    return time.time() < kept.fresh_until and still_current(kept.inputs)


def read_so_far() -> str:
    """Return a digest of the shared-cache values read so far in this render ("" when none is recorded).

    A fragment cached under it ({% cache ... catalog_version %}) is never older than the data the
    rest of the page shows, so a kept page and a fresh one show the same fragment.
    """
    inputs = _recording.get()
    if inputs is None or not inputs.seen:
        return ""
    # Python's str hash differs between processes; so do the fragment caches (local memory).
    return str(hash(tuple(sorted((key, repr(value)) for key, value in inputs.seen.items()))))
