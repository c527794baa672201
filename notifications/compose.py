"""Build each e-mail, in its reader's language, HTML and plain text, from templates/emails/."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from orders.models import Order, OrderItem
from orders.payment import plain_amount
from orders.states import OrderState
from storefront.i18n import UPSTREAM_LANGS

from .kinds import NEEDS_YOU_KINDS, EmailKind, is_still_true
from .models import OutboxEmail
from .selectors import recent_orders_for_address

K = EmailKind
SHOP_LANGUAGES = {upstream: shop for shop, upstream in UPSTREAM_LANGS.items()}


def shop_language(order_lang: str) -> str:
    """Return the shop language of an order's `lang` (the upstream's code: "zh" is "zh-hans")."""
    code = (order_lang or "").lower()
    if code in dict(settings.LANGUAGES):
        return code
    return SHOP_LANGUAGES.get(code, settings.LANGUAGE_CODE)


def order_url(order: Order, *, language: str) -> str:
    """Return the absolute secret URL of an order's page, in `language`."""
    with translation.override(language):
        return settings.SITE_URL + reverse("orders:detail", kwargs={"token": order.token})


def find_orders_url(*, language: str) -> str:
    with translation.override(language):
        return settings.SITE_URL + reverse("notifications:find_orders")


def item_label(item: OrderItem) -> str:
    """Return an item as the order page names it: "Steam $10", "Amazon.com 25 USD"."""
    if item.localized_denomination:
        value = item.localized_denomination
    elif item.product_value is not None:
        value = f"{item.product_value.normalize():f} {item.currency}".strip()
    else:
        value = item.denomination
    return f"{item.brand_name} {value}"


# Delivered fields named for the shopper; the values stay on the order page.
DELIVERED_FIELD_WORDS: dict[str, Promise] = {
    "pin_code": _("a code or redemption link"),
    "pin_serial": _("a serial number"),
    "security_code": _("a security code"),
    "barcode_image_url": _("a barcode"),
    "redeem_instructions": _("how to redeem it"),
}


def delivered_words(item: OrderItem) -> list[str]:
    """Return what was delivered for an item, in words, without the codes themselves."""
    delivered = item.delivered_secrets()
    return [str(words) for name, words in DELIVERED_FIELD_WORDS.items() if delivered.get(name)]


@dataclass(frozen=True)
class NeedsYouCopy:
    subject: Promise
    what_happened: Promise
    what_to_do: Promise


NEEDS_YOU_COPY: dict[str, NeedsYouCopy] = {
    K.PARTIAL_PAYMENT: NeedsYouCopy(
        _("Part of your payment arrived"),
        _("We received less than the amount of your order."),
        _("Send the rest to the same address, on the same network and in the same coin, before the "
          "payment window closes. The order page shows the exact amount still due."),
    ),
    K.EXPIRED: NeedsYouCopy(
        _("Your order expired"),
        _("The payment window closed before a full payment arrived."),
        _("If you sent nothing, there is nothing to do: place a new order whenever you like. If you did "
          "send coins, reply to this email with your order reference and the transaction hash."),
    ),
    K.PAYMENT_FAILED: NeedsYouCopy(
        _("Your payment failed"),
        _("The payment was rejected or failed on-chain."),
        _("If coins left your wallet, reply to this email with your order reference and the transaction "
          "hash. Otherwise you can place a new order."),
    ),
    K.PAYMENT_SETUP_FAILED: NeedsYouCopy(
        _("We could not set up your payment"),
        _("No payment address could be created for this order."),
        _("Do not send anything for it. Place a new order, or choose another coin or network."),
    ),
    K.REFUNDED: NeedsYouCopy(
        _("Your payment was refunded"),
        _("The coins of this order were sent back to you."),
        _("Nothing else is needed. If you have questions, reply to this email with your order reference."),
    ),
    K.CANCELED: NeedsYouCopy(
        _("Your order was canceled"),
        _("This order was canceled and no codes were issued for it."),
        _("If you sent coins, reply to this email with your order reference and the transaction hash. "
          "Otherwise you can place a new order."),
    ),
    K.MANUAL_REVIEW: NeedsYouCopy(
        _("Our team is checking your order"),
        _("Your payment is safe. A person needs to look at this order (a verification or a supplier "
          "issue)."),
        _("There is nothing to do now. We email you again when it is delivered, and the order page "
          "shows every step."),
    ),
}
assert set(NEEDS_YOU_COPY) == NEEDS_YOU_KINDS


