"""Cached reads of the partner API: fresh until a soft expiry, then refreshed by one request while
the others keep the stale copy; on upstream failure the stale copy is served until the hard expiry.

The shared cache (local memory, or Redis across processes) holds each value with a small stamp
beside it. Each process keeps its own decoded copy of recent values, so a warm read costs one small
stamp lookup instead of decoding the whole value: a 5,000-brand catalog costs a page no more than
a 50-brand one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache

from storefront.kept_in_memory import KeptInMemory
from storefront.metrics import count_cache_read
from storefront.page_inputs import note_failed_read, note_read

from .errors import UpstreamError

logger = logging.getLogger(__name__)
T = TypeVar("T")
LOCK_SECONDS = 30
MEMO_SIZE = 512

Entry = tuple[float, Any]
_memo: KeptInMemory[str, Entry] = KeptInMemory(MEMO_SIZE)


def _remember(cache_key: str, entry: Entry) -> None:
    _memo.put(cache_key, entry)


def forget_memo() -> None:
    """Drop this process's decoded copies (tests that edit the shared cache call this)."""
    _memo.clear()


def _read(cache_key: str) -> Entry | None:
    """Return (fetched_at, value) from this process's copy when its stamp is current, else the cache."""
    stamp = cache.get(f"{cache_key}:stamp")
    if stamp is None:
        return None
    memo = _memo.get(cache_key)
    if memo is not None and memo[0] == stamp:
        return memo
    entry = cache.get(cache_key)
    if entry is None or entry[0] != stamp:
        return None
    _remember(cache_key, entry)
    return entry


def _write(cache_key: str, value: Any, hard_seconds: int) -> Entry:
    entry = (time.time(), value)
    # The value first: a reader that sees the new stamp must find the value it stamps.
    cache.set(cache_key, entry, timeout=hard_seconds)
    cache.set(f"{cache_key}:stamp", entry[0], timeout=hard_seconds)
    _remember(cache_key, entry)
    return entry


def _note(cache_key: str, entry: Entry, soft: int) -> None:
    # A page kept from this render (storefront.page_cache) is good while the stamp stays and is fresh.
    note_read(f"{cache_key}:stamp", entry[0], fresh_until=entry[0] + soft)


def cached_upstream_read(key: str, fetch: Callable[[], T], *, soft_seconds: int | None = None,
                         hard_seconds: int | None = None) -> T:
    """Return the cached value of `key`, calling `fetch` when it is missing or past its soft expiry.

    Raises the upstream's error only when nothing usable is cached.
    """
    soft = settings.CATALOG_CACHE_SOFT_SECONDS if soft_seconds is None else soft_seconds
    hard = settings.CATALOG_CACHE_HARD_SECONDS if hard_seconds is None else hard_seconds
    cache_key = f"upstream:{key}"
    entry = _read(cache_key)
    if entry is not None:
        _note(cache_key, entry, soft)
        fetched_at, value = entry
        if time.time() - fetched_at < soft:
            count_cache_read("fresh")
            return value
        count_cache_read("stale")
        # Past the soft expiry: only the request that wins the lock refreshes.
        if not cache.add(f"{cache_key}:refreshing", 1, timeout=LOCK_SECONDS):
            return value
        try:
            value = fetch()
        except UpstreamError:
            logger.warning("upstream refresh of %s failed; serving the stale copy", key, exc_info=True)
            cache.delete(f"{cache_key}:refreshing")
            return entry[1]
        _note(cache_key, _write(cache_key, value, hard), soft)
        cache.delete(f"{cache_key}:refreshing")
        return value
    count_cache_read("miss")
    try:
        value = fetch()
    except BaseException:
        note_failed_read()
        raise
    _note(cache_key, _write(cache_key, value, hard), soft)
    return value
