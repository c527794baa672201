"""One worker leads each order's upstream stream; the others follow its news and take over when it leaves."""

from __future__ import annotations

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from async_support import run_async
from django.core.cache import cache
from orders_factory import *  # noqa: F403  (the order fixture, streams_opened)

from orders import live
from storefront.upstream.factory import get_client

pytestmark = pytest.mark.django_db(transaction=True)

ANOTHER_WORKER = "another-worker"


async def next_state(events, *, timeout: float) -> str:
    """Return the state of the next message event (keep-alives and stops skipped)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        chunk = await asyncio.wait_for(anext(events), max(deadline - loop.time(), 0.01))
        if b"data: " in chunk and not chunk.startswith(b"event: stop"):
            return json.loads(chunk.split(b"data: ", 1)[1])["state"]


def test_a_follower_opens_no_stream_while_another_worker_leads_and_takes_over_when_it_leaves(order, end_user):
    key = live._leader_key(order)
    cache.set(key, ANOTHER_WORKER, timeout=live.LEADER_SECONDS)
    opened_before = streams_opened()  # noqa: F405

    async def watch_through_a_handover() -> dict:
        hub = live.Hub()
        events = await hub.watch(order, end_user=end_user)
        seen = {"first": await next_state(events, timeout=2)}
        await asyncio.sleep(3 * live.CHECK_SECONDS)
        seen["streams while following"] = streams_opened() - opened_before  # noqa: F405
        cache.delete(key)  # the leading worker's last page left
        await asyncio.sleep(3 * live.CHECK_SECONDS)
        seen["lead"] = cache.get(key)
        await sync_to_async(get_client().simulate_payment, thread_sensitive=False)(
            order_id=order.upstream_order_id, action="pay", end_user=end_user
        )
        seen["after paying"] = await next_state(events, timeout=2)
        await events.aclose()
        return seen

    seen = run_async(watch_through_a_handover)

    assert seen["first"] == "WaitingForPayment"
    assert seen["streams while following"] == 0
    assert seen["lead"] == live.PROCESS_ID
    assert seen["after paying"] != "WaitingForPayment"
    assert cache.get(key) is None, "the last page out gives the lead up"
