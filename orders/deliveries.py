"""Copy the upstream's deliveries (states, and what was delivered, sealed) onto the order's items."""

from __future__ import annotations

from typing import Any

from storefront.upstream import schemas

from .codes import open_secrets, seal_secrets
from .models import Order, OrderItem


def delivered_fields(delivery: schemas.Delivery) -> dict[str, str]:
    """Return what a delivery's deliverable carries for the shopper (code, serial, barcode...)."""
    return delivery.deliverable.delivered() if delivery.deliverable is not None else {}


def _new_item(order: Order, position: int, delivery: schemas.Delivery) -> OrderItem:
    deliverable = delivery.deliverable or schemas.Deliverable()
    return OrderItem.objects.create(
        order=order,
        position=position,
        upstream_delivery_id=delivery.id or "",
        brand_name=deliverable.brand_name or "",
        family=deliverable.family or "",
        kind=delivery.kind or "giftcard",
        country_code=(deliverable.country_code or order.country_code or "")[:2],
        denomination=deliverable.denomination or "",
        localized_denomination=deliverable.localized_denomination or "",
        product_value=deliverable.product_value,
        currency=deliverable.currency_code or "",
        beneficiary_account=deliverable.beneficiary_account or "",
    )


def _match_items(items: list[OrderItem], deliveries: list[schemas.Delivery]) -> list[OrderItem | None]:
    """Pair each delivery with an item: by the upstream's delivery id, else by position.

    A delivery with an id not seen before takes the first item that has none yet, so the first
    answer (which brings the ids) pairs them in cart order and every later one by id.
    """
    by_id = {item.upstream_delivery_id: item for item in items if item.upstream_delivery_id}
    free = [item for item in items if not item.upstream_delivery_id]
    matched: list[OrderItem | None] = []
    for position, delivery in enumerate(deliveries):
        item = by_id.get(delivery.id) if delivery.id else None
        if item is None and delivery.id:
            item = free.pop(0) if free else None
        elif item is None:
            item = items[position] if position < len(items) else None
        matched.append(item)
    return matched


def record_deliveries(*, order: Order, deliveries: list[schemas.Delivery]) -> None:
    """Update each item's delivery id, state and sealed delivered fields from the upstream deliveries.

    Deliveries beyond the items the order has (an order recorded without a cart, a quantity the
    upstream expanded) become items of their own. Call inside the transaction of the whole answer.
    """
    items = list(order.items.all())
    pairs = zip(deliveries, _match_items(items, deliveries), strict=True)
    for position, (delivery, item) in enumerate(pairs):
        if item is None:
            item = _new_item(order, position, delivery)
        changes: dict[str, Any] = {}
        if delivery.id and delivery.id != item.upstream_delivery_id:
            changes["upstream_delivery_id"] = delivery.id
        state = delivery.delivery_state or ""
        if state and state != item.delivery_state:
            changes["delivery_state"] = state
        delivered = delivered_fields(delivery)
        if delivered and delivered != open_secrets(item.code_ciphertext):
            changes["code_ciphertext"] = seal_secrets(delivered)
        if changes:
            OrderItem.objects.filter(pk=item.pk).update(**changes)
            for name, value in changes.items():
                setattr(item, name, value)
