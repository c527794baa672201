"""Staff's view of orders: every order, its items and history; codes masked; nothing edited by hand."""

from __future__ import annotations

import csv
from datetime import datetime
from decimal import Decimal

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications.admin import OutboxEmailInline
from storefront.upstream.errors import UpstreamError

from .admin_scaling import CappedCountPaginator, distinct_values_filter
from .codes import SECRET_FIELDS, mask
from .models import Order, OrderEvent, OrderItem
from .payment import plain_amount
from .presentation import payment_state_words
from .selectors import any_attention_q, needs_attention_q
from .services import expire_order_if_lapsed, refresh_order_from_upstream, stuck_after
from .states import STATE_TONES

CSV_COLUMNS = (
    "created_at",
    "reference",
    "email",
    "state",
    "coin",
    "network",
    "coin_amount_text",
    "coin_amount_paid",
    "coin_amount_due",
    "country_code",
    "upstream_order_id",
    "upstream_state",
    "payment_state",
    "wallet_address",
    "late_payment",
)


def csv_safe(value: object) -> str:
    """Return a cell that spreadsheets will not run as a formula.

    Amounts are written as the upstream wrote them ("0", "35.77", not the column's "0E-9" or
    "35.770000000") and times in ISO 8601, so a spreadsheet or a script reads them alike.
    """
    if isinstance(value, Decimal):
        text = plain_amount(value)
    elif isinstance(value, datetime):
        text = value.isoformat()
    else:
        text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class NeedsAttentionFilter(admin.SimpleListFilter):
    title = _("needs attention")
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [
            ("yes", _("Needs attention")),
            ("stuck", _("Paid, not delivered for long")),
            ("partial", _("Partial payment")),
            ("late", _("Late payment")),
            ("unknown", _("Unknown upstream state")),
            ("manual", _("Manual review")),
            ("failed", _("Submit failed")),
        ]

    def queryset(self, request, queryset):
        stuck_before = timezone.now() - stuck_after()
        reasons = needs_attention_q(stuck_before=stuck_before)
        if self.value() == "yes":
            condition = any_attention_q(stuck_before=stuck_before)
        elif self.value() in reasons:
            condition = reasons[self.value()]
        else:
            return queryset
        # As a subquery of its own the candidates' partial index leads; beside the list's ORDER BY
        # id and its other filters, SQLite walked all the orders by id instead (33 ms at 100,000).
        return queryset.filter(pk__in=Order.objects.filter(condition).values("pk"))


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


# How staff read each delivered field's name; the values themselves are masked.
DELIVERED_FIELD_NAMES = {
    "pin_code": _("code"),
    "pin_serial": _("serial"),
    "security_code": _("security code"),
    "barcode_image_url": _("barcode"),
    "redeem_instructions": _("redeem instructions"),
}


def masked_delivery(secrets: dict[str, str]) -> str:
    """Return what was delivered as staff may see it: each field named, codes masked, texts only noted."""
    shown = []
    for name in SECRET_FIELDS:
        value = secrets.get(name)
        if not value:
            continue
        label = str(DELIVERED_FIELD_NAMES.get(name, name))
        masked = mask(value) if name in ("pin_code", "pin_serial", "security_code") else "✓"
        shown.append(f"{label} {masked}")
    return " · ".join(shown) or "—"