@dataclass(frozen=True)
class Composed:
    subject: str
    template: str
    context: dict


def _order_email(email: OutboxEmail, *, now: datetime) -> Composed | str:
    """Return what an order e-mail says, or why it is no longer sent."""
    order = email.order
    if not is_still_true(kind=email.kind, state=order.state):
        return f"The order moved on to {order.state} before this e-mail went out."
    items = list(order.items.all())
    context = {
        "order": order,
        "items": [
            {"label": item_label(item), "to": item.beneficiary_account, "item": item} for item in items
        ],
        "order_url": order_url(order, language=email.lang),
    }
    reference = order.reference
    if email.kind == K.PLACED:
        if order.expires_at is not None and order.expires_at <= now:
            return "The payment window had closed before this e-mail went out."
        subject = _("Order %(reference)s: how to pay") % {"reference": reference}
        return Composed(str(subject), "emails/order_placed", context)
    if email.kind == K.DELIVERED:
        for entry, item in zip(context["items"], items, strict=True):
            entry["delivered"] = delivered_words(item)
        subject = _("Order %(reference)s is delivered") % {"reference": reference}
        return Composed(str(subject), "emails/order_delivered", context)
    copy = NEEDS_YOU_COPY[email.kind]
    paid_something = bool(order.coin_amount_paid)
    context.update(copy=copy, paid_something=paid_something,
                   amount_due=plain_amount(order.coin_amount_due) if email.kind == K.PARTIAL_PAYMENT else "")
    subject = _("Order %(reference)s: %(what)s") % {"reference": reference, "what": copy.subject}
    return Composed(str(subject), "emails/needs_you", context)


def _links_email(email: OutboxEmail, *, now: datetime) -> Composed | str:
    orders = list(recent_orders_for_address(email=email.to, now=now))
    if not orders:
        return "No orders from this address in the lookup window: nothing is sent."
    context = {
        "orders": [{"order": order, "url": order_url(order, language=email.lang)} for order in orders],
        "days": settings.NOTIFICATIONS_LOOKUP_DAYS,
    }
    return Composed(str(_("Your Coinshelf orders")), "emails/order_links", context)


def message_id(email: OutboxEmail) -> str:
    """Return a Message-ID fixed per e-mail and resend, so a receiver can tell a repeat by it.

    The row's creation time keeps it unique where ids start again (a reset sandbox, a restored copy):
    mail clients hide a message whose Message-ID they have seen.
    """
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "coinshelf.invalid"
    created = int(email.created_at.timestamp() * 1_000_000)
    return f"<coinshelf.{email.kind}.{email.pk}.{created}.{email.resends}@{domain}>"


def compose_email(email: OutboxEmail, *, now: datetime) -> EmailMultiAlternatives | str:
    """Return the message for an outbox row, in its language, or the reason it is not sent any more."""
    with translation.override(email.lang):
        if email.kind == K.ORDER_LINKS:
            composed = _links_email(email, now=now)
        else:
            composed = _order_email(email, now=now)
        if isinstance(composed, str):
            return composed
        context = {
            **composed.context,
            "subject": composed.subject,
            "site_url": settings.SITE_URL,
            "find_orders_url": find_orders_url(language=email.lang),
            "lang": email.lang,
            "states": OrderState,
        }
        text = render_to_string(f"{composed.template}.txt", context)
        html = render_to_string(f"{composed.template}.html", context)
    message = EmailMultiAlternatives(
        subject=composed.subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        reply_to=[settings.SUPPORT_EMAIL],
        headers={"Message-ID": message_id(email), "Content-Language": email.lang,
                 "Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return message
