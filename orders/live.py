"""Live updates for every open order page: one upstream stream per order, whatever the watchers.

Each worker keeps one feed per order its pages watch. Of all workers sharing the cache, one leads
an order (a claim in the shared cache, renewed while it holds the stream): it alone holds the
upstream's stream and records each message on the order's row. Every worker reads its watched
orders' rows twice a second, in one query, and tells its pages what changed; the leader tells its
own at once. So the upstream sees one stream per order, a page gets the current state when it
connects and each change within a second of the row's, and a page that leaves costs nothing.
When the upstream's stream ends before the order does, the pages' streams end too (no stop
event): their browsers reconnect with backoff, and the first to come back opens a new one.

What a page is sent is what it shows: the state and the amounts paid and due, never the upstream's
order JSON (codes, ids, e-mail stay on the server).
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import uuid
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing
from dataclasses import dataclass, field
from decimal import Decimal
from functools import wraps
from typing import NamedTuple

from asgiref.sync import sync_to_async
from django.core.cache import cache
from django.db import close_old_connections
from django.http import HttpResponse, StreamingHttpResponse
from pydantic import ValidationError

from storefront.numbers import plain_number
from storefront.upstream import schemas
from storefront.upstream.client import AsyncCryptorefillsClient
from storefront.upstream.end_user import EndUser
from storefront.upstream.errors import UpstreamError
from storefront.upstream.factory import build_async_client

from .models import Order, OrderEvent
from .services import record_upstream_order
from .states import TERMINAL_STATES

logger = logging.getLogger(__name__)

CHECK_SECONDS = 0.5  # how often a worker reads its watched orders' rows
LEADER_SECONDS = 15  # a leader that dies is replaced after at most this long
RENEW_SECONDS = 5
KEEP_ALIVE_SECONDS = 15.0
STOP_EVENT = b"event: stop\ndata: {}\n\n"
KEEP_ALIVE = b": keep-alive\n\n"
END_OF_FEED = object()
# Who claims a lead: one id per process, so a worker knows its own claims.
PROCESS_ID = uuid.uuid4().hex


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else plain_number(value)  # null in the page's JSON, not ""


def live_view(order: Order | OrderNews) -> dict:
    """Return what an open order page shows of the order and is told when it changes."""
    return {
        "state": order.state,
        "paid": _amount(order.coin_amount_paid),
        "due": _amount(order.coin_amount_due),
    }


def live_data(order: Order | OrderNews) -> str:
    """Return the data of the order's event as the page receives it (the page compares it as text)."""
    return json.dumps(live_view(order), separators=(",", ":"))


def live_event(order: Order | OrderNews) -> bytes:
    return f"event: message\ndata: {live_data(order)}\n\n".encode()


def _leader_key(order: Order) -> str:
    return f"orders:live:leader:{order.pk}"  # by id: tokens open order pages, and stay out of the cache


def _database_call(function):
    """Run `function` on a pool thread, its database connection given back when it returns.

    Not Django's thread-sensitive executor: that belongs to the request that started the feed, and
    the feed outlives it. Given back, because a pool thread keeps its connection otherwise: with
    PostgreSQL's pool, each idle thread would hold one of its few.
    """

    @wraps(function)
    def call(*args, **kwargs):
        close_old_connections()
        try:
            return function(*args, **kwargs)
        finally:
            close_old_connections()

    return sync_to_async(call, thread_sensitive=False)


class OrderNews(NamedTuple):
    """What a page is told of an order, as read from its row twice a second."""

    token: str
    state: str
    coin_amount_paid: Decimal | None
    coin_amount_due: Decimal | None

    @property
    def is_terminal(self) -> bool:
        return self.state in TERMINAL_STATES


@_database_call
def _read_news(tokens: list[str]) -> list[OrderNews]:
    return [OrderNews(*row) for row in Order.objects.filter(token__in=tokens).values_list(*OrderNews._fields)]


@_database_call
def _record(order: Order, data: str) -> Order | None:
    """Record an order JSON of the upstream's stream on the order's row; None if it is not an order."""
    try:
        upstream = schemas.Order.model_validate(json.loads(data))
    except (ValueError, ValidationError):
        # The payload may hold codes: say what failed, never what it said.
        logger.warning("order %s: stream message that is not an order skipped", order.reference)
        return None
    # On a row of its own: the feed's order is read by the loop's thread meanwhile, and replaced
    # only there (recording changes the instance it is given).
    mine = Order.objects.get(pk=order.pk)
    return record_upstream_order(order=mine, upstream=upstream, source=OrderEvent.Source.STREAM)


