"""One hierarchy for everything that can go wrong talking to the partner API."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

# The keys an error body may carry its code or message under, best first: the live API sends
# {"detail"} or {status, detail, moreDetails}, generic failures {"message"}, some integrations
# report {"error"} or {"reason"}.
DETAIL_KEYS = ("detail", "error", "message", "reason")


class UpstreamError(Exception):
    """Base of every partner API failure."""


class UpstreamConnectionError(UpstreamError):
    """The upstream could not be reached (DNS, refused, reset)."""


class UpstreamTimeout(UpstreamError):
    """The upstream did not answer in time."""


class UpstreamStatusError(UpstreamError):
    """The upstream answered with an HTTP error status."""

    def __init__(
        self,
        status_code: int,
        *,
        detail: str | None = None,
        problems: list[Any] | None = None,
        more_details: Any = None,
        body: Any = None,
        upstream_status: str | None = None,
    ) -> None:
        self.status_code = status_code
        self.detail = detail
        self.problems = problems or []
        self.more_details = more_details
        self.body = body
        # The `status` the body itself names ("400" or 400), kept as text; None when absent.
        self.upstream_status = upstream_status
        super().__init__(f"upstream answered {status_code}" + (f": {detail}" if detail else ""))

    @property
    def problem_codes(self) -> list[str]:
        """Return the codes of the body's problems list."""
        return [p.problem for p in self.problems]


class UpstreamRateLimited(UpstreamStatusError):
    """The upstream answered 429; `retry_after` is the seconds its Retry-After asked for, or None."""

    def __init__(self, status_code: int, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(status_code, **kwargs)


class UpstreamServerError(UpstreamStatusError):
    """The upstream answered 5xx."""


class UpstreamResponseError(UpstreamError):
    """The upstream's answer was not JSON or did not match the expected schema."""

    def __init__(self, message: str, *, endpoint: str | None = None, status_code: int | None = None) -> None:
        self.endpoint = endpoint  # "GET /v2/brands"
        self.status_code = status_code  # the (successful) status the unparseable answer came with
        super().__init__(message)


def body_detail(body: Any) -> str | None:
    """Return the best code or message an error body carries, under any key the upstream uses."""
    if isinstance(body, str):
        text = body.strip()
        # A short plain-text body is the message; an HTML error page is not.
        return text[:200] if text and "<" not in text and len(text) <= 200 else None
    if not isinstance(body, dict):
        return None
    for key in DETAIL_KEYS:
        found = _text_of(body.get(key))
        if found:
            return found
    problems = body.get("problems")
    if isinstance(problems, list):
        for problem in problems:
            if isinstance(problem, dict) and isinstance(problem.get("problem"), str):
                return problem["problem"]
    return None


def _text_of(value: Any) -> str | None:
    """Return the text of a detail value: a string, or the code/message inside an object or list."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        for key in ("code", "detail", "message", "msg", "reason", "error"):
            found = _text_of(value.get(key))
            if found:
                return found
    if isinstance(value, list):  # e.g. [{"loc": [...], "msg": "field required"}]
        texts = [t for t in (_text_of(item) for item in value) if t]
        return "; ".join(texts) or None
    return None


def body_status(body: Any) -> str | None:
    """Return the `status` an error body names (a number or a string upstream), as text."""
    status = body.get("status") if isinstance(body, dict) else None
    if isinstance(status, str | int) and not isinstance(status, bool) and str(status).strip():
        return str(status).strip()
    return None


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Return the seconds a Retry-After header asks to wait (delta-seconds or an HTTP date), or None."""
    text = (value or "").strip()
    if not text:
        return None
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)
