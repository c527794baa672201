"""Cart and checkout pages; the services do the work."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from catalog.forms import MAX_AMOUNT_CHARS, plain
from storefront.htmx import render_page, wants_partial
from storefront.i18n import join_sentences, upstream_lang
from storefront.ratelimit import rate_limited, too_many_requests
from storefront.upstream.end_user import end_user_from_request
from storefront.upstream.networks import STABLECOINS
from storefront.upstream.schemas import family_slug

from . import cart, services
from .forms import CartAddForm


@never_cache
@require_http_methods(["GET", "POST"])
def cart_view(request: HttpRequest) -> HttpResponse:
    """Show the cart; POST changes a quantity, removes a line or switches the coin."""
    if request.method == "POST":
        problem = services.change_cart(session=request.session, data=request.POST)
        if problem:
            messages.error(request, problem)
        if not wants_partial(request):
            return redirect("checkout:cart")
    context = {
        "summary": services.get_cart_page_summary(session=request.session, lang=upstream_lang(),
                                                  end_user=end_user_from_request(request)),
        "max_items": cart.MAX_DELIVERIES, "coins": STABLECOINS,
    }
    return render_page(request, "checkout/cart.html", context, partial="cart")


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
            "reason": join_sentences(e for errors in form.errors.values() for e in errors)})
        return _back(request)
    data = form.cleaned_data
    country = data["country"].upper()
    cart.set_coin(request.session, coin=data["coin"])  # the coin picked on the page, as the catalog keeps it
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
    end_user = end_user_from_request(request)
    if request.method == "POST":
        step = services.submit_checkout(session=request.session, data=request.POST, lang=upstream_lang(),
                                        end_user=end_user)
    else:
        step = services.open_checkout(session=request.session, retry_token=request.GET.get("retry"),
                                      lang=upstream_lang(), end_user=end_user)
    if step.retry_after:
        return too_many_requests(request, retry_after=step.retry_after)
    if step.notice:
        messages.info(request, step.notice)
    if step.redirect_to:
        return HttpResponseRedirect(step.redirect_to)
    return render(request, step.template, step.context, status=step.status)
