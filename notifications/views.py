"""Find my orders (a form, then the same answer for every address) and the sandbox's mailbox."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods

from storefront.ratelimit import rate_limited

from .forms import FindOrdersForm
from .mail_backend import MailDirBackend
from .mailbox import read_mailbox
from .services import request_order_links


@require_http_methods(["GET", "POST"])
@rate_limited("find_orders", methods=("POST",))
def find_orders(request: HttpRequest) -> HttpResponse:
    """Ask for an address; e-mail it the links to its recent orders, if it has any."""
    form = FindOrdersForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        request_order_links(email=form.cleaned_data["email"], language=get_language())
        # The same redirect for every address: whether it has orders is decided later, by the worker.
        return redirect("notifications:find_orders_sent")
    return render(request, "notifications/find_orders.html", {
        "form": form, "days": settings.NOTIFICATIONS_LOOKUP_DAYS,
    })


@require_GET
def find_orders_sent(request: HttpRequest) -> HttpResponse:
    """Say what happens next, the same for every address."""
    context = {"days": settings.NOTIFICATIONS_LOOKUP_DAYS}
    return render(request, "notifications/find_orders_sent.html", context)


def _mailbox_directory() -> Path:
    from django.utils.module_loading import import_string

    if not settings.SANDBOX_MODE or not issubclass(import_string(settings.EMAIL_BACKEND), MailDirBackend):
        raise Http404
    return Path(settings.EMAIL_FILE_PATH)


@require_GET
def sandbox_mailbox(request: HttpRequest) -> HttpResponse:
    """Sandbox only: the e-mails the shop wrote to var/mail/, newest first."""
    messages = read_mailbox(_mailbox_directory())
    response = render(request, "notifications/sandbox_mailbox.html", {
        "mail_messages": messages, "directory": settings.EMAIL_FILE_PATH,
    })
    # The messages hold orders' secret links.
    response["Cache-Control"] = "no-store, private"
    response["Referrer-Policy"] = "no-referrer"
    return response
