"""The sandbox WSGI application: routing, authentication and the request log."""

from __future__ import annotations

import re
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from . import handlers, lifecycle
from .catalog import Catalog, get_catalog
from .config import SandboxConfig
from .http import Headers, HttpError, Request, Response, error_response
from .simulate import SimulateAction
from .store import Store
from .validation import Validator

REQUEST_LOG_SIZE = 500
Handler = Callable[..., Response]

ROUTES: tuple[tuple[str, re.Pattern[str], Handler], ...] = tuple(
    (method, re.compile(f"^{pattern}$"), handler)
    for method, pattern, handler in (
        ("GET", r"/v3/payment_vias", handlers.payment_vias),
        ("GET", r"/v2/brands", handlers.brands),
        ("GET", r"/v2/homepage", handlers.homepage),
        ("GET", r"/v5/products/country/(?P<country_code>[^/]+)", handlers.products),
        ("GET", r"/v4/products/price", handlers.price),
        ("POST", r"/v5/orders/validations", handlers.validate_order),
        ("POST", r"/v5/orders", handlers.create_order),
        ("GET", r"/v5/orders/(?P<order_id>[^/]+)", handlers.get_order),
        ("GET", r"/v5/orders/(?P<order_id>[^/]+)/subscribe", handlers.subscribe),
        ("GET", r"/api/available-countries", handlers.available_countries),
        ("POST", r"/sandbox/orders/(?P<order_id>[^/]+)/simulate", handlers.simulate),
        ("GET", r"/sandbox/requests", handlers.request_log),
        ("GET", r"/sandbox/request-counts", handlers.request_counts),
        ("GET", r"/logos/(?P<filename>[^/]+)", handlers.logo_file),
        ("GET", r"/barcodes/(?P<filename>[^/]+)", handlers.barcode_file),
    )
)

UNLOGGED_PATHS = frozenset({"/sandbox/requests", "/sandbox/request-counts"})


class SandboxApp:
    """A WSGI callable standing in for the Cryptorefills partner API."""

    def __init__(self, config: SandboxConfig, clock: Callable[[], float] = time.time):
        self.config = config
        self.clock = clock
        self.store = Store(config.db_path)
        self.catalog: Catalog = get_catalog()
        self.validator = Validator(self.catalog, self.store.spent_since, clock)
        self.request_log: list[tuple[str, str, Headers]] = []
        # Counts by "METHOD /path" since start, unbounded unlike the log, for benchmarks.
        self.request_counts: Counter[str] = Counter()

    def __call__(self, environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request.from_environ(environ)
        self._log(request)
        try:
            response = self.dispatch(request)
        except HttpError as error:
            response = error_response(error)
        except Exception:
            traceback.print_exc(file=environ.get("wsgi.errors"))
            response = error_response(HttpError(500, "INTERNAL_ERROR"))
        start_response(response.status_line, response.headers)
        return response.body

    def dispatch(self, request: Request) -> Response:
        """Call the handler of the request's route.

        The partner header is recorded (request_log) but not required: the live API answers
        without it, and a missing partner ID only loses the partner's commission.
        """
        path_matched = False
        for method, pattern, handler in ROUTES:
            match = pattern.match(request.path)
            if match is None:
                continue
            path_matched = True
            if method == request.method:
                return handler(self, request, **match.groupdict())
        if path_matched:
            raise HttpError(405, "METHOD_NOT_ALLOWED")
        raise HttpError(404, "NOT_FOUND", {"path": request.path})

    def _log(self, request: Request) -> None:
        if request.path in UNLOGGED_PATHS:
            return
        self.request_log.append((request.method, request.path_with_query, request.headers))
        self.request_counts[f"{request.method} {request.path}"] += 1
        # Trimming in place keeps the list object tests may hold a reference to.
        del self.request_log[:-REQUEST_LOG_SIZE]

    def _current_record(self, order_id: str):
        # Read first and take the write lock only when a transition is due: each open stream reads
        # its order a few times a second, and with the sandbox in process, in the shop's workers.
        record = self.store.get(order_id)
        if record is not None and lifecycle.is_due(record, self.clock()):
            record = self.store.update(order_id, lambda r: lifecycle.advance(r, self.clock(), self.config))
        return record

    def read_order(self, order_id: str) -> dict | None:
        """Return the order brought up to date (as answered), or None if unknown."""
        record = self._current_record(order_id)
        return lifecycle.public(record.doc) if record else None

    @contextmanager
    def order_watch(self, order_id: str) -> Iterator[Callable[[], dict | None]]:
        """Yield a reader of the order for its stream, as read_order answers it, that reads and
        parses the order only when its stored row changed or one of its transitions fell due (each
        commit to the file, for any order, would otherwise have every open stream re-read its own)."""
        with self.store.watch() as watch:
            seen: dict = {"version": None, "stamp": None, "due": None, "order": None}

            def read() -> dict | None:
                version, due = watch.version(), seen["due"]
                fell_due = due is not None and self.clock() >= due
                if version == seen["version"] and not fell_due:
                    return seen["order"]
                seen["version"] = version
                stamp = watch.stamp(order_id)
                if stamp == seen["stamp"] and not fell_due:
                    return seen["order"]
                record = self._current_record(order_id)
                transition = lifecycle.next_transition(record) if record else None
                seen.update(stamp=watch.stamp(order_id), due=transition[0] if transition else None,
                            order=lifecycle.public(record.doc) if record else None)
                return seen["order"]

            yield read

    def require_order(self, order_id: str) -> dict:
        """Return the order brought up to date, or fail with ORDER_NOT_FOUND."""
        doc = self.read_order(order_id)
        if doc is None:
            raise HttpError(404, "ORDER_NOT_FOUND", {"order_id": order_id})
        return doc

    def simulate(self, order_id: str, action: SimulateAction) -> dict:
        """Apply a simulated event to an order and return it (as answered)."""

        def change(record: Any) -> bool:
            lifecycle.simulate(record, action, self.clock(), self.config)
            return True

        try:
            record = self.store.update(order_id, change)
        except lifecycle.IllegalAction as error:
            raise HttpError(409, "ILLEGAL_ACTION", str(error)) from None
        if record is None:
            raise HttpError(404, "ORDER_NOT_FOUND", {"order_id": order_id})
        return lifecycle.public(record.doc)


def make_app(config: SandboxConfig, clock: Callable[[], float] = time.time) -> SandboxApp:
    """Return a sandbox WSGI app for this config."""
    return SandboxApp(config, clock)
