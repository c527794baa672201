"""django-redis's default client, keeping one `redis.Redis` per server for the whole process.

django-redis already keeps one connection pool per process, but Django builds a cache object for
every ASGI request, and each builds a new `redis.Redis` over that pool: about 200 µs for its table of
response callbacks, more than the GETs of a warm page. A `redis.Redis` over a shared pool is
thread-safe, so every request of the process can use the same one.
"""

from __future__ import annotations

import threading

from django_redis.client import DefaultClient

_process_clients: dict[tuple[str, str], object] = {}
_process_clients_lock = threading.Lock()


class ProcessRedisClient(DefaultClient):
    """The client behind CACHE_URL=redis://…: its `redis.Redis` objects are shared by the process."""

    def connect(self, index: int = 0):
        identity = (self._server[index], repr(sorted(self._options.items())))
        with _process_clients_lock:
            client = _process_clients.get(identity)
            if client is None:
                client = _process_clients[identity] = super().connect(index)
        return client
