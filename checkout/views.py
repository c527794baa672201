"""Cart and checkout pages; the services do the work."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from catalog.forms import MAX_AMOUNT_CHARS, plain
from orders.models import Order
from storefront.i18n import upstream_lang
from storefront.ratelimit import hit, rate_limited, too_many_requests
from storefront.upstream.end_user import client_ip, end_user_from_request
from storefront.upstream.networks import STABLECOINS
from storefront.upstream.schemas import family_slug

from . import cart, services
from .forms import CartAddForm, CartUpdateForm, CheckoutForm, CoinForm
from .selectors import get_cart_summary, get_failed_checkout_input, get_payment_options


def _order_url(order: Order) -> str:
    return reverse("orders:detail", kwargs={"token": order.token})


def _summary(request: HttpRequest, lines: list[cart.CartLine] | None = None):
    lines = cart.get_cart(request.session) if lines is None else lines
    country = lines[0].country_code if lines else ""
    return get_cart_summary(
        lines=lines, coin=cart.get_coin(request.session), lang=upstream_lang(),
        end_user=end_user_from_request(request, country_code=country),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def cart_view(request: HttpRequest) -> HttpResponse:
    """Show the cart; POST changes a quantity, removes a line or switches the coin."""
    # A history restore asks for the whole page even though it comes from htmx.
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    if request.method == "POST":
        action = request.POST.get("action", "update")
        if action == "coin":
            form = CoinForm(request.POST)
            if form.is_valid():
                request.session[cart.COIN_KEY] = form.cleaned_data["coin"]
        elif action == "remove":
            cart.remove_line(request.session, line_id=request.POST.get("line", ""))
        else:
            form = CartUpdateForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Choose a quantity from 0 to %(max)d.")
                               % {"max": cart.MAX_DELIVERIES})
            else:
                try:
                    cart.set_quantity(request.session, line_id=form.cleaned_data["line"],
                                      quantity=form.cleaned_data["quantity"])
                except cart.CartFull:
                    messages.error(request, _("An order can hold at most %(max)d items.")
                                   % {"max": cart.MAX_DELIVERIES})
        if not partial:
            return redirect("checkout:cart")
    context = {"summary": _summary(request), "max_items": cart.MAX_DELIVERIES, "coins": STABLECOINS}
    response = render(request, "checkout/cart.html#cart" if partial else "checkout/cart.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _back(request: HttpRequest) -> HttpResponse:
    """Redirect to the page the shopper came from, if it is ours, else to the cart."""
    referer = request.META.get("HTTP_REFERER", "")
    if url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        # Not redirect(): it would take a bare word ("0", ":") for a URL name and fail on it.
        return HttpResponseRedirect(referer)
    return redirect("checkout:cart")


def _back_to_product(request: HttpRequest, data: dict) -> HttpResponse:
    """Redirect to the product page with the shopper's pick (product, amount, coin) in its query."""
    try:
        path = reverse("catalog:brand", kwargs={"cc": str(data.get("country", "")).lower(),
                                                "family": family_slug(str(data.get("family", "")))})
    except NoReverseMatch:
        return _back(request)
    query = {"product": data.get("product_id") or data.get("product") or "",
             "coin": data.get("coin") or cart.get_coin(request.session)}
    amount = str(data.get("amount") or "").strip()
    if amount:
        query["amount"] = amount[:MAX_AMOUNT_CHARS]
    elif data.get("product_value") is not None:
        query["amount"] = plain(data["product_value"])
    return HttpResponseRedirect(f"{path}?{urlencode({k: v for k, v in query.items() if v})}")


@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    """Add the product page's pick to the cart, after checking it against the catalog.

    The pick form's first button ("Update the price", pressed by Enter or without JavaScript)
    only shows the price of the pick: the page again, with the pick in its query.
    """
    if "update" in request.POST and "add" not in request.POST:
        return _back_to_product(request, request.POST.dict())
    form = CartAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("We couldn't add this product: %(reason)s") % {
            "reason": " ".join(str(e) for errors in form.errors.values() for e in errors)})
        return _back(request)
    data = form.cleaned_data
    country = data["country"].upper()
    if data["coin"]:
        request.session[cart.COIN_KEY] = data["coin"]  # the coin picked on the page, as the catalog keeps it
    try:
        product = services.add_to_cart(
            session=request.session, country_code=country, family=data["family"],
            product_id=data["product_id"], denomination=data["denomination"],
            product_value=data["product_value"], amount_unreadable=data["amount_unreadable"],
            quantity=data["quantity"], coin=cart.get_coin(request.session), lang=upstream_lang(),
            end_user=end_user_from_request(request, country_code=country),
        )
    except services.CartError as exc:
        # The page again with the pick kept, and the reason above it.
        messages.error(request, str(exc))
        return _back_to_product(request, data)
    messages.success(request, _("%(brand)s was added to your cart.") % {"brand": product.brand_name})
    return redirect("checkout:cart")


