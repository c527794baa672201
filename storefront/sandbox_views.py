"""Views that forward to the sandbox upstream, so nothing in sandbox mode leaves the machine."""

from __future__ import annotations

import threading
from collections import OrderedDict

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from .upstream.factory import get_client

# A catalog page shows a few dozen logos in two formats and two sizes; keep the bytes of the
# recent ones in this process so a warm page costs the upstream nothing, within a fixed budget.
LOGO_CACHE_MAX_ITEMS = 512
LOGO_CACHE_MAX_BYTES = 16 * 1024 * 1024


class LogoCache:
    """A thread-safe LRU of logo files, bounded by count and by total size."""

    def __init__(self, *, max_items: int, max_bytes: int) -> None:
        self.max_items = max_items
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, filename: str) -> tuple[bytes, str] | None:
        """Return the cached logo and its content type, or None."""
        with self._lock:
            found = self._items.get(filename)
            if found is not None:
                self._items.move_to_end(filename)
            return found

    def put(self, filename: str, found: tuple[bytes, str]) -> None:
        """Keep a logo, evicting the least recently used ones beyond the budget."""
        size = len(found[0])
        if size > self.max_bytes:
            return
        with self._lock:
            previous = self._items.pop(filename, None)
            self._bytes -= len(previous[0]) if previous else 0
            self._items[filename] = found
            self._bytes += size
            while len(self._items) > self.max_items or self._bytes > self.max_bytes:
                _name, evicted = self._items.popitem(last=False)
                self._bytes -= len(evicted[0])

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)


logo_cache = LogoCache(max_items=LOGO_CACHE_MAX_ITEMS, max_bytes=LOGO_CACHE_MAX_BYTES)


def _image(found: tuple[bytes, str] | None, *, cache_control: str) -> HttpResponse:
    """Answer an image the sandbox drew, or 404 if it drew none."""
    if found is None:
        raise Http404("no such image")
    content, content_type = found
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = cache_control
    return response


@require_GET
def logo(request: HttpRequest, filename: str) -> HttpResponse:
    """Serve a brand logo drawn by the sandbox (`airbnb_300x190.webp`...), from memory when seen before."""
    found = logo_cache.get(filename)
    if found is None:
        # Unknown names are not remembered: they would push real logos out of the budget.
        found = get_client().sandbox_logo(filename=filename)
        if found is not None:
            logo_cache.put(filename, found)
    return _image(found, cache_control="public, max-age=86400")


@require_GET
def barcode(request: HttpRequest, filename: str) -> HttpResponse:
    """Serve a delivered code's barcode (`<delivery id>.png`) or an order's QR image (`qr-<order id>.png`).

    Not kept in memory and not cached by shared caches: each is seen on one order's page, and a
    barcode stands for a code as much as the code does.
    """
    return _image(get_client().sandbox_barcode(filename=filename), cache_control="private, no-store")
