"""LOG_FORMAT=json: one JSON object per line, with request id, order and endpoint, and no secrets.

A whole purchase (a refused checkout, a placed order, a payment, the delivery) is walked without
JavaScript while every log line of the shop is captured in the JSON format, at DEBUG.
"""

from __future__ import annotations

import io
import json
import logging
import re
import sys
import time
from pathlib import Path

import pytest

# The contract walk's shopper (a browser without JavaScript) lives beside its tests.
sys.path.insert(0, str(Path(__file__).resolve().parent / "contract"))
from shopper import Shopper  # noqa: E402
from test_shop_walk import BUYER, browse_and_fill_cart, fill_checkout  # noqa: E402

from orders.models import Order  # noqa: E402
from storefront.logging import JsonFormatter, redact  # noqa: E402
from storefront.upstream.factory import SANDBOX_PARTNER_ID  # noqa: E402

pytestmark = pytest.mark.django_db
REFUSED = "kyc_missing@sandbox.test"


@pytest.fixture
def json_log():
    """Capture every log line of the process as LOG_FORMAT=json writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def _purchase(client) -> tuple[Order, list[str]]:
    shopper = Shopper(client)
    browse_and_fill_cart(shopper)
    form, overrides = fill_checkout(shopper, email=REFUSED)
    assert shopper.submit(form, overrides).url == "/checkout/"
    form, overrides = fill_checkout(shopper, email=BUYER)
    payment = shopper.submit(form, overrides)
    shopper.submit(payment.form(having="action"), {"action": "pay"})
    for _ in range(40):
        time.sleep(0.2)
        if "Your codes" in shopper.open(payment.url).text:
            break
    order = Order.objects.get(email=BUYER)
    codes = [value for item in order.items.all() for value in item.delivered_secrets().values() if value]
    assert codes, "the walk ended before the delivery"
    return order, codes


def test_the_logs_of_a_purchase_are_json_lines_without_codes_partner_id_or_emails(client, settings, json_log):
    settings.ORDERS_REFRESH_SECONDS = 1
    order, codes = _purchase(client)
    # A failure in the middle of it, logged with the order and the endpoint the shop was calling.
    logging.getLogger("orders.services").warning("order %s: sync failed: GET /v5/orders/%s timed out",
                                                 order.reference, order.upstream_order_id)
    text = json_log.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    assert lines and all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    for secret in [*codes, SANDBOX_PARTNER_ID, BUYER, REFUSED, order.token]:
        # As a whole token: a three-digit security code also turns up inside request ids and UUIDs.
        assert not re.search(rf"(?<![\w-]){re.escape(secret)}(?![\w-])", text), f"{secret!r} was logged"
    about_order = [line for line in lines if line.get("order") == order.reference]
    assert about_order and about_order[-1]["upstream_endpoint"] == "GET /v5/orders/{id}"


def test_each_request_has_an_id_in_its_lines_and_its_answer(client, json_log):
    # A page that does not exist: Django logs "Not Found" for it.
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="proxy-req-12345")
    assert response.status_code == 404 and response["X-Request-ID"] == "proxy-req-12345"
    assert len(client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nforged")["X-Request-ID"]) == 32
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    assert any(line.get("request_id") == "proxy-req-12345" and "Not Found" in line["message"]
               for line in lines)


def test_redact_keeps_the_first_letter_and_domain_of_an_email_and_blanks_codes(settings):
    settings.CRYPTOREFILLS_PARTNER_ID = "partner-1234-secret"
    text = redact('jane.doe@example.com paid; {"pin_code": "AQ7K-9MZT"} for partner-1234-secret at '
                  "/orders/" + "x" * 43 + "/")
    assert text == 'j***@example.com paid; {"pin_code": "[redacted]"} for [partner-id] at /orders/[token]/'
