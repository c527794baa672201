"""The one client of the Cryptorefills partner API.

Every call names the end user it is made for: the upstream sees the shopper's IP, user agent and
country, never the server's. GETs are retried with backoff and jitter on connection errors, 429 and
5xx; a POST is sent at most once, because repeating an order creation could charge twice.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager, AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from httpx_sse import EventSource, ServerSentEvent
from pydantic import BaseModel, TypeAdapter, ValidationError

from . import errors
from .schemas import (
    BrandCatalog,
    CountryList,
    Homepage,
    Items,
    Order,
    PaymentVia,
    Price,
    Problem,
    ProductFamily,
    StreamEvent,
    ValidationResult,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


# Wraps each HTTP attempt: called with the method and URL, it yields a callable told the status code;
# an exception leaving the block is an attempt that got no answer (storefront.metrics times them).
CallObserver = Callable[[str, str], AbstractContextManager[Callable[[int], None]]]


@contextmanager
def _unobserved(method: str, url: str) -> Iterator[Callable[[int], None]]:
    yield lambda status_code: None


def _header_text(value: str) -> str:
    """Return `value` as printable ASCII, others as "?": a request header may carry any Latin-1 byte."""
    return "".join(ch if " " <= ch <= "~" else "?" for ch in value)


@dataclass(frozen=True)
class EndUser:
    """The shopper a call is made for, taken from the request that caused it."""

    ip: str
    user_agent: str
    country_code: str = ""

    def headers(self) -> dict[str, str]:
        """Return the end-user headers the partner API asks for."""
        headers = {
            "X-Forwarded-For": _header_text(self.ip),
            "User-Agent": _header_text(self.user_agent) or "unknown",
        }
        if self.country_code:
            headers["X-Country-ISO-Code"] = self.country_code.upper()
        return headers


@dataclass(frozen=True)
class ClientConfig:
    base_url: str
    partner_id: str
    app_version: str
    site_url: str
    timeout: httpx.Timeout
    get_retries: int = 2
    backoff_seconds: float = 0.2
    max_backoff_seconds: float = 2.0


def _base_headers(config: ClientConfig) -> dict[str, str]:
    return {
        "X-Cr-Application": config.partner_id,
        "X-Cr-Version": config.app_version,
        "Content-Type": "application/json",
        "Accept": "application/json",
    }


def _status_error(response: httpx.Response) -> errors.UpstreamStatusError:
    """Build the error for an HTTP error status from whichever body shape the upstream sent."""
    body: Any = None
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = response.text[:500]
    problems = more_details = None
    if isinstance(body, dict):
        more_details = body.get("moreDetails", body.get("more_details"))
        raw_problems = body.get("problems")
        if isinstance(raw_problems, list):
            problems = [
                Problem.model_validate(p)
                for p in raw_problems
                if isinstance(p, dict) and isinstance(p.get("problem"), str)
            ]
    fields: dict[str, Any] = {
        "detail": errors.body_detail(body),
        "problems": problems,
        "more_details": more_details,
        "body": body,
        "upstream_status": errors.body_status(body),
    }
    if response.status_code == 429:
        retry_after = errors.parse_retry_after(response.headers.get("Retry-After"))
        return errors.UpstreamRateLimited(response.status_code, retry_after=retry_after, **fields)
    if response.status_code >= 500:
        return errors.UpstreamServerError(response.status_code, **fields)
    return errors.UpstreamStatusError(response.status_code, **fields)


def _endpoint(response: httpx.Response) -> str:
    """Return "GET /v2/brands": what an error message names, without the query string."""
    return f"{response.request.method} {response.request.url.path}"


def _parse(response: httpx.Response, model: type[T] | Any, *, wrap_in: str | None = None) -> T:
    """Decode a successful answer into `model`, or log and raise UpstreamResponseError naming the endpoint.

    With `wrap_in`, the answer is parsed as that field of `model` and the field's value returned:
    a top-level list then gets the lenient item-by-item parse of the models' lists.
    """
    endpoint = _endpoint(response)
    try:
        payload = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        message = f"{endpoint}: upstream answered with malformed JSON: {exc}"
        logger.error("%s", message)
        raise errors.UpstreamResponseError(
            message, endpoint=endpoint, status_code=response.status_code
        ) from exc
    try:
        if wrap_in is not None:
            return getattr(model.model_validate({wrap_in: payload}), wrap_in)
        if isinstance(model, type) and issubclass(model, BaseModel):
            return model.model_validate(payload)
        return TypeAdapter(model).validate_python(payload)
    except ValidationError as exc:
        message = f"{endpoint}: {_validation_summary(exc)}"
        logger.error("upstream answer does not match the schema: %s", message)
        raise errors.UpstreamResponseError(
            message, endpoint=endpoint, status_code=response.status_code
        ) from exc


def _validation_summary(exc: ValidationError, *, shown: int = 5) -> str:
    """Return "17 validation errors for BrandCatalog: categories.0.name: Field required; ..." (no inputs)."""
    count = exc.error_count()
    head = f"{count} validation error{'s' if count != 1 else ''} for {exc.title}"
    details = "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or 'answer'}: {error['msg']}"
        for error in exc.errors()[:shown]
    )
    more = f"; and {count - shown} more" if count > shown else ""
    return f"{head}: {details}{more}"


def _retry_delay(config: ClientConfig, attempt: int, response: httpx.Response | None) -> float:
    """Return how long to wait before retry number `attempt` (Retry-After if given, else jittered backoff)."""
    if response is not None and response.status_code == 429:
        retry_after = errors.parse_retry_after(response.headers.get("Retry-After"))
        if retry_after is not None:
            return min(retry_after, config.max_backoff_seconds)
    ceiling = min(config.backoff_seconds * (2**attempt), config.max_backoff_seconds)
    return random.uniform(ceiling / 2, ceiling)


class _Families(BaseModel):
    """The products answer, a list of brand families, parsed leniently (a bad family is left out)."""

    families: Items(ProductFamily)


class _PaymentVias(BaseModel):
    payment_vias: Items(PaymentVia)


def _stream_events(events: Iterator[ServerSentEvent]) -> Iterator[StreamEvent]:
    """Turn httpx-sse's events into the shop's StreamEvent (an empty id is no id)."""
    for sse in events:
        yield StreamEvent(event=sse.event, data=sse.data, id=sse.id or None)


async def _astream_events(events: AsyncIterator[ServerSentEvent]) -> AsyncIterator[StreamEvent]:
    async for sse in events:
        yield StreamEvent(event=sse.event, data=sse.data, id=sse.id or None)


def _check_event_stream(response: httpx.Response) -> None:
    """Raise UpstreamResponseError unless the answer is an event stream (checked before any event)."""
    content_type = response.headers.get("content-type", "").partition(";")[0].strip()
    if content_type != "text/event-stream":
        raise errors.UpstreamResponseError(
            f"GET {response.request.url.path}: expected text/event-stream, got {content_type!r}"
        )


class CryptorefillsClient:
    """Synchronous client of the partner API, shared by the whole process (it holds a connection pool)."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        on_response: Callable[[httpx.Response], None] | None = None,
        on_call: CallObserver | None = None,
    ) -> None:
        self.config = config
        self._observe = on_call or _unobserved
        # on_response sees every answer before it is read (check_upstream records status codes).
        self._http = httpx.Client(
            base_url=config.base_url,
            headers=_base_headers(config),
            timeout=config.timeout,
            transport=transport,
            limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
            event_hooks={"response": [on_response]} if on_response else None,
        )

    def close(self) -> None:
        self._http.close()

    # -- transport -------------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        url: str,
        *,
        end_user: EndUser,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        follow_redirects: bool = False,
    ) -> httpx.Response:
        attempts = 1 + (self.config.get_retries if method == "GET" else 0)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            response = None
            try:
                with self._observe(method, url) as answered:
                    response = self._http.request(
                        method,
                        url,
                        params=params,
                        json=json_body,
                        headers=end_user.headers(),
                        follow_redirects=follow_redirects,
                    )
                    answered(response.status_code)
            except httpx.TimeoutException as exc:
                if last:
                    raise errors.UpstreamTimeout(f"{method} {url} timed out") from exc
            except httpx.TransportError as exc:
                if last:
                    raise errors.UpstreamConnectionError(f"{method} {url} failed: {exc}") from exc
            else:
                if response.status_code < 400:
                    return response
                if last or response.status_code not in RETRYABLE_STATUS:
                    raise _status_error(response)
            delay = _retry_delay(self.config, attempt, response)
            logger.warning("retrying %s %s in %.2fs (attempt %d)", method, url, delay, attempt + 2)
            time.sleep(delay)
        raise AssertionError("unreachable")

    def _get(self, url: str, model: Any, *, end_user: EndUser, params: dict | None = None) -> Any:
        return _parse(self._send("GET", url, end_user=end_user, params=params), model)

    def _get_list(self, url: str, wrapper: type[BaseModel], *, end_user: EndUser, params: dict | None = None):
        """GET a JSON list and parse it item by item through the one lenient field of `wrapper`."""
        response = self._send("GET", url, end_user=end_user, params=params)
        return _parse(response, wrapper, wrap_in=next(iter(wrapper.model_fields)))

    def _post(self, url: str, model: Any, *, end_user: EndUser, body: Any) -> Any:
        return _parse(self._send("POST", url, end_user=end_user, json_body=body), model)

    # -- endpoints -------------------------------------------------------------------------------

    def payment_vias(self, *, end_user: EndUser) -> list[PaymentVia]:
        """Return the coins and networks the upstream accepts."""
        return self._get_list("/v3/payment_vias", _PaymentVias, end_user=end_user)

    def brands(self, *, country_code: str, end_user: EndUser) -> BrandCatalog:
        """Return the brand catalog of a country."""
        return self._get("/v2/brands", BrandCatalog, end_user=end_user, params={"country_code": country_code})

    def homepage(self, *, country_code: str, end_user: EndUser) -> Homepage:
        """Return the curated homepage feed of a country; an answer of unknown shape gives an empty feed.

        No live shape of this endpoint is known, so a JSON answer the model cannot read, or a 404,
        is logged and treated as "nothing curated": the shop then shows the brands answer instead.
        Outages (5xx, 429, no answer) still raise, so the shop's outage handling applies.
        """
        try:
            response = self._send(
                "GET", "/v2/homepage", end_user=end_user, params={"country_code": country_code}
            )
        except errors.UpstreamStatusError as exc:
            if exc.status_code != 404:
                raise
            logger.warning("homepage of %s left empty: the upstream answered 404", country_code)
            return Homepage(country_code=country_code)
        try:
            return _parse(response, Homepage)
        except errors.UpstreamResponseError as exc:
            if isinstance(exc.__cause__, ValidationError):
                logger.warning("homepage of %s left empty: %s", country_code, exc)
                return Homepage(country_code=country_code)
            raise

    def products(
        self, *, country_code: str, family_name: str, coin: str, lang: str, end_user: EndUser
    ) -> list[ProductFamily]:
        """Return the brands of a family in a country with their products, priced in `coin`.

        `family_name` is the family's display name ("Amazon.com"); flatten the answer with
        schemas.family_products.
        """
        return self._get_list(
            f"/v5/products/country/{country_code}",
            _Families,
            end_user=end_user,
            params={"family_name": family_name, "coin": coin, "lang": lang},
        )

    def price(
        self, *, brand_name: str, country_code: str, face_value: Decimal, coin: str, end_user: EndUser
    ) -> Price:
        """Return the exact coin amount for a face value."""
        return self._get(
            "/v4/products/price",
            Price,
            end_user=end_user,
            params={
                "brand_name": brand_name,
                "country_code": country_code,
                "face_value": str(face_value),
                "coin": coin,
            },
        )

    def validate_order(self, *, body: dict[str, Any], end_user: EndUser) -> ValidationResult:
        """Ask the upstream which problems an order body has (an empty list means valid)."""
        return self._post("/v5/orders/validations", ValidationResult, end_user=end_user, body=body)

    def create_order(self, *, body: dict[str, Any], end_user: EndUser) -> Order:
        """Create the order; sent once, never retried."""
        return self._post("/v5/orders", Order, end_user=end_user, body=body)

    def get_order(self, *, order_id: str, end_user: EndUser) -> Order:
        """Return the order as the upstream knows it now."""
        return self._get(f"/v5/orders/{order_id}", Order, end_user=end_user)

    @contextmanager
    def subscribe_order(self, *, order_id: str, end_user: EndUser) -> Iterator[Iterator[StreamEvent]]:
        """Open the order's event stream; yields an iterator of events, closed on exit."""
        headers = {**end_user.headers(), "Accept": "text/event-stream"}
        timeout = httpx.Timeout(self.config.timeout.connect, read=None, connect=self.config.timeout.connect)
        try:
            with self._http.stream(
                "GET", f"/v5/orders/{order_id}/subscribe", headers=headers, timeout=timeout
            ) as response:
                if response.status_code >= 400:
                    response.read()
                    raise _status_error(response)
                _check_event_stream(response)
                yield _stream_events(EventSource(response).iter_sse())
        except httpx.TimeoutException as exc:
            raise errors.UpstreamTimeout("order stream timed out") from exc
        except httpx.TransportError as exc:
            raise errors.UpstreamConnectionError(f"order stream failed: {exc}") from exc

    def available_countries(self, *, end_user: EndUser) -> CountryList:
        """Return the countries the upstream serves (a site endpoint, not under the API host).

        Live it answers {"countries": [...]}; a bare list is accepted too.
        """
        url = f"{self.config.site_url.rstrip('/')}/api/available-countries"
        # The site, unlike the API, may redirect (cryptorefills.com -> www.cryptorefills.com).
        response = self._send("GET", url, end_user=end_user, follow_redirects=True)
        return _parse(response, CountryList)

    def sandbox_logo(self, *, filename: str) -> tuple[bytes, str] | None:
        """Return a logo image drawn by the sandbox upstream and its content type, or None."""
        return self._sandbox_image("logos", filename)

    def sandbox_barcode(self, *, filename: str) -> tuple[bytes, str] | None:
        """Return a delivered code's barcode (or an order's QR image) drawn by the sandbox, or None."""
        return self._sandbox_image("barcodes", filename)

    def _sandbox_image(self, folder: str, filename: str) -> tuple[bytes, str] | None:
        """Fetch `/<folder>/<filename>` from the sandbox: (bytes, content type), or None if it is no image."""
        # Quoted: a name from the shop's URL may hold "?", "#" or "%" that would change the request.
        try:
            response = self._http.get(f"/{folder}/{quote(filename, safe='')}")
        except httpx.HTTPError as exc:
            raise errors.UpstreamConnectionError(f"{folder} {filename} failed: {exc}") from exc
        content_type = response.headers.get("content-type", "")
        if response.status_code != 200 or not content_type.startswith("image/"):
            return None
        return response.content, content_type

    def simulate_payment(self, *, order_id: str, action: str, end_user: EndUser) -> Order:
        """Drive a sandbox order (pay, partial, late, expire...); only the sandbox upstream has this."""
        return self._post(
            f"/sandbox/orders/{order_id}/simulate", Order, end_user=end_user, body={"action": action}
        )


