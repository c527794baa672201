"""The staff dashboard: one page, linked first from the admin index."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .overview import get_dashboard, period_days


def dashboard(request: HttpRequest) -> HttpResponse:
    """Show how the shop is doing: what needs attention first, then orders, the funnel and the upstream."""
    # Staff who may not read orders must not read their sums either.
    if not request.user.has_perm("orders.view_order"):
        raise PermissionDenied
    board = get_dashboard(days=period_days(request.GET.get("days")))
    context = {**admin.site.each_context(request), "title": _("Shop dashboard"), "board": board}
    return render(request, "dashboard/index.html", context)
