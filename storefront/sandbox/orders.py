"""Creating order records from a clean validation."""

from __future__ import annotations

import secrets
import string

from . import lifecycle
from .shapes import plain
from .store import OrderRecord
from .validation import Validation
from .wallets import new_address, payment_uri

ID_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str, size: int) -> str:
    """Return a random identifier such as ``ord_`` + 22 characters."""
    return prefix + "".join(secrets.choice(ID_ALPHABET) for _ in range(size))


def new_order(validation: Validation, *, now: float, window_seconds: int, step_seconds: float) -> OrderRecord:
    """Return a new order in state Created for a validation without problems."""
    address = new_address(validation.network)
    amount = validation.coin_amount
    doc: dict = {
        "order_id": new_id("ord_", 22),
        "order_state": lifecycle.CREATED,
        "payment_state": lifecycle.PAYMENT_STATES[lifecycle.CREATED],
        "email": validation.email,
        "coin": validation.coin,
        "network": validation.network,
        "coin_amount": plain(amount),
        "coin_amount_paid": "0",
        "coin_amount_due": plain(amount),
        "wallet_address": address,
    }
    uri = payment_uri(validation.coin, validation.network, address, amount)
    if uri is not None:
        doc["qr_text"] = uri
    doc.update(
        created_at=lifecycle.iso(now),
        expires_at=lifecycle.iso(now + window_seconds),
        late_payment=False,
        lang=validation.lang,
        deliveries=[
            {
                "delivery_id": new_id("dlv_", 16),
                "brand_name": item.brand.name,
                "country_code": item.brand.country_code,
                "kind": item.brand.kind,
                "denomination": item.product.denomination,
                "product_value": plain(item.value),
                "beneficiary_account": item.beneficiary,
                "delivery_state": "Created",
                "deliverable": {"beneficiary_account": item.beneficiary, "pin_code": None},
            }
            for item in validation.items
        ],
    )
    record = OrderRecord(
        order_id=doc["order_id"],
        email=validation.email.lower(),
        created_ts=now,
        usd_total=validation.usd_total,
        expires_ts=now + window_seconds,
        next_state=None,
        next_due=None,
        doc=doc,
    )
    lifecycle.enter_state(record, lifecycle.CREATED, now, step_seconds)
    return record
