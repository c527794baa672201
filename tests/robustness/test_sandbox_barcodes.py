"""In sandbox mode a delivered code's barcode loads from the shop itself, as the CSP requires."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from django.urls import reverse
from sandbox_products import STEAM_10

from orders.models import Order

pytestmark = pytest.mark.django_db


def buy_and_pay(client) -> Order:
    """Buy a Steam card through the shop, pay it in the sandbox and wait until it is delivered."""
    client.post("/cart/add/", {**STEAM_10, "quantity": "1", "product_value": ""})
    response = client.post(
        "/checkout/",
        {"idempotency_key": str(uuid.uuid4()), "email": "buyer@example.com", "payment": "USDC|Solana"},
    )
    assert response.status_code == 302, response
    order = Order.objects.get()
    client.post(reverse("orders:simulate", kwargs={"token": order.token}), {"action": "pay"})
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        Order.objects.filter(pk=order.pk).update(synced_at=None)  # the page asks the sandbox again
        if client.get(response.url, headers={"HX-Request": "true"}).status_code == 286:
            return order
        time.sleep(0.05)
    raise AssertionError(f"order never finished: {Order.objects.get().state}")


def test_a_done_orders_barcode_image_loads_from_the_shop(client):
    order = buy_and_pay(client)
    page = client.get(reverse("orders:detail", kwargs={"token": order.token}))
    html = page.content.decode()
    assert "Your order is complete" in html
    found = re.search(r'<figure class="code-barcode"><img src="([^"]+)"', html)
    assert found, "the Done page shows no barcode image"
    src = found.group(1)
    # The CSP lets images load only from the shop itself (or data:): the src is a local path.
    assert "img-src 'self'" in page["Content-Security-Policy"]
    assert src.startswith("/") and not src.startswith("//"), src
    image = client.get(src)
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")
    assert "no-store" in image["Cache-Control"]


@pytest.mark.parametrize(
    "name",
    ["nothing.png", f"{uuid.uuid4()}.gif", f"{uuid.uuid4()}.png%3Fx", "..%2F..%2Flogos%2Fairbnb.webp"],
)
def test_an_unknown_barcode_is_404(client, name):
    assert client.get(f"/sandbox/barcodes/{name}").status_code == 404


def test_an_orders_qr_image_is_forwarded_too(client):
    response = client.get(f"/sandbox/barcodes/qr-{uuid.uuid4()}.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
