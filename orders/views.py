"""The order page (payment, then status), its sandbox controls and its event stream."""

from __future__ import annotations

from contextlib import AsyncExitStack
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from storefront.htmx import render_page
from storefront.ratelimit import rate_limited
from storefront.sandbox.simulate import SIMULATE_ACTIONS
from storefront.upstream.end_user import end_user_from_request
from storefront.upstream.errors import UpstreamError, UpstreamStatusError
from storefront.upstream.factory import build_async_client

from . import payment
from .presentation import copy_for, delivered_item, payment_state_words, simulate_buttons
from .selectors import aget_order_for_token, get_order_for_token
from .services import keeps_updating, refresh_order_if_stale, simulate_order_payment
from .states import OrderState
from .stream import relay_order_events


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
    if isinstance(request, ASGIRequest) and not order.is_terminal and order.upstream_order_id:
        # Only an ASGI server streams; under WSGI the page relies on polling alone.
        context["stream_url"] = reverse("orders_api:subscribe", kwargs={"token": order.token})
    return context


@require_GET
@private_order_page
@rate_limited("poll", methods=("GET",))
def detail(request: HttpRequest, token: str) -> HttpResponse:
    """Show the order: how to pay while payment is open, then its progress, then its codes."""
    order = get_order_for_token(token=token)
    refresh_order_if_stale(order=order)
    context = order_context(request, order)
    return render_page(request, "orders/detail.html", context, partial="status",
                       stop_polling=not context["live"])


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


async def subscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Record the upstream's order stream (SSE), signal each change to the page; 502 if it is unreachable."""
    if request.method != "GET":
        return _private(JsonResponse({"error": "Method not allowed"}, status=405))
    order = await aget_order_for_token(token=token)
    if not order.upstream_order_id:
        return _private(JsonResponse({"error": "The order is not placed yet"}, status=404))
    resources = AsyncExitStack()
    client = build_async_client()
    resources.push_async_callback(client.aclose)
    try:
        events = await resources.enter_async_context(
            client.open_order_stream(
                order_id=order.upstream_order_id,
                end_user=end_user_from_request(request, country_code=order.country_code),
            )
        )
    except UpstreamStatusError as exc:
        await resources.aclose()
        # The upstream's status is passed on, except a 500: from us it would claim the shop broke.
        status = 502 if exc.status_code in (0, 500) else exc.status_code
        return _private(JsonResponse({"error": "Upstream returned an error"}, status=status))
    except UpstreamError:
        await resources.aclose()
        return _private(JsonResponse({"error": "Failed to connect to upstream stream"}, status=502))
    response = StreamingHttpResponse(
        relay_order_events(order=order, events=events, resources=resources),
        content_type="text/event-stream",
    )
    # Each event only says the order moved; still, nothing about an order is kept by any cache.
    response["Cache-Control"] = "no-store, no-transform"
    response["X-Accel-Buffering"] = "no"
    response["Referrer-Policy"] = "no-referrer"
    return response
