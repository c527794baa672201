"""A bounded map in this process's memory, for rendered pages and decoded cache entries.

The least recently used entry goes first once the map is full; reads and writes may come from
several threads (the hub's pool threads beside a worker's pages).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class KeptInMemory(Generic[K, V]):
    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K, *, still_good: Callable[[V], bool] | None = None) -> V | None:
        """Return the entry under `key`, or None; one that is no longer `still_good` is dropped."""
        value = self._entries.get(key)
        if value is None:
            return None
        if still_good is not None and not still_good(value):
            with self._lock:
                if self._entries.get(key) is value:  # not one another thread just put there
                    del self._entries[key]
            return None
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
