"""Copy a new shopper and a new staff member misread (issue 16, item 7)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from catalog.forms import amount_problem
from checkout.phones import normalize_phone
from orders.presentation import copy_for
from orders.states import OrderState
from storefront.upstream.schemas import ProductRange


def test_the_admin_log_in_limit_does_not_talk_about_orders(client, settings, db):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "admin_login": (1, 300)}
    for _attempt in range(2):
        response = client.post("/admin/login/", {"username": "x", "password": "y"}, REMOTE_ADDR="192.0.2.9")
    assert response.status_code == 429
    assert b"Slow down" in response.content
    assert b"Nothing you already ordered" not in response.content


def test_a_shoppers_limit_still_says_their_orders_are_safe(client, settings, db):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "validate": (1, 60)}
    for _attempt in range(2):
        response = client.post("/checkout/", {}, REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 429
    assert b"Nothing you already ordered is affected." in response.content


def test_an_open_amount_error_says_the_whole_rule():
    whole = ProductRange(min=2, max=500, currency="USD", step_size=1)
    for value in ("37.5", "1", "501"):
        assert "Amounts are whole numbers from 2 to 500 USD." in amount_problem(
            whole, Decimal(value), currency="USD")


def test_phone_messages_name_the_country_in_the_shoppers_language():
    with translation.override("es"):
        with pytest.raises(ValidationError) as refused:
            normalize_phone("12", country_code="MX")
        message = " ".join(refused.value.messages)
    assert "México" in message and "MX" not in message


def test_the_payment_copy_says_where_to_send_once():
    for state in (OrderState.CREATED, OrderState.WAITING_FOR_PAYMENT):
        text = str(copy_for(state).next_step)
        assert "below to the address below" not in text
        assert "payment address" in text
