"""Copy the upstream's delivery states (and codes, encrypted) onto the order's items."""

from __future__ import annotations

from typing import Any

from storefront.upstream import schemas

from .codes import SECRET_FIELDS, open_secrets, seal_secrets
from .models import Order, OrderItem


def deliverable_secrets(delivery: schemas.OrderDelivery) -> dict[str, str]:
    """Return the secret fields of a delivery's deliverable (code, redemption link, eSIM details)."""
    if delivery.deliverable is None:
        return {}
    data: dict[str, Any] = delivery.deliverable.model_dump()
    return {name: str(data[name]) for name in SECRET_FIELDS if data.get(name)}


def _new_item(order: Order, position: int, delivery: schemas.OrderDelivery) -> OrderItem:
    return OrderItem.objects.create(
        order=order,
        position=position,
        brand_name=delivery.brand_name or "",
        kind=delivery.kind or "giftcard",
        country_code=(delivery.country_code or order.country_code or "")[:2],
        denomination=delivery.denomination or "",
        product_value=delivery.product_value,
        beneficiary_account=delivery.beneficiary_account or "",
    )


def record_deliveries(*, order: Order, deliveries: list[schemas.OrderDelivery]) -> None:
    """Update each item's delivery state and sealed code from the upstream deliveries, matched by position.

    Deliveries beyond the items the order has (an order recorded without a cart, a quantity the
    upstream expanded) become items of their own.
    """
    items = list(order.items.all())
    for position, delivery in enumerate(deliveries):
        item = items[position] if position < len(items) else _new_item(order, position, delivery)
        changes: dict[str, Any] = {}
        state = delivery.delivery_state or ""
        if state and state != item.delivery_state:
            changes["delivery_state"] = state
        secrets = deliverable_secrets(delivery)
        if secrets and secrets != open_secrets(item.code_ciphertext):
            changes["code_ciphertext"] = seal_secrets(secrets)
        if changes:
            OrderItem.objects.filter(pk=item.pk).update(**changes)
            for name, value in changes.items():
                setattr(item, name, value)