@dataclass(eq=False)
class Feed:
    """One order as this worker's pages watch it."""

    order: Order
    end_user: EndUser
    sent: bytes
    watchers: set[asyncio.Queue] = field(default_factory=set)
    follower: asyncio.Task | None = None
    leading: bool = False
    renewed_at: float = 0.0
    stopped: bool = False
    # Set by the checker when nobody holds the order's lead any more: a follower then claims it.
    lead_free: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def terminal(self) -> bool:
        return self.order.is_terminal or self.stopped

    def tell(self, news: Order | OrderNews) -> None:
        """Send every watcher the order's view if it changed, and stop them at a terminal state."""
        message = live_event(news)
        if message != self.sent:
            self.sent = message
            for queue in self.watchers:
                queue.put_nowait(message)
        if news.is_terminal:
            self.stop()

    def end(self) -> None:
        """End every watcher's stream without a stop: the browser reconnects."""
        for queue in self.watchers:
            queue.put_nowait(END_OF_FEED)

    def stop(self) -> None:
        """Tell every watcher the feed ends (the page goes on by polling)."""
        if not self.stopped:
            self.stopped = True
            for queue in self.watchers:
                queue.put_nowait(STOP_EVENT)


class Hub:
    """The feeds of one event loop (one per worker): watchers join, leave, and are told changes."""

    def __init__(self) -> None:
        self.feeds: dict[str, Feed] = {}  # by order token
        self.checker: asyncio.Task | None = None
        self._client: AsyncCryptorefillsClient | None = None

    def client(self) -> AsyncCryptorefillsClient:
        """The upstream client of this worker's streams, built when the first feed needs it."""
        if self._client is None:
            self._client = build_async_client()
        return self._client

    async def watch(self, order: Order, *, end_user: EndUser) -> AsyncIterator[bytes]:
        """Join the order's feed and return the page's events, the current view first.

        Raise UpstreamError when this worker leads the order and cannot open the upstream's stream.
        """
        feed = self.feeds.get(order.token)
        if feed is None:
            feed = self.feeds[order.token] = Feed(order=order, end_user=end_user, sent=live_event(order))
            connected = asyncio.get_running_loop().create_future()
            feed.follower = _detached_task(self._follow(feed, connected))
            try:
                await connected
            except UpstreamError:
                self._close(feed)
                raise
        queue: asyncio.Queue[bytes] = asyncio.Queue()
        queue.put_nowait(feed.sent)
        if feed.terminal:
            queue.put_nowait(STOP_EVENT)
        feed.watchers.add(queue)
        self._start_checker()
        return self._events(feed, queue)

    async def _events(self, feed: Feed, queue: asyncio.Queue) -> AsyncIterator[bytes]:
        try:
            while True:
                try:
                    message = await asyncio.wait_for(queue.get(), KEEP_ALIVE_SECONDS)
                except TimeoutError:
                    message = KEEP_ALIVE
                if message is END_OF_FEED:
                    return
                yield message
                if message == STOP_EVENT:
                    return
        finally:
            # The page left (or was told to stop): the last one out closes the feed.
            feed.watchers.discard(queue)
            if not feed.watchers and self.feeds.get(feed.order.token) is feed:
                self._close(feed)

    def _close(self, feed: Feed) -> None:
        self.feeds.pop(feed.order.token, None)
        if not self.feeds and self._client is not None:
            _detached_task(self._client.aclose())
            self._client = None
        if feed.follower is not None and feed.follower is not asyncio.current_task():
            feed.follower.cancel()
        self._release(feed)

    def _release(self, feed: Feed) -> None:
        """Give up the lead of the order (another worker's page may take it)."""
        if feed.leading:
            feed.leading = False
            key = _leader_key(feed.order)
            if cache.get(key) == PROCESS_ID:
                cache.delete(key)

    def _claim(self, feed: Feed) -> bool:
        """Lead the order unless another worker does; renew the claim of a lead already held."""
        now = asyncio.get_running_loop().time()
        key = _leader_key(feed.order)
        if feed.leading:
            if now - feed.renewed_at >= RENEW_SECONDS:
                cache.set(key, PROCESS_ID, timeout=LEADER_SECONDS)
                feed.renewed_at = now
            return True
        feed.leading = cache.add(key, PROCESS_ID, timeout=LEADER_SECONDS) or cache.get(key) == PROCESS_ID
        feed.renewed_at = now
        return feed.leading

    async def _follow(self, feed: Feed, connected: asyncio.Future) -> None:
        """Hold the upstream's stream of the order while this worker leads it and pages watch it."""
        try:
            await self._follow_while_watched(feed, connected)
        except Exception:
            # Not the upstream saying no (that is handled where the stream is read): a fault here.
            # End the pages' streams so they come back and another follower starts, rather than
            # keep the lead with nobody reading the upstream.
            logger.exception("order %s: following the upstream's stream failed", feed.order.reference)
            feed.end()
        finally:
            self._release(feed)
            if not connected.done():
                connected.set_result(False)

    async def _follow_while_watched(self, feed: Feed, connected: asyncio.Future) -> None:
        order = feed.order
        while not self._claim(feed):
            if not connected.done():
                connected.set_result(False)
            # Another worker leads; the checker reads the order's news and tells when the lead is free.
            feed.lead_free.clear()
            await feed.lead_free.wait()
            if self.feeds.get(order.token) is not feed or feed.terminal:
                return
        if connected.done():
            # Taken over from a worker that stopped leading: it may have seen the order end.
            rows = await _read_news([order.token])
            if rows:
                feed.tell(rows[0])
            if not rows or feed.stopped:
                return
        try:
            async with self.client().open_order_stream(
                order_id=order.upstream_order_id, end_user=feed.end_user
            ) as events:
                if not connected.done():
                    connected.set_result(True)
                async for event in events:
                    self._claim(feed)
                    if event.event == "stop":
                        feed.stop()  # the upstream will say no more of this order
                        return
                    if event.event == "message" and event.data:
                        recorded = await _record(feed.order, event.data)
                        if recorded is not None:
                            feed.tell(recorded)
                            if feed.stopped:
                                return
        except UpstreamError as exc:
            if not connected.done():
                connected.set_exception(exc)
                return
            logger.info("order %s: upstream stream dropped: %s", order.reference, exc)
        # The upstream's stream ended before the order did (dropped, or closed as long streams
        # are): so do the pages'. Their browsers reconnect, and the next one opens a new stream.
        feed.end()

    def _start_checker(self) -> None:
        if self.checker is None or self.checker.done():
            self.checker = _detached_task(self._check())

    async def _check(self) -> None:
        """Read the watched orders' rows and tell each feed what changed, until no feed is left."""
        while self.feeds:
            await asyncio.sleep(CHECK_SECONDS)
            feeds = dict(self.feeds)
            if not feeds:
                break
            for news in await _read_news(list(feeds)):
                feed = feeds[news.token]
                if feed.leading:
                    self._claim(feed)  # renews the claim while the stream is quiet
                feed.tell(news)
            self._free_leads([feed for feed in feeds.values() if not feed.leading])

    def _free_leads(self, followed: list[Feed]) -> None:
        """Wake the followers whose order nobody leads now: all of them asked in one cache read,
        where each asking for itself was two round trips per order every tick."""
        if not followed:
            return
        by_key = {_leader_key(feed.order): feed for feed in followed}
        held = cache.get_many(list(by_key))
        for key, feed in by_key.items():
            if key not in held:
                feed.lead_free.set()