@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("validate", methods=("POST",))
def checkout(request: HttpRequest) -> HttpResponse:
    """Show the checkout form; POST validates with the upstream and places the order once."""
    if request.method == "GET" and "retry" in request.GET:
        # "Try again" on the failure page: a 5xx answer does not save the session, so the failed
        # order comes in the link; kept in the session, it leaves the address bar at once.
        cart.remember_failed_order(request.session, order_token=request.GET["retry"])
        return redirect("checkout:checkout")
    if request.method == "POST":
        existing = services.find_order_by_key(idempotency_key=request.POST.get("idempotency_key"))
        if existing is not None:
            # A repeated submit, a refresh or the back button: the same order, never a second one.
            return redirect(_order_url(existing))
    lines = cart.get_cart(request.session)
    if not lines:
        last = Order.objects.filter(token=request.session.get(cart.LAST_ORDER_KEY) or "-").first()
        if last is not None:
            return render(request, "checkout/placed.html", {"order": last, "order_url": _order_url(last)})
        messages.info(request, _("Your cart is empty."))
        return redirect("checkout:cart")

    summary = _summary(request, lines)
    end_user = end_user_from_request(request, country_code=lines[0].country_code)
    options = get_payment_options(end_user=end_user)
    if request.method == "GET":
        # After a failed attempt the form comes back as the shopper filled it, with a fresh key.
        previous = get_failed_checkout_input(
            order_token=cart.get_failed_order_token(request.session), items=summary.items)
        initial = {
            "idempotency_key": uuid.uuid4(),
            "payment": _preselected_payment(options, cart.get_coin(request.session),
                                            previous=previous.payment if previous else ""),
        }
        if previous is not None:
            initial.update(CheckoutForm.initial_from(previous))
        form = CheckoutForm(items=summary.items, payment_options=options, initial=initial)
        return _render_checkout(request, form, summary, previous=previous)

    form = CheckoutForm(request.POST, items=summary.items, payment_options=options,
                        total=summary.total, total_coin=summary.coin)
    if not summary.all_available:
        form.is_valid()
        form.add_error(None, _("Something in your cart can't be bought any more. "
                               "Remove it in your cart first."))
        return _render_checkout(request, form, summary)
    if not form.is_valid():
        return _render_checkout(request, form, summary)

    checkout_data = form.checkout_data()
    lang = upstream_lang()
    outcome = services.check_out(checkout=checkout_data, lang=lang, end_user=end_user)
    if not outcome.ok:
        form.add_problems(outcome.problems)
        return _render_checkout(request, form, summary)

    if not hit(scope="order", key=client_ip(request), limit=settings.RATE_LIMITS["order"][0],
               window_seconds=settings.RATE_LIMITS["order"][1]):
        return too_many_requests(request, retry_after=settings.RATE_LIMITS["order"][1])
    placed = services.place_order(
        checkout=checkout_data, idempotency_key=form.cleaned_data["idempotency_key"], lang=lang,
        end_user=end_user,
    )
    if placed.failure:
        return render(request, "checkout/failed.html", {"order": placed.order, "failure": placed.failure},
                      status=502 if placed.failure == "error" else 504)
    if placed.problems:
        form.add_problems(placed.problems)
        form.renew_idempotency_key()
        return _render_checkout(request, form, summary)
    if placed.created:
        cart.clear_cart(request.session, placed_order_token=placed.order.token)
    return redirect(_order_url(placed.order))


def _preselected_payment(options, coin: str, *, previous: str = "") -> str:
    """Return the previous choice, else Solana in the shopper's coin, else USDC on Solana, if open."""
    open_options = [o for o in options if not o.suspended]
    if any(o.value == previous for o in open_options):
        return previous
    for wanted in ((coin, "Solana"), ("USDC", "Solana")):
        match = next((o for o in open_options if (o.coin, o.network) == wanted), None)
        if match:
            return match.value
    return open_options[0].value if open_options else ""


def _render_checkout(request: HttpRequest, form: CheckoutForm, summary, previous=None) -> HttpResponse:
    context = {"form": form, "summary": summary, "validated_total": None, "previous": previous}
    return render(request, "checkout/checkout.html", context)
