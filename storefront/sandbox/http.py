"""Minimal WSGI request and response helpers."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from http import HTTPStatus
from urllib.parse import parse_qs


class HttpError(Exception):
    """An error answered in one of the live API's bodies.

    Most are ``{"status", "detail", "moreDetails"?}``; a failed order creation answers only
    ``{"detail": "<CODE>"}`` (422), as live. ``headers`` go on the answer (429's Retry-After).
    """

    def __init__(
        self,
        status: int,
        detail: str,
        more_details: object = None,
        *,
        detail_only: bool = False,
        headers: list[tuple[str, str]] | None = None,
    ):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.more_details = more_details
        self.detail_only = detail_only
        self.headers = headers or []

    def body(self) -> dict:
        """Return the JSON error document."""
        if self.detail_only:
            return {"detail": self.detail}
        doc: dict = {"status": self.status, "detail": self.detail}
        if self.more_details is not None:
            doc["moreDetails"] = self.more_details
        return doc


class Headers(dict):
    """Request headers keyed by their usual spelling, looked up case-insensitively."""

    def __getitem__(self, key: str) -> str:
        for name, value in self.items():
            if name.lower() == key.lower():
                return value
        raise KeyError(key)

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None


@dataclass
class Request:
    """The parts of a WSGI environ the sandbox reads."""

    method: str
    path: str
    query_string: str
    headers: Headers
    body: bytes

    @classmethod
    def from_environ(cls, environ: dict) -> Request:
        """Read a request out of a WSGI environ."""
        headers = Headers()
        for key, value in environ.items():
            if key.startswith("HTTP_"):
                headers[key[5:].replace("_", "-").title()] = value
            elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
                headers[key.replace("_", "-").title()] = value
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        return cls(
            method=environ.get("REQUEST_METHOD", "GET").upper(),
            path=environ.get("PATH_INFO", "/") or "/",
            query_string=environ.get("QUERY_STRING", ""),
            headers=headers,
            body=body,
        )

    @property
    def path_with_query(self) -> str:
        """Return the path followed by its query string, if any."""
        return f"{self.path}?{self.query_string}" if self.query_string else self.path

    def query(self, name: str, default: str | None = None) -> str | None:
        """Return the first value of a query parameter."""
        values = parse_qs(self.query_string, keep_blank_values=True).get(name)
        return values[0] if values else default

    def json(self) -> dict:
        """Return the JSON object in the body (numbers as Decimal), or fail with BAD_REQUEST."""
        try:
            doc = json.loads(self.body or b"null", parse_float=Decimal)
        except (ValueError, UnicodeDecodeError) as error:
            raise HttpError(400, "BAD_REQUEST", f"Body is not valid JSON: {error}") from None
        if not isinstance(doc, dict):
            raise HttpError(400, "BAD_REQUEST", "Body must be a JSON object.")
        return doc


@dataclass
class Response:
    """A status, headers and an iterable body (a generator for streams)."""

    status: int
    body: Iterable[bytes]
    headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def status_line(self) -> str:
        """Return the WSGI status line, e.g. "200 OK"."""
        return f"{self.status} {HTTPStatus(self.status).phrase}"


def _default(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    raise TypeError(f"Cannot encode {type(value).__name__}")


def json_response(doc: object, status: int = 200) -> Response:
    """Return a JSON response; Decimals are written as strings."""
    data = json.dumps(doc, ensure_ascii=False, default=_default).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    return Response(status, [data], headers)


def error_response(error: HttpError) -> Response:
    """Return the JSON answer of an HttpError, with its headers."""
    response = json_response(error.body(), error.status)
    response.headers.extend(error.headers)
    return response