class AsyncCryptorefillsClient:
    """Asynchronous client for long-lived calls (the order stream), so they hold no worker thread."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        on_call: CallObserver | None = None,
    ) -> None:
        self.config = config
        self._observe = on_call or _unobserved
        self._http = httpx.AsyncClient(
            base_url=config.base_url,
            headers=_base_headers(config),
            timeout=config.timeout,
            transport=transport,
            # One client holds a worker's streams, one connection each, for as long as they are open.
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=10),
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    @asynccontextmanager
    async def open_order_stream(
        self, *, order_id: str, end_user: EndUser
    ) -> AsyncIterator[AsyncIterator[StreamEvent]]:
        """Open the upstream's order stream and yield its events (status checked first), closed on exit."""
        headers = {**end_user.headers(), "Accept": "text/event-stream"}
        timeout = httpx.Timeout(self.config.timeout.connect, read=None, connect=self.config.timeout.connect)
        url = f"/v5/orders/{order_id}/subscribe"
        try:
            async with AsyncExitStack() as opened:
                # The attempt is observed until the answer's head: what follows is the stream itself.
                with self._observe("GET", url) as answered:
                    response = await opened.enter_async_context(
                        self._http.stream("GET", url, headers=headers, timeout=timeout)
                    )
                    answered(response.status_code)
                if response.status_code >= 400:
                    await response.aread()
                    raise _status_error(response)
                _check_event_stream(response)
                yield _astream_events(EventSource(response).aiter_sse())
        except httpx.TimeoutException as exc:
            raise errors.UpstreamTimeout("order stream timed out") from exc
        except httpx.TransportError as exc:
            raise errors.UpstreamConnectionError(f"order stream failed: {exc}") from exc
