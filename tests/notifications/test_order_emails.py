"""Order e-mails through a real SMTP server: placed, delivered and needs-you, once each, in the order's
language, with a link that opens the order; retried while the server is down; never sent twice."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from mail_orders import SHOPPER, answer_for, place_order
from smtp_support import *  # noqa: F403  (fixtures: smtp, smtp_settings)
from smtp_support import html_of, text_of
from thread_support import run_at_once

from notifications.kinds import EmailKind
from notifications.models import OutboxEmail
from notifications.services import claim_due_email, deliver_email, resend_email, send_due_emails
from orders.models import Order
from orders.services import record_upstream_order, refresh_order_from_upstream, simulate_order_payment
from orders.states import OrderState

pytestmark = pytest.mark.django_db
Status = OutboxEmail.Status
LINK = re.compile(r"https://shop\.example\.com(/[^\s\"<]*orders/[A-Za-z0-9_-]{43}/)")


def order_link(message) -> str:
    """Return the path of the order link in a message (plain text and HTML carry the same)."""
    text_link = LINK.search(text_of(message)).group(1)
    assert LINK.search(html_of(message)).group(1) == text_link
    return text_link


def wait_for_state(order: Order, state: str, *, tries: int = 60) -> Order:
    import time

    for _ in range(tries):
        refresh_order_from_upstream(order=order, source="sync")
        if order.state == state:
            return order
        time.sleep(0.05)
    raise AssertionError(f"order stayed {order.state}, never {state}")


def test_a_placed_order_is_emailed_once_with_how_to_pay_and_a_link_that_opens_it(smtp, client):
    order = place_order(email="sam@example.com")
    assert send_due_emails() == 1
    assert send_due_emails() == 0
    [message] = smtp.wait_for(1)
    assert message["To"] == "sam@example.com"
    assert order.reference in message["Subject"]
    text = text_of(message)
    facts = (order.reference, order.coin_amount_text, "USDC", "Solana", order.wallet_address, "Airbnb $25")
    for fact in facts:
        assert fact in text
        assert fact in html_of(message)
    assert f"{order.expires_at:%Y}" in text  # the end of the payment window
    page = client.get(order_link(message))
    assert page.status_code == 200
    assert order.wallet_address in page.content.decode()


def test_a_delivered_order_is_emailed_once_with_what_went_to_whom_but_no_code(smtp, client):
    order = place_order(email="kim@example.com")
    send_due_emails()
    simulate_order_payment(order=order, action="pay", end_user=SHOPPER)
    wait_for_state(order, OrderState.DONE)
    assert send_due_emails() == 1
    assert send_due_emails() == 0
    placed, delivered = smtp.wait_for(2)
    assert "delivered" in delivered["Subject"]
    text = text_of(delivered)
    assert "Airbnb $25 for kim@example.com" in text
    code = order.items.get().delivered_secrets()["pin_code"]
    assert code and code not in text and code not in html_of(delivered)
    page = client.get(order_link(delivered))
    assert code in page.content.decode()  # the code is behind the link


@pytest.mark.parametrize(
    ("fixture", "overrides", "kind", "words"),
    [
        ("order_partial.json", {}, EmailKind.PARTIAL_PAYMENT, "Send the rest to the same address"),
        ("order_expired.json", {"sent_coin_amount": "0"}, EmailKind.EXPIRED, "If you sent nothing"),
        ("order_expired.json", {"order_state": "PaymentFailed", "payment_state": "PaymentFailed"},
         EmailKind.PAYMENT_FAILED, "If coins left your wallet"),
        ("order_canceled.json", {}, EmailKind.CANCELED, "no codes were issued"),
        ("order_created.json", {"order_state": "WaitingForManualAction", "payment_state": "PaymentReceived"},
         EmailKind.MANUAL_REVIEW, "Your payment is safe"),
    ],
)
def test_each_problem_is_emailed_once_with_what_to_do(smtp, fixture, overrides, kind, words):
    order = place_order(email="ana@example.com")
    send_due_emails()
    record_upstream_order(order=order, upstream=answer_for(order, fixture, **overrides), source="sync")
    record_upstream_order(order=order, upstream=answer_for(order, fixture, **overrides), source="sync")
    assert OutboxEmail.objects.filter(order=order, kind=kind).count() == 1
    assert send_due_emails() == 1
    assert send_due_emails() == 0
    message = smtp.wait_for(2)[-1]
    assert words in text_of(message)
    assert order.reference in text_of(message)
    assert message["Reply-To"]  # "reply to this email" reaches support


def test_a_refund_is_emailed_after_the_delivery_problem(smtp):
    order = place_order(email="lee@example.com")
    record_upstream_order(order=order, upstream=answer_for(order, "order_created.json",
                          order_state="PaymentReceived"), source="sync")
    record_upstream_order(order=order, upstream=answer_for(order, "order_created.json",
                          order_state="Refunded", payment_state="Refunded"), source="sync")
    assert send_due_emails() == 1  # the payment e-mail was outrun by the refund and is skipped
    [message] = smtp.wait_for(1)
    assert "refunded" in message["Subject"]
    assert OutboxEmail.objects.get(order=order, kind=EmailKind.PLACED).status == Status.SKIPPED


@pytest.mark.parametrize(("lang", "subject_words", "body_words"), [
    ("es", "cómo pagar", "Envía exactamente"),
    ("zh", "如何付款", "付款时限"),
])
def test_emails_are_in_the_language_the_order_was_placed_in(smtp, client, lang, subject_words, body_words):
    order = place_order(email="lu@example.com", lang=lang)
    send_due_emails()
    [message] = smtp.wait_for(1)
    assert subject_words in message["Subject"] and order.reference in message["Subject"]
    assert body_words in text_of(message)
    link = order_link(message)
    prefix = {"es": "/es/", "zh": "/zh-hans/"}[lang]
    assert link.startswith(prefix)
    assert client.get(link).status_code == 200
    assert message["Content-Language"] == {"es": "es", "zh": "zh-hans"}[lang]


def test_with_the_mail_server_down_emails_wait_and_arrive_once_it_is_back(smtp):
    smtp.stop()
    first, second = place_order(email="a@example.com"), place_order(email="b@example.com")
    assert send_due_emails() == 0
    tried = OutboxEmail.objects.get(order=first) if OutboxEmail.objects.get(order=first).attempts else (
        OutboxEmail.objects.get(order=second))
    assert tried.status == Status.PENDING and tried.attempts == 1
    assert "Connection refused" in tried.last_error or "Errno" in tried.last_error
    # One attempt per pass while the server is down: the other keeps its attempts.
    assert OutboxEmail.objects.filter(attempts=0).count() == 1
    assert tried.next_attempt_at > timezone.now()
    assert send_due_emails() == 0  # not due again yet (backoff)
    assert OutboxEmail.objects.get(pk=tried.pk).attempts == 1
    later = timezone.now() + timedelta(seconds=31)
    assert send_due_emails(now=later) == 0
    assert OutboxEmail.objects.get(pk=tried.pk).attempts == 2
    smtp.start()
    # Still inside the payment window: the e-mail telling how to pay is still true, and sent.
    back = later + timedelta(minutes=2)
    assert send_due_emails(now=back) == 2
    assert sorted(m["To"] for m in smtp.wait_for(2)) == ["a@example.com", "b@example.com"]
    assert send_due_emails(now=back + timedelta(minutes=1)) == 0
    assert len(smtp.messages) == 2


def test_retries_wait_longer_each_time_until_the_last_attempt_fails(smtp, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    smtp.stop()
    order = place_order()
    now = timezone.now()
    delays = []
    for _ in range(3):
        send_due_emails(now=now)
        email = OutboxEmail.objects.get(order=order)
        delays.append(email.next_attempt_at - now)
        now = email.next_attempt_at
    assert email.status == Status.FAILED and email.attempts == 3
    assert delays[1] == 2 * delays[0]


def test_a_mailbox_the_server_refuses_fails_at_once_and_is_not_retried(smtp):
    smtp.collector.refuse.add("gone@example.com")
    order = place_order(email="gone@example.com")
    send_due_emails()
    email = OutboxEmail.objects.get(order=order)
    assert email.status == Status.FAILED and email.attempts == 1
    assert "550" in email.last_error
    assert send_due_emails(now=timezone.now() + timedelta(days=1)) == 0


def test_two_claimants_reading_the_same_email_send_it_once(smtp):
    place_order()
    now = timezone.now()
    first = claim_due_email(now=now)
    assert claim_due_email(now=now) is None  # claimed: the other worker finds nothing due
    assert deliver_email(email=first, now=now) == Status.SENT
    assert len(smtp.wait_for(1)) == 1


def test_a_send_whose_worker_died_is_not_sent_again_by_itself_and_staff_see_why(smtp, settings):
    order = place_order()
    claim_due_email(now=timezone.now())  # ...and the worker stops before it reports back
    past_the_claim = timezone.now() + timedelta(seconds=settings.NOTIFICATIONS_CLAIM_SECONDS + 1)
    assert send_due_emails(now=past_the_claim) == 0
    email = OutboxEmail.objects.get(order=order)
    assert email.status == Status.FAILED and "may or may not have arrived" in email.last_error
    assert smtp.messages == []
    assert resend_email(email=email)
    assert send_due_emails() == 1


def test_a_resend_arrives_again_as_a_new_message(smtp):
    order = place_order()
    send_due_emails()
    email = OutboxEmail.objects.get(order=order)
    assert resend_email(email=email)
    assert send_due_emails() == 1
    first, second = smtp.wait_for(2)
    assert first["Message-ID"] != second["Message-ID"]
    assert order_link(first) == order_link(second)


def test_a_payment_email_the_order_outran_is_skipped_not_sent(smtp):
    order = place_order()
    record_upstream_order(order=order, upstream=answer_for(order, "order_expired.json", sent_coin_amount="0"),
                          source="sync")
    assert send_due_emails() == 1
    [message] = smtp.wait_for(1)
    assert order.wallet_address not in text_of(message)  # no address to pay for a closed order
    assert OutboxEmail.objects.get(order=order, kind=EmailKind.PLACED).status == Status.SKIPPED


def test_an_expiry_with_a_late_payment_seen_sends_no_expiry_email(smtp):
    order = place_order()
    record_upstream_order(order=order, upstream=answer_for(
        order, "order_expired.json", payment_state="ExpiredAfterPaymentDetection"), source="sync")
    assert order.late_payment
    assert not OutboxEmail.objects.filter(order=order, kind=EmailKind.EXPIRED).exists()


def test_a_state_change_that_rolls_back_leaves_no_email_behind(smtp):
    order = place_order()
    with pytest.raises(RuntimeError), transaction.atomic():
        record_upstream_order(order=order, upstream=answer_for(order, "order_canceled.json"), source="sync")
        assert OutboxEmail.objects.filter(order=order, kind=EmailKind.CANCELED).exists()
        raise RuntimeError("the process died before the commit")
    assert not OutboxEmail.objects.filter(order=order, kind=EmailKind.CANCELED).exists()


def test_a_failed_submit_sends_nothing(smtp):
    from orders.services import transition_order

    order = Order.objects.create(email="x@example.com", country_code="US", coin="USDC", network="Solana")
    transition_order(order=order, to_state=OrderState.SUBMIT_FAILED, source="checkout")
    assert not OutboxEmail.objects.exists()


def test_the_sync_worker_sends_what_it_enqueued(smtp, capsys):
    from django.core.management import call_command

    place_order()
    call_command("sync_orders")
    assert "sent 1 e-mail(s)" in capsys.readouterr().out
    assert len(smtp.wait_for(1)) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SKIP LOCKED needs PostgreSQL (DATABASE_URL)")
def test_two_workers_racing_on_postgresql_send_each_email_once(smtp):
    orders = [place_order(email=f"racer{n}@example.com") for n in range(8)]
    results = run_at_once(send_due_emails, count=2)
    assert sum(results) == 8
    messages = smtp.wait_for(8)
    assert sorted(m["To"] for m in messages) == sorted(o.email for o in orders)
    assert OutboxEmail.objects.filter(status=Status.SENT).count() == 8
