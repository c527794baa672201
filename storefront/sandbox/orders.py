"""Creating order records from a clean validation, in the live API's order shape."""

from __future__ import annotations

import copy
import uuid

from . import lifecycle, pricing
from .config import SandboxConfig
from .localization import pick_lang
from .shapes import plain
from .store import OrderRecord
from .validation import Validation
from .wallets import new_address, payment_uri


def new_order(validation: Validation, *, now: float, config: SandboxConfig) -> OrderRecord:
    """Return a new order (WaitingForPayment / WalletCreated) for a validation without problems."""
    address = new_address(validation.network)
    amount = validation.coin_amount
    order_id = str(uuid.uuid4())
    at = lifecycle.epoch(now)
    doc: dict = {
        "order_id": order_id,
        "created_at": at,
        "wallet_address": address,
        "payment_method": pricing.payment_method(validation.coin, validation.network),
        "network": validation.network,
        "coin": validation.coin,
        "coin_amount": plain(amount),
        "original_price": plain(validation.coin_total),
        "qr_url": f"{config.barcode_base_url.rstrip('/')}/qr-{order_id}.png",
        "qr_text": payment_uri(validation.coin, validation.network, address, amount),
        "sent_coin_amount": "0",
        "payment_state": None,  # set by enter_state
        "payment_via": pricing.PAYMENT_VIA,
        # The payment window runs from here; there is no expires_at, as live.
        "payment_requested_at": at,
        "payment_method_protocol": pricing.ENGINES[validation.network].protocol,
        "payment_id": str(uuid.uuid4()),
        "payment_value": float(amount),
        "updated_at": at,
        "deliveries": [
            {
                "id": str(uuid.uuid4()),
                "delivery_state": None,  # set by enter_state
                "kind": item.brand.kind,
                "deliverable": copy.deepcopy(item.deliverable),
            }
            for item in validation.items
        ],
        "order_state": None,  # set by enter_state
        "user": {"email": validation.email},
        "is_payment_processor_external": False,
        lifecycle.PRIVATE: {"lang": pick_lang(validation.lang), "late": False},
    }
    record = OrderRecord(
        order_id=order_id,
        email=validation.email.lower(),
        created_ts=now,
        usd_total=validation.usd_total,
        expires_ts=now + config.payment_window_seconds,
        next_state=None,
        next_due=None,
        doc=doc,
    )
    lifecycle.enter_state(record, lifecycle.first_state(validation.email), now, config)
    return record
