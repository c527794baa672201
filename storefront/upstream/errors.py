"""One hierarchy for everything that can go wrong talking to the partner API."""

from __future__ import annotations

from typing import Any


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
    ) -> None:
        self.status_code = status_code
        self.detail = detail
        self.problems = problems or []
        self.more_details = more_details
        self.body = body
        super().__init__(f"upstream answered {status_code}" + (f": {detail}" if detail else ""))

    @property
    def problem_codes(self) -> list[str]:
        """Return the codes of the body's problems list."""
        return [p.problem for p in self.problems]


class UpstreamRateLimited(UpstreamStatusError):
    """The upstream answered 429."""


class UpstreamServerError(UpstreamStatusError):
    """The upstream answered 5xx."""


class UpstreamResponseError(UpstreamError):
    """The upstream's answer was not JSON or did not match the expected schema."""
