"""The polled status fragment kept per version of what it shows (orders.status_fragment)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.template import defaultfilters
from django.urls import reverse
from django.utils import timesince, timezone
from orders_factory import *  # noqa: F403  (fixtures: order)

from orders import status_fragment, views
from orders.models import Order
from orders.services import simulate_order_payment
from storefront import page_inputs

pytestmark = pytest.mark.django_db


def poll(client, order: Order):
    return client.get(reverse("orders:detail", kwargs={"token": order.token}), headers={"HX-Request": "true"})


def fresh_poll(client, order: Order, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(status_fragment, "fragment_key", lambda order, streams: None)
        return poll(client, order)


def test_a_repeated_poll_gets_the_fresh_render_from_the_kept_fragment(client, order, monkeypatch):  # noqa: F811
    first = poll(client, order)
    kept = poll(client, order)
    assert len(status_fragment._fragments) == 1
    fresh = fresh_poll(client, order, monkeypatch)
    assert kept.content == first.content == fresh.content
    assert kept.status_code == fresh.status_code == 200
    assert kept["Vary"] == fresh["Vary"] and kept["Content-Type"] == fresh["Content-Type"]


def test_a_change_of_the_order_is_shown_at_the_next_poll(client, order, end_user):  # noqa: F811
    assert 'id="wallet-address"' in poll(client, order).content.decode()
    simulate_order_payment(order=order, action="expire", end_user=end_user)
    response = poll(client, order)
    assert response.status_code == 286
    assert 'id="wallet-address"' not in response.content.decode()


def test_the_time_left_to_pay_follows_the_clock(client, order, monkeypatch):  # noqa: F811
    now_left = timesince.timeuntil(order.expires_at)
    assert f">{now_left}</span>" in poll(client, order).content.decode()
    later = timezone.now() + timedelta(minutes=5)

    def five_minutes_later(d, now=None, **kwargs):
        return timesince.timeuntil(d, now or later, **kwargs)

    for module in (defaultfilters, status_fragment):  # the |timeuntil filter's clock, and the key's
        monkeypatch.setattr(module, "timeuntil", five_minutes_later)
    monkeypatch.setattr(timezone, "now", lambda: later)
    monkeypatch.setattr(views, "refresh_order_if_stale", lambda order: order)  # only the clock moves
    html = poll(client, order).content.decode()
    later_left = five_minutes_later(Order.objects.get(pk=order.pk).expires_at)
    assert later_left != now_left and f">{later_left}</span>" in html


def test_two_orders_never_share_a_fragment(client, order, make_order, monkeypatch):  # noqa: F811
    other = make_order()
    for each in (order, other, order, other):
        assert poll(client, each).content == fresh_poll(client, each, monkeypatch).content
    assert len(status_fragment._fragments) == 2


def test_delivered_codes_are_never_kept(client, order, monkeypatch):  # noqa: F811
    Order.objects.filter(pk=order.pk).update(state="Done")
    poll(client, order)
    assert len(status_fragment._fragments) == 0


def test_a_kept_fragment_is_rendered_again_once_the_payment_vias_it_shows_change(client, order, monkeypatch):  # noqa: F811
    built = []
    real = views.order_context
    monkeypatch.setattr(views, "order_context", lambda *args: built.append(1) or real(*args))
    poll(client, order)
    poll(client, order)
    assert len(built) == 1
    cache.delete("upstream:payment_vias:stamp")  # refreshed by another process, or evicted
    later = time.monotonic() + page_inputs.RECHECK_SECONDS
    monkeypatch.setattr(page_inputs.time, "monotonic", lambda: later)
    poll(client, order)
    assert len(built) == 2


def test_polls_within_a_second_do_not_ask_the_shared_cache_again(client, order, monkeypatch):  # noqa: F811
    poll(client, order)
    asked = []
    real = page_inputs.cache.get_many
    monkeypatch.setattr(page_inputs.cache, "get_many", lambda keys: asked.append(keys) or real(keys))
    poll(client, order)
    poll(client, order)
    assert len(asked) == 1  # the first poll checks what the kept fragment read; the next one trusts it


def test_the_status_context_depends_on_nothing_of_the_request_but_the_stream_flag(order, rf):  # noqa: F811
    # The kept fragment's key holds no request state (orders.status_fragment): keep it that way.
    url = reverse("orders:detail", kwargs={"token": order.token})
    plain = rf.get(url)
    other = rf.get(url + "?x=1", HTTP_USER_AGENT="Other/1.0", REMOTE_ADDR="10.9.8.7", HTTP_COOKIE="a=b",
                   HTTP_ACCEPT_LANGUAGE="es", HTTP_HX_REQUEST="true", HTTP_X_FORWARDED_FOR="1.2.3.4")
    for request in (plain, other):
        request.session = {}
    first, second = views.order_context(plain, order), views.order_context(other, order)
    assert first.keys() == second.keys()
    for name in first.keys() - {"now", "items"}:
        assert first[name] == second[name], name


def test_the_time_left_in_the_key_changes_exactly_when_its_words_do():
    now = timezone.now()
    words_of_key: dict = {}
    for seconds in range(1, 24 * 3600, 13):
        expires_at = now + timedelta(seconds=seconds)
        key = status_fragment._time_left_as_worded(expires_at, now)
        words_of_key.setdefault(key, set()).add(timesince.timeuntil(expires_at, now))
    assert all(len(words) == 1 for words in words_of_key.values())
    assert len({next(iter(words)) for words in words_of_key.values()}) == len(words_of_key)
