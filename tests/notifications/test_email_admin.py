"""Staff see each order's emails in its admin page (status, attempts, error) and can resend one."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group, User
from mail_orders import place_order
from smtp_support import *  # noqa: F403  (fixtures: smtp, smtp_settings)

from notifications.models import OutboxEmail
from notifications.services import send_due_emails

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(User.objects.create_superuser("boss", "boss@example.com", "pw-for-tests-only"))
    return client


def test_the_order_page_in_admin_lists_its_emails_with_status_and_attempts(staff_client, smtp):
    order = place_order(email="sam@example.com")
    smtp.stop()
    send_due_emails()
    page = staff_client.get(f"/admin/orders/order/{order.pk}/change/").content.decode()
    assert "Order placed" in page
    assert "pending" in page
    assert re.search(r'<td class="field-attempts">\s*<p>1</p>', page)
    assert "Connection refused" in page or "Errno" in page


def test_staff_resend_an_email_and_it_arrives_again(staff_client, smtp):
    order = place_order(email="sam@example.com")
    send_due_emails()
    email = OutboxEmail.objects.get(order=order)
    page = staff_client.get(f"/admin/orders/order/{order.pk}/change/").content.decode()
    resend_url = f"/admin/notifications/outboxemail/{email.pk}/resend/"
    assert f'formaction="{resend_url}"' in page  # a button inside the order's form: no JavaScript
    answer = staff_client.post(resend_url)
    assert answer.status_code == 302 and answer["Location"] == f"/admin/orders/order/{order.pk}/change/"
    assert OutboxEmail.objects.get(pk=email.pk).status == OutboxEmail.Status.PENDING
    send_due_emails()
    assert len(smtp.wait_for(2)) == 2
    assert staff_client.get(resend_url).status_code == 405


def test_read_only_support_staff_see_the_emails_but_cannot_resend(client, smtp):
    order = place_order()
    send_due_emails()
    user = User.objects.create_user("helper", "helper@example.com", "pw-for-tests-only", is_staff=True)
    user.groups.add(Group.objects.get(name="Order support"))
    client.force_login(user)
    email = OutboxEmail.objects.get(order=order)
    assert "Order placed" in client.get(f"/admin/orders/order/{order.pk}/change/").content.decode()
    assert client.post(f"/admin/notifications/outboxemail/{email.pk}/resend/").status_code == 403
    assert OutboxEmail.objects.get(pk=email.pk).resends == 0
