"""Readiness: whether this process can serve shoppers now (database, cache, upstream), for the balancer.

/healthz stays the cheap liveness answer. /readyz asks the database and the cache on every call, and
the upstream at most once per READYZ_UPSTREAM_SECONDS per process, so a balancer probing every
second does not turn into upstream traffic.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache

from .upstream.client import EndUser
from .upstream.errors import UpstreamError
from .upstream.factory import get_client

logger = logging.getLogger(__name__)
# The probe speaks for nobody: a documentation address (RFC 5737) and its own user agent.
PROBE_END_USER = EndUser(ip="192.0.2.1", user_agent="storefront-readyz")

_upstream_memo: dict[str, tuple[float, bool]] = {}
_upstream_lock = threading.Lock()


def check_database() -> bool:
    """Return whether the database answers a query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def check_cache() -> bool:
    """Return whether the shared cache keeps and returns a value."""
    key, value = "readyz:probe", secrets.token_hex(8)
    cache.set(key, value, timeout=10)
    return cache.get(key) == value


def check_upstream() -> bool:
    """Return whether the upstream answered the payment vias, asking it at most once per interval."""
    now = time.monotonic()
    memo = _upstream_memo.get("upstream")
    if memo is not None and now - memo[0] < settings.READYZ_UPSTREAM_SECONDS:
        return memo[1]
    with _upstream_lock:
        memo = _upstream_memo.get("upstream")
        if memo is not None and now - memo[0] < settings.READYZ_UPSTREAM_SECONDS:
            return memo[1]
        try:
            get_client().payment_vias(end_user=PROBE_END_USER)
            healthy = True
        except UpstreamError as exc:
            logger.warning("readyz: the upstream did not answer: %s", exc)
            healthy = False
        _upstream_memo["upstream"] = (time.monotonic(), healthy)
    return healthy


def forget_upstream_check() -> None:
    """Drop the remembered upstream answer (tests that take the upstream down call this)."""
    _upstream_memo.clear()


CHECKS: dict[str, Callable[[], bool]] = {
    "database": check_database,
    "cache": check_cache,
    "upstream": check_upstream,
}


def _run(check: Callable[[], bool]) -> bool:
    try:
        return check()
    except Exception as exc:  # any failure of a dependency is "not ready", named, never a 500
        logger.warning("readyz: %s failed: %s", check.__name__, exc)
        return False


@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    """Answer 200 when the database, the cache and the upstream work, else 503 naming what failed."""
    results = {name: "ok" if _run(check) else "failed" for name, check in CHECKS.items()}
    failed = [name for name, result in results.items() if result != "ok"]
    body = {"status": "unavailable" if failed else "ready", "failed": failed, "checks": results}
    return HttpResponse(json.dumps(body), status=503 if failed else 200, content_type="application/json")