class OrderItemInline(ReadOnlyInline):
    model = OrderItem
    fields = (
        "brand_name", "denomination", "product_value", "beneficiary_account", "delivery_state",
        "upstream_delivery_id", "delivered",
    )
    readonly_fields = fields

    @admin.display(description=_("delivered"))
    def delivered(self, item: OrderItem) -> str:
        return masked_delivery(item.delivered_secrets())


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ("created_at", "from_state", "to_state", "source", "note")
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    # Compact cells (admin-orders.css) so the list fits 1280 px with the sidebars open, unscrolled.
    list_display = (
        "created",
        "reference",
        "email_address",
        "state_label",
        "payment",
        "country_code",
    )
    list_display_links = ("reference",)
    # Filters with fixed or cached choices and a capped count: the list costs the same for
    # 100 orders as for 100,000 (no DISTINCT or COUNT over the whole table per page view).
    list_filter = (
        NeedsAttentionFilter,
        "state",
        distinct_values_filter("coin", _("coin")),
        distinct_values_filter("network", _("network")),
        distinct_values_filter("country_code", _("country")),
        ("created_at", admin.DateFieldListFilter),
    )
    search_fields = ("email", "reference", "=upstream_order_id", "=wallet_address")
    ordering = ("-id",)
    paginator = CappedCountPaginator
    list_per_page = 100
    show_full_result_count = False
    inlines = (OrderItemInline, OrderEventInline, OutboxEmailInline)
    actions = ("refresh_from_upstream", "export_csv")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "reference",
                    "state_label",
                    "upstream_state",
                    "email",
                    "full_name",
                    "country_code",
                    "lang",
                    "created_at",
                )
            },
        ),
        (
            _("Payment (from the upstream)"),
            {
                "fields": (
                    "upstream_order_id",
                    "coin",
                    "network",
                    "coin_amount_text",
                    "amount_paid",
                    "amount_due",
                    "wallet_address",
                    "payment_state_in_words",
                    "late_payment",
                    "expires_at",
                    "synced_at",
                )
            },
        ),
        (
            _("Shopper"),
            {"classes": ("collapse",), "fields": ("shopper_ip", "shopper_user_agent", "promo_code")},
        ),
        (_("Failure"), {"classes": ("collapse",), "fields": ("failure_reason",)}),
    )

    class Media:
        css = {"all": ("css/admin-orders.css",)}

    def get_readonly_fields(self, request, obj=None):
        # Orders change only through their services, so every change leaves an event.
        return [name for fieldset in self.fieldsets for name in fieldset[1]["fields"]]

    def has_add_permission(self, request) -> bool:
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Everything is read-only, so a Save button would only mislead.
        extra_context = {**(extra_context or {}), "show_save": False, "show_save_and_continue": False}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("payment state"))
    def payment_state_in_words(self, order: Order) -> str:
        words = payment_state_words(order.payment_state)
        if not words:
            return "—"
        return words if words == order.payment_state else f"{words} ({order.payment_state})"

    @admin.display(description=_("amount paid"))
    def amount_paid(self, order: Order) -> str:
        return plain_amount(order.coin_amount_paid) or "—"

    @admin.display(description=_("amount due"))
    def amount_due(self, order: Order) -> str:
        return plain_amount(order.coin_amount_due) or "—"

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("created"), ordering="created_at")
    def created(self, order: Order):
        when = timezone.localtime(order.created_at)
        return format_html(
            '<time datetime="{}" title="{}">{} <span class="list-time">{}</span></time>',
            when.isoformat(),
            date_format(when, "DATETIME_FORMAT"),
            when.strftime("%Y-%m-%d"),
            when.strftime("%H:%M"),
        )

    @admin.display(description=_("email"), ordering="email")
    def email_address(self, order: Order):
        # Cut short by CSS; the title keeps the whole address a hover away.
        return format_html('<span class="list-email" title="{}">{}</span>', order.email, order.email)

    @admin.display(description=_("amount"), ordering="coin_amount")
    def payment(self, order: Order):
        # The exact amount with its coin, and the network under it: one cell instead of three.
        return format_html(
            '{} {} <span class="list-network">{}</span>',
            order.coin_amount_text or "—",
            order.coin,
            order.network,
        )

    @admin.display(description=_("state"), ordering="state")
    def state_label(self, order: Order):
        label = format_html(
            '<span class="state-label state-{}">{}</span>',
            STATE_TONES.get(order.state, "neutral"),
            order.get_state_display(),
        )
        # Flags staff must not miss: a late payment, and a state the shop does not know.
        if order.late_payment:
            label += format_html(' <span class="state-flag state-flag-late">{}</span>', _("late"))
        if order.has_unknown_upstream_state:
            label += format_html(
                ' <span class="state-flag state-flag-unknown" title="{}">{}</span>',
                _("The upstream reports a state the shop does not know"),
                order.upstream_state,
            )
        return label

    @admin.action(description=_("Refresh from upstream"), permissions=["change"])
    def refresh_from_upstream(self, request: HttpRequest, queryset) -> None:
        refreshed, failed = 0, 0
        for order in queryset.exclude(upstream_order_id=None):
            try:
                refresh_order_from_upstream(order=order, source=OrderEvent.Source.STAFF)
                refreshed += 1
            except UpstreamError:
                failed += 1
            expire_order_if_lapsed(order=order)
        if refreshed:
            self.message_user(
                request,
                ngettext(
                    "%(count)d order refreshed from the upstream.",
                    "%(count)d orders refreshed from the upstream.",
                    refreshed,
                )
                % {"count": refreshed},
                messages.SUCCESS,
            )
        if failed:
            self.message_user(
                request,
                ngettext(
                    "%(count)d order could not be refreshed: the upstream did not answer.",
                    "%(count)d orders could not be refreshed: the upstream did not answer.",
                    failed,
                )
                % {"count": failed},
                messages.WARNING,
            )

    @admin.action(description=_("Export CSV"), permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="orders-{stamp}.csv"'
        writer = csv.writer(response)
        writer.writerow(CSV_COLUMNS)
        for row in queryset.order_by("-created_at").values_list(*CSV_COLUMNS).iterator():
            writer.writerow([csv_safe(value) for value in row])
        return response
