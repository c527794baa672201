"""Log lines a machine can search: one JSON object per event (LOG_FORMAT=json), each request's id,
the order reference and upstream endpoint a line is about, and nothing a log must not hold.

Every line, JSON or text, passes redact(): e-mail addresses keep their first letter and domain,
the partner ID and order URL tokens are replaced, delivered-code fields are blanked. The shop never
logs a delivered code on purpose; this is the net under that rule.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from asgiref.sync import iscoroutinefunction, markcoroutinefunction

request_id: ContextVar[str] = ContextVar("request_id", default="")

EMAIL = re.compile(r"([A-Za-z0-9])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
# Order URLs carry a 256-bit token (secrets.token_urlsafe(32): 43 characters; an upstream uuid has 36).
ORDER_TOKEN = re.compile(r"(/orders/)[A-Za-z0-9_-]{40,}")
# Delivered fields, should an upstream body ever be logged: "pin_code": "…" and the like.
SECRET_FIELD = re.compile(
    r"""(["']?(?:pin_code|pin_serial|security_code|barcode_image_url)["']?\s*[:=]\s*)(["'])[^"']*\2"""
)
REFERENCE = re.compile(r"\bSF-[A-Z2-9]{8}\b")
ENDPOINT = re.compile(r"\b(GET|POST) (/[^\s:?]*)")
# A request id we accept from a proxy: short and plain, so it cannot forge log lines.
REQUEST_ID_SHAPE = re.compile(r"[A-Za-z0-9._-]{8,64}")


def _partner_ids() -> list[str]:
    from django.conf import settings

    from storefront.upstream.factory import SANDBOX_PARTNER_ID

    configured = getattr(settings, "CRYPTOREFILLS_PARTNER_ID", "")
    return [value for value in (configured, SANDBOX_PARTNER_ID) if value]


def redact(text: str) -> str:
    """Return `text` without full e-mail addresses, the partner ID, order tokens or delivered codes."""
    for partner_id in _partner_ids():
        text = text.replace(partner_id, "[partner-id]")
    text = EMAIL.sub(r"\1***@\2", text)
    text = ORDER_TOKEN.sub(r"\1[token]", text)
    return SECRET_FIELD.sub(r"\1\2[redacted]\2", text)


def _endpoint_of(message: str) -> str:
    from storefront.metrics import current_endpoint, upstream_endpoint

    endpoint = current_endpoint.get()
    if endpoint:
        return endpoint
    found = ENDPOINT.search(message)
    return upstream_endpoint(found.group(1), found.group(2)) if found else ""


class RedactingFormatter(logging.Formatter):
    """The text format ("LEVEL logger: message"), redacted."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and, where they apply, request_id, order
    and upstream_endpoint (plus the exception, redacted)."""

    def format(self, record: logging.LogRecord) -> str:
        raw = record.getMessage()
        message = redact(raw)
        line = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
        }
        if rid := request_id.get():
            line["request_id"] = rid
        if reference := REFERENCE.search(message):
            line["order"] = reference.group(0)
        if endpoint := _endpoint_of(raw):
            line["upstream_endpoint"] = endpoint
        if record.exc_info:
            line["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


class RequestIdMiddleware:
    """Give each request an id (a proxy's X-Request-ID if plain, else a new one) for its log lines,
    and send it back in X-Request-ID so a shopper's report can be found in the logs."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    @staticmethod
    def _id_for(request) -> str:
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        return given if REQUEST_ID_SHAPE.fullmatch(given) else uuid.uuid4().hex

    # The id is not reset on the way out: Django logs a 4xx or 5xx answer after the middleware has
    # returned ("Not Found: ..."), and that line belongs to this request. The next request on the
    # thread sets its own id first; under ASGI each request has a context of its own anyway.

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self._acall(request)
        rid = self._id_for(request)
        request_id.set(rid)
        response = self.get_response(request)
        response["X-Request-ID"] = rid
        return response

    async def _acall(self, request):
        rid = self._id_for(request)
        request_id.set(rid)
        response = await self.get_response(request)
        response["X-Request-ID"] = rid
        return response
