"""Find my orders: one email with the links to an address's recent orders, the same answer for every
address, limited per IP and per address, and a plain form that needs no JavaScript."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from mail_orders import place_order
from smtp_support import *  # noqa: F403  (fixtures: smtp, smtp_settings)
from smtp_support import html_of, text_of

from notifications.models import OutboxEmail
from notifications.services import send_due_emails
from orders.models import Order

pytestmark = pytest.mark.django_db
FIND = "/my-orders/"


def without_csrf(response) -> str:
    """Return a page without its CSRF token, which differs on every render (masked) for everyone."""
    html = re.sub(r'"X-CSRFToken": "[^"]+"', "", response.content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def ask(client, email: str, **extra):
    return client.post(FIND, {"email": email}, **extra)


def test_the_page_is_a_plain_form_linked_from_the_header_and_the_404_of_an_order_url(client):
    page = client.get(FIND).content.decode()
    assert re.search(r'<form[^>]+method="post"[^>]+action="/my-orders/"', page)
    assert 'type="email"' in page and "<script" not in page.split("<body", 1)[1].split("</form>")[0]
    assert 'href="/my-orders/"' in client.get("/", follow=True).content.decode()
    missing = client.get("/orders/" + "x" * 43 + "/")
    assert missing.status_code == 404
    assert 'href="/my-orders/"' in missing.content.decode()


def test_an_unknown_and_a_known_address_get_the_same_answer(client, smtp):
    place_order(email="known@example.com")
    known = ask(client, "known@example.com")
    unknown = ask(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("notifications:find_orders_sent")
    assert without_csrf(client.get(known["Location"])) == without_csrf(client.get(unknown["Location"]))


def test_a_known_address_receives_one_email_with_the_links_to_its_recent_orders_only(client, smtp):
    first, second = place_order(email="Known@Example.com"), place_order(email="known@example.com")
    old = place_order(email="known@example.com")
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=91))
    other = place_order(email="someone-else@example.com")
    send_due_emails()
    before = len(smtp.messages)
    ask(client, "KNOWN@example.com")
    ask(client, "nobody@example.com")
    assert send_due_emails() == 1
    [message] = smtp.wait_for(before + 1)[before:]
    assert message["To"] == "KNOWN@example.com"
    text = text_of(message)
    for order in (first, second):
        assert order.reference in text
        assert f"https://shop.example.com/orders/{order.token}/" in text
        assert f"https://shop.example.com/orders/{order.token}/" in html_of(message)
    assert old.token not in text and other.token not in text
    assert OutboxEmail.objects.get(to="nobody@example.com").status == OutboxEmail.Status.SKIPPED
    opened = client.get(f"/orders/{first.token}/")
    assert opened.status_code == 200 and first.reference in opened.content.decode()


def test_the_links_email_is_in_the_language_of_the_page_that_asked(client, smtp):
    order = place_order(email="lia@example.com")
    send_due_emails()
    client.post("/es" + FIND, {"email": "lia@example.com"})
    send_due_emails()
    message = smtp.wait_for(2)[-1]
    assert message["Subject"] == "Tus pedidos de Coinshelf"
    assert f"https://shop.example.com/es/orders/{order.token}/" in text_of(message)


def test_an_address_asked_about_too_often_gets_the_same_page_and_no_more_email(client, smtp, settings):
    limits = {"find_orders_address": (2, 3600), "find_orders": (50, 900)}
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, **limits}
    place_order(email="pat@example.com")
    answers = [ask(client, "pat@example.com") for _ in range(4)]
    assert {a.status_code for a in answers} == {302}
    assert OutboxEmail.objects.filter(to="pat@example.com", kind="order_links").count() == 2


def test_one_client_asking_too_often_is_told_when_to_come_back(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "find_orders": (3, 900)}
    answers = [ask(client, f"x{n}@example.com") for n in range(4)]
    assert [a.status_code for a in answers] == [302, 302, 302, 429]
    assert 0 < int(answers[-1]["Retry-After"]) <= 900
    assert OutboxEmail.objects.count() == 3


def test_a_mistyped_address_is_shown_back_with_the_error(client):
    page = client.post(FIND, {"email": "not-an-address"})
    assert page.status_code == 200
    assert 'value="not-an-address"' in page.content.decode()
    assert "errorlist" in page.content.decode()
    assert not OutboxEmail.objects.exists()


HOSTILE = ["a\x00@example.com", "x" * 300 + "@example.com", "", "ä@例え.jp", "' OR 1=1 --",
           "a@b.c\r\nBcc: victim@example.com"]


@pytest.mark.parametrize("typed", HOSTILE)
def test_hostile_input_is_answered_without_an_error_and_queues_nothing_malformed(client, typed):
    answer = client.post(FIND, {"email": typed})
    assert answer.status_code in (200, 302)
    for email in OutboxEmail.objects.all():
        assert "\n" not in email.to and "\x00" not in email.to and len(email.to) <= 254
