"""Staff's view of e-mails: each order's in its page (sent, pending, failed, attempts), and a resend."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from .models import OutboxEmail
from .services import resend_email

EMAIL_FIELDS = ("kind", "to", "lang", "status", "attempts", "created_at", "sent_at", "next_attempt_at",
                "last_error")


def resend_button(email: OutboxEmail) -> str:
    """Return a Resend button that posts to the resend view from inside any admin form (no JavaScript)."""
    if email.pk is None or email.status == OutboxEmail.Status.SENDING:
        return "—"
    url = reverse("admin:notifications_outboxemail_resend", args=[email.pk])
    return format_html(
        '<button type="submit" class="button" formaction="{}" formmethod="post" name="resend" value="{}">'
        "{}</button>",
        url, email.pk, _("Resend"),
    )


class OutboxEmailInline(admin.TabularInline):
    """The e-mails of one order, read-only, each with a Resend button; added to the order admin."""

    model = OutboxEmail
    fields = (*EMAIL_FIELDS, "resend")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = _("email")
    verbose_name_plural = _("emails")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("resend"))
    def resend(self, email: OutboxEmail) -> str:
        return resend_button(email)


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "to", "status", "attempts", "sent_at", "order")
    list_filter = ("status", "kind")
    search_fields = ("to", "order__reference")
    list_select_related = ("order",)
    readonly_fields = (*EMAIL_FIELDS, "order", "resend")
    fields = readonly_fields
    actions = ("resend_selected",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "show_save": False, "show_save_and_continue": False}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("resend"))
    def resend(self, email: OutboxEmail) -> str:
        return resend_button(email)

    def get_urls(self):
        view = self.admin_site.admin_view(require_POST(self.resend_view))
        return [path("<int:pk>/resend/", view, name="notifications_outboxemail_resend"), *super().get_urls()]

    def resend_view(self, request: HttpRequest, pk: int):
        # Staff who may only look (the "Order support" group) see the button but cannot resend.
        if not self.has_view_permission(request) or not request.user.has_perm("orders.change_order"):
            raise PermissionDenied
        email = get_object_or_404(OutboxEmail, pk=pk)
        self._report(request, resend_email(email=email), email)
        if email.order_id:
            return HttpResponseRedirect(reverse("admin:orders_order_change", args=[email.order_id]))
        return HttpResponseRedirect(reverse("admin:notifications_outboxemail_change", args=[pk]))

    @admin.action(description=_("Resend"), permissions=["view"])
    def resend_selected(self, request: HttpRequest, queryset) -> None:
        if not request.user.has_perm("orders.change_order"):
            raise PermissionDenied
        for email in queryset:
            self._report(request, resend_email(email=email), email)

    def _report(self, request: HttpRequest, resent: bool, email: OutboxEmail) -> None:
        if resent:
            message = _("%(email)s will be sent again.") % {"email": email}
            self.message_user(request, message, messages.SUCCESS)
        else:
            self.message_user(
                request, _("%(email)s is being sent right now; try again in a moment.") % {"email": email},
                messages.WARNING,
            )
