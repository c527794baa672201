"""The order page (payment, then status), its sandbox controls and its event stream."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from storefront.ratelimit import rate_limited
from storefront.sandbox.simulate import SIMULATE_ACTIONS
from storefront.serving_flags import STREAMS_ENVIRON_KEY
from storefront.upstream.end_user import end_user_from_request
from storefront.upstream.errors import UpstreamError, UpstreamStatusError

from . import live, payment
from .presentation import copy_for, delivered_item, payment_state_words, simulate_buttons
from .selectors import get_order_for_token
from .services import keeps_updating, refresh_order_if_stale, simulate_order_payment
from .states import OrderState
from .status_fragment import render_status


def serves_streams(request: HttpRequest) -> bool:
    """Return whether the server answering this page also answers the order streams."""
    return isinstance(request, ASGIRequest) or bool(request.META.get(STREAMS_ENVIRON_KEY))


def _private(response: HttpResponse) -> HttpResponse:
    """Mark an order response as never cached and never leaking its URL."""
    response["Cache-Control"] = "no-store, private"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def private_order_page(view):
    """Apply the order pages' privacy headers to everything a view answers (404s included)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return _private(view(request, *args, **kwargs))
        except Http404:
            from storefront.views import page_not_found

            return _private(page_not_found(request))

    return wrapper


def order_context(request: HttpRequest, order) -> dict:
    """Return what the order page and its status partial show."""
    state_copy = copy_for(order.state)
    context: dict = {
        "order": order,
        "state_copy": state_copy,
        "items": order.items.all(),  # lazy: queried only where a template or the codes need them
        "now": timezone.now(),
        "poll_url": reverse("orders:detail", kwargs={"token": order.token}),
        "simulate_actions": [],
        "payment_state_words": payment_state_words(order.payment_state),
        "live": keeps_updating(order),
    }
    if order.is_payment_open and order.wallet_address:
        context.update(
            payment.payment_page_context(
                order=order,
                end_user=end_user_from_request(request, country_code=order.country_code),
                now=context["now"],
            )
        )
    if order.state == OrderState.DONE:
        context["deliveries"] = [delivered_item(item) for item in context["items"]]
    if settings.SANDBOX_MODE and order.upstream_order_id:
        # The sandbox's events fit its own state, which may be one the shop does not know (OnHold).
        context["simulate_actions"] = simulate_buttons(order.upstream_state or order.state)
    if serves_streams(request) and not order.is_terminal and order.upstream_order_id:
        # Only a server with an event loop streams; under a plain WSGI server the page polls alone.
        context["stream_url"] = reverse("orders_api:subscribe", kwargs={"token": order.token})
        context["live_data"] = live.live_data(order)
    return context


@require_GET
@private_order_page
@rate_limited("poll", methods=("GET",))
def detail(request: HttpRequest, token: str) -> HttpResponse:
    """Show the order: how to pay while payment is open, then its progress, then its codes."""
    order = get_order_for_token(token=token)
    refresh_order_if_stale(order=order)
    return render_status(request, order, streams=serves_streams(request),
                         context=lambda: order_context(request, order))


# Not CSRF-checked: order pages send no referrer, so browsers post them with `Origin: null`, which
# Django's check refuses. The URL's 256-bit secret is what no cross-site page can know or forge.
@csrf_exempt
@require_POST
@private_order_page
def simulate(request: HttpRequest, token: str) -> HttpResponse:
    """Sandbox only: make the sandbox upstream pay, expire, fail or resolve the order, then show it."""
    if not settings.SANDBOX_MODE:
        raise Http404
    order = get_order_for_token(token=token)
    action = request.POST.get("action", "")
    if action not in SIMULATE_ACTIONS or not order.upstream_order_id:
        raise Http404
    try:
        simulate_order_payment(
            order=order,
            action=action,
            end_user=end_user_from_request(request, country_code=order.country_code),
        )
    except UpstreamStatusError as exc:
        if exc.status_code != 409:
            raise
        messages.warning(
            request,
            _("That simulated event does not fit the order any more; the page shows where it is now."),
        )
    except UpstreamError:
        messages.error(request, _("The sandbox did not answer. Try again in a moment."))
    return redirect("orders:detail", token=order.token)


def stream_refusal(exc: UpstreamError) -> HttpResponse:
    """The answer to a page whose stream this worker cannot open from the upstream."""
    if isinstance(exc, UpstreamStatusError):
        # The upstream's status is passed on, except a 500: from us it would claim the shop broke.
        status = 502 if exc.status_code in (0, 500) else exc.status_code
        return _private(JsonResponse({"error": "Upstream returned an error"}, status=status))
    return _private(JsonResponse({"error": "Failed to connect to upstream stream"}, status=502))


def subscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Send the page the order's state and amounts, then each change (SSE); 502 if the upstream's
    stream cannot be opened. Every page of one order shares one upstream stream (orders/live.py)."""
    if request.method != "GET":
        return _private(JsonResponse({"error": "Method not allowed"}, status=405))
    order = get_order_for_token(token=token)
    if not serves_streams(request):
        return _private(JsonResponse({"error": "This server does not stream; the order page polls"},
                                     status=404))
    if not order.upstream_order_id:
        return _private(JsonResponse({"error": "The order is not placed yet"}, status=404))
    return live.LiveStreamResponse(
        order=order,
        end_user=end_user_from_request(request, country_code=order.country_code),
        refusal=stream_refusal,
    )