def _detached_task(coroutine) -> asyncio.Task:
    """Start a task that outlives the request that started it, so it runs in none's context (its
    request id, its thread for sync calls)."""
    return asyncio.get_running_loop().create_task(coroutine, context=contextvars.Context())


class LiveStreamResponse(StreamingHttpResponse):
    """The events of one open order page, opened on the server's event loop before its head is sent.

    storefront.serving answers the request with Django's WSGI handler (all middleware, no thread
    hops), then calls `open_on_loop()`: it joins the order's feed and returns the page's events,
    or the answer to send instead when this worker cannot open the upstream's stream. A server
    that does not know to (a plain ASGI server) streams `streaming_content`, which opens the feed
    itself and ends at once on such an error (the page then polls).
    """

    def __init__(self, *, order: Order, end_user: EndUser,
                 refusal: Callable[[UpstreamError], HttpResponse]) -> None:
        super().__init__(self._open_and_relay(), content_type="text/event-stream")
        self.order, self.end_user, self.refusal = order, end_user, refusal
        # Each event says only what the page shows; still, nothing about an order is kept by any cache.
        self["Cache-Control"] = "no-store, no-transform"
        self["X-Accel-Buffering"] = "no"
        self["Referrer-Policy"] = "no-referrer"

    async def open_on_loop(self) -> HttpResponse | AsyncIterator[bytes]:
        try:
            return await hub().watch(self.order, end_user=self.end_user)
        except UpstreamError as exc:
            return self.refusal(exc)

    async def _open_and_relay(self) -> AsyncIterator[bytes]:
        events = await self.open_on_loop()
        if isinstance(events, HttpResponse):
            return
        async with aclosing(events):
            async for chunk in events:
                yield chunk


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def hub() -> Hub:
    """Return the running event loop's hub (one per worker; tests run several loops)."""
    loop = asyncio.get_running_loop()
    if loop not in _hubs:
        _hubs[loop] = Hub()
    return _hubs[loop]
