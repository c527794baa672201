"""Writes of the checkout: adding to the cart, validating with the upstream, placing the order once."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

from catalog.forms import amount_problem
from catalog.pauses import remember_paused_brand
from catalog.selectors import find_product, get_brand_index
from dashboard.funnel import record_checkout, record_placement_stopped
from orders.models import Order, OrderItem
from orders.services import record_order_saved, record_upstream_order, transition_order
from orders.states import OrderState
from storefront.ratelimit import count_request
from storefront.upstream import errors, schemas
from storefront.upstream.client import EndUser
from storefront.upstream.factory import get_client
from storefront.upstream.networks import DEFAULT_COIN, DEFAULT_NETWORK

from . import cart
from .forms import CartUpdateForm, CheckoutForm, CoinForm
from .order_body import CheckoutData, build_order_body
from .problems import PROBLEMS, ExplainedProblem, below_network_minimum, explain_problem
from .selectors import (
    CartSummary,
    PaymentOption,
    PreviousInput,
    get_cart_summary,
    get_failed_checkout_input,
    get_payment_options,
)

logger = logging.getLogger(__name__)
SOURCE = "checkout"


class CartError(Exception):
    """A cart change was refused; the message is for the shopper."""


class SupplierUnreachable(CartError):
    """The catalog could not be checked because the upstream is down; nothing was added."""


# -- cart ---------------------------------------------------------------------------------------


def add_to_cart(
    *, session: SessionBase, country_code: str, family: str, product_id: str, denomination: str = "",
    product_value: Decimal | None, quantity: int, coin: str, lang: str, end_user: EndUser,
    amount_unreadable: bool = False,
) -> schemas.Product:
    """Put a product in the cart after checking it against the catalog; raise CartError if it can't be.

    `family` is the family's slug or display name; the cart keeps the display name, which the
    products call needs. SupplierUnreachable (a CartError) says the catalog could not be checked:
    nothing is added then.
    """
    try:
        brand = get_brand_index(country_code=country_code, end_user=end_user).find(family)
        product = brand and find_product(
            country_code=country_code, family=brand.family, product_id=product_id, coin=coin, lang=lang,
            end_user=end_user,
        )
    except errors.UpstreamError as exc:
        # A refusal (an unknown country, 404) is about what was posted; anything else is an outage.
        if not _is_refusal(exc):
            logger.warning("cart add: the catalog could not be reached: %s", exc)
            raise SupplierUnreachable(_(
                "We could not reach our supplier, so nothing was added to your cart. Try again in a moment."
            )) from exc
        logger.info("cart add refused by the catalog: %s", exc)
        product = None
    if not product or (product.country_code and product.country_code.upper() != country_code.upper()):
        raise CartError(_("This product is not sold any more. Please pick another one."))
    if product.is_out_of_stock:
        raise CartError(_("%(brand)s %(value)s is out of stock right now.") % {
            "brand": product.brand_name, "value": product.label})
    if product.is_range:
        value = _check_range(product, product_value, unreadable=amount_unreadable)
    else:
        if denomination and denomination != product.denomination:
            raise CartError(_("This product changed since the page was loaded. Please pick it again."))
        value = None
    try:
        cart.add_line(
            session, country_code=country_code, family=product.family or brand.family,
            product_id=product.product_id, denomination=product.order_denomination, product_value=value,
            quantity=quantity,
        )
    except cart.CartFull:
        raise CartError(_("An order can hold at most %(max)d items, so this one didn't fit in your cart.")
                        % {"max": cart.MAX_DELIVERIES}) from None
    return product


def _is_refusal(exc: errors.UpstreamError) -> bool:
    """Return whether the upstream answered that the request itself is wrong (a 4xx but 429)."""
    return (isinstance(exc, errors.UpstreamStatusError) and exc.status_code < 500
            and not isinstance(exc, errors.UpstreamRateLimited))


def _check_range(product: schemas.Product, value: Decimal | None, *, unreadable: bool) -> Decimal:
    """Return the custom amount if the product's range takes it; the product page's rules, its words."""
    value_range = product.value_range
    assert value_range is not None
    if unreadable:
        raise CartError(_("Enter the amount as a number, for example 25."))
    if value is None:
        raise CartError(_("Enter the amount you want on the card."))
    problem = amount_problem(value_range, value, currency=product.currency or "")
    if problem:
        raise CartError(problem)
    return value


def change_cart(*, session: SessionBase, data: QueryDict) -> str:
    """Apply the cart page's POST (a quantity, a removal or the coin); return a refusal to show, or ""."""
    action = data.get("action", "update")
    if action == "coin":
        form = CoinForm(data)
        if form.is_valid():
            cart.set_coin(session, coin=form.cleaned_data["coin"])
        return ""
    if action == "remove":
        cart.remove_line(session, line_id=data.get("line", ""))
        return ""
    form = CartUpdateForm(data)
    if not form.is_valid():
        return _("Choose a quantity from 0 to %(max)d.") % {"max": cart.MAX_DELIVERIES}
    try:
        cart.set_quantity(session, line_id=form.cleaned_data["line"], quantity=form.cleaned_data["quantity"])
    except cart.CartFull:
        return _("An order can hold at most %(max)d items.") % {"max": cart.MAX_DELIVERIES}
    return ""


def get_cart_page_summary(*, session: SessionBase, lang: str, end_user: EndUser) -> CartSummary:
    """Return the cart priced in the coin the shopper browses in."""
    lines = cart.get_cart(session)
    if lines:
        end_user = replace(end_user, country_code=lines[0].country_code)
    return get_cart_summary(lines=lines, coin=cart.get_coin(session), lang=lang, end_user=end_user)


# -- validation ---------------------------------------------------------------------------------


def problems_from_error(exc: errors.UpstreamError) -> list[ExplainedProblem]:
    """Return what an upstream failure means to the shopper, as problems."""
    if isinstance(exc, errors.UpstreamStatusError):
        if exc.problems:
            return [explain_problem(p.problem, p.more_details) for p in exc.problems]
        if isinstance(exc, errors.UpstreamRateLimited):
            return [explain_problem("RATE_LIMITED")]
        if exc.status_code < 500 and exc.detail in PROBLEMS:
            return [explain_problem(exc.detail, exc.more_details)]
        return [explain_problem("UPSTREAM_ERROR")]
    if isinstance(exc, errors.UpstreamTimeout):
        return [explain_problem("UPSTREAM_TIMEOUT")]
    if isinstance(exc, errors.UpstreamConnectionError):
        return [explain_problem("UPSTREAM_UNREACHABLE")]
    return [explain_problem("UPSTREAM_ERROR")]


@dataclass(frozen=True)
class ValidationOutcome:
    problems: list[ExplainedProblem]
    result: schemas.ValidationResult | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and self.result is not None


def validate_checkout(*, checkout: CheckoutData, lang: str, end_user: EndUser) -> ValidationOutcome:
    """Ask the upstream whether this order can be placed; nothing is created."""
    body = build_order_body(checkout=checkout, lang=lang)
    try:
        result = get_client().validate_order(body=body, end_user=end_user)
    except errors.UpstreamError as exc:
        logger.warning("order validation failed: %s", exc)
        return ValidationOutcome(problems=problems_from_error(exc))
    problems = [explain_problem(p.problem, p.more_details) for p in result.problems]
    for problem in problems:
        if problem.code == "NOT_ACTIVE" and problem.where:
            remember_paused_brand(
                country_code=problem.where.get("country_code") or checkout.country_code,
                brand_name=problem.where["brand_name"],
            )
    minimum, amount = checkout.network_minimum, result.coin_amount
    if minimum is not None and amount is not None and amount < minimum:
        problems.append(below_network_minimum(
            coin=result.coin or checkout.coin, network=checkout.network, minimum=minimum, amount=amount))
    return ValidationOutcome(problems=problems, result=result)


def check_out(*, checkout: CheckoutData, lang: str, end_user: EndUser) -> ValidationOutcome:
    """Validate a submitted checkout and record it in the purchase funnel (the dashboard's first steps)."""
    outcome = validate_checkout(checkout=checkout, lang=lang, end_user=end_user)
    record_checkout(validated=outcome.ok, problem_codes=[problem.code for problem in outcome.problems])
    return outcome


# -- order creation -----------------------------------------------------------------------------


@dataclass
class PlacedOrder:
    """What became of a submit: the order, whether this call created it, and how the upstream answered."""

    order: Order
    created: bool
    problems: list[ExplainedProblem] = field(default_factory=list)
    # "timeout", "unreachable" or "error" when the upstream failed; "" otherwise.
    failure: str = ""

    @property
    def placed(self) -> bool:
        return not self.problems and not self.failure and self.order.state != OrderState.SUBMIT_FAILED


def find_order_by_key(*, idempotency_key: uuid.UUID | str | None) -> Order | None:
    """Return the order an idempotency key already made, if any."""
    if not idempotency_key:
        return None
    try:
        key = uuid.UUID(str(idempotency_key))
    except ValueError:
        return None
    return Order.objects.filter(idempotency_key=key).first()


def _save_submitting_order(
    *, checkout: CheckoutData, idempotency_key: uuid.UUID, lang: str, end_user: EndUser
) -> Order:
    with transaction.atomic():
        order = Order.objects.create(
            idempotency_key=idempotency_key,
            state=OrderState.SUBMITTING,
            email=checkout.email,
            full_name=checkout.full_name,
            accepted_newsletter=checkout.accepted_newsletter,
            promo_code=checkout.promo_code,
            country_code=checkout.country_code,
            lang=lang,
            coin=checkout.coin,
            network=checkout.network,
            shopper_ip=end_user.ip or None,
            shopper_user_agent=end_user.user_agent[:512],
        )
        position = 0
        items = []
        for line in checkout.lines:
            for _unit in range(line.quantity):
                items.append(OrderItem(
                    order=order, position=position, brand_name=line.brand_name, family=line.family,
                    kind=line.kind, country_code=line.country_code, denomination=line.denomination,
                    localized_denomination=line.localized_denomination, product_value=line.product_value,
                    face_value=line.face_value, currency=line.currency,
                    beneficiary_account=line.beneficiary_account,
                ))
                position += 1
        OrderItem.objects.bulk_create(items)
        record_order_saved(order=order, source=SOURCE)
    return order


FAILURE_KINDS: dict[type[errors.UpstreamError], str] = {
    errors.UpstreamTimeout: "timeout",
    errors.UpstreamConnectionError: "unreachable",
}


def place_order(
    *, checkout: CheckoutData, idempotency_key: uuid.UUID, lang: str, end_user: EndUser
) -> PlacedOrder:
    """Create the order exactly once per idempotency key: the row first, then one upstream call.

    A repeated key returns the order it already made, whatever its state. An upstream failure marks
    the row SubmitFailed and is never retried: a timed-out creation may exist upstream, but its
    payment address was never shown, so it cannot have been paid and expires on its own.
    """
    existing = find_order_by_key(idempotency_key=idempotency_key)
    if existing is not None:
        return PlacedOrder(order=existing, created=False)
    try:
        order = _save_submitting_order(
            checkout=checkout, idempotency_key=idempotency_key, lang=lang, end_user=end_user
        )
    except IntegrityError:
        # Another request with the same key won the race; it makes the upstream call, not us.
        existing = find_order_by_key(idempotency_key=idempotency_key)
        if existing is None:
            raise
        return PlacedOrder(order=existing, created=False)

    body = build_order_body(checkout=checkout, lang=lang)
    try:
        upstream = get_client().create_order(body=body, end_user=end_user)
    except errors.UpstreamError as exc:
        return _mark_submit_failed(order=order, exc=exc)
    record_upstream_order(order=order, upstream=upstream, source=SOURCE)
    return PlacedOrder(order=order, created=True)


def _mark_submit_failed(*, order: Order, exc: errors.UpstreamError) -> PlacedOrder:
    if _is_refusal(exc):
        problems = problems_from_error(exc)
        codes = ", ".join(p.code for p in problems)
        reason = f"The upstream refused the order ({exc.status_code}: {codes}); nothing was created there."
        failure = ""
    else:
        problems = []
        failure = next((kind for cls, kind in FAILURE_KINDS.items() if isinstance(exc, cls)), "error")
        reason = (
            f"POST /v5/orders failed ({failure}: {exc}). The upstream may or may not hold an order; "
            "no payment address was shown to the shopper, so it cannot have been paid. Not retried."
        )
    logger.warning("order %s not placed: %s", order.reference, reason)
    record_placement_stopped(problem_codes=[p.code for p in problems] or [f"UPSTREAM_{failure.upper()}"])
    transition_order(
        order=order, to_state=OrderState.SUBMIT_FAILED, source=SOURCE, note=reason,
        fields={"failure_reason": reason},
    )
    return PlacedOrder(order=order, created=True, problems=problems, failure=failure)


# -- the checkout page --------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckoutStep:
    """What the checkout view answers: a page to render, a place to go, or a limit reached."""

    template: str = ""
    context: dict = field(default_factory=dict)
    status: int = 200
    redirect_to: str = ""
    # A message for the next page (the view hands it to django.contrib.messages).
    notice: str = ""
    # Seconds to wait: the order-creation limit of this client was reached.
    retry_after: int = 0


def order_url(order: Order) -> str:
    """Return the order's secret page."""
    return reverse("orders:detail", kwargs={"token": order.token})


def open_checkout(
    *, session: SessionBase, retry_token: str | None, lang: str, end_user: EndUser
) -> CheckoutStep:
    """Return the checkout form for this cart, refilled after a failed attempt, with a fresh key.

    "Try again" on the failure page brings the failed order in the link (a 5xx answer does not
    save the session); kept in the session, it leaves the address bar at once.
    """
    if retry_token is not None:
        cart.remember_failed_order(session, order_token=retry_token)
        return CheckoutStep(redirect_to=reverse("checkout:checkout"))
    page = _checkout_page(session=session, lang=lang, end_user=end_user)
    if isinstance(page, CheckoutStep):
        return page
    previous = get_failed_checkout_input(
        order_token=cart.get_failed_order_token(session), items=page.summary.items)
    initial = {
        "idempotency_key": uuid.uuid4(),
        "payment": preselected_payment(page.options, cart.get_coin(session),
                                       previous=previous.payment if previous else ""),
    }
    if previous is not None:
        initial.update(CheckoutForm.initial_from(previous))
    form = CheckoutForm(items=page.summary.items, payment_options=page.options, initial=initial)
    return page.render(form, previous=previous)


def submit_checkout(*, session: SessionBase, data: QueryDict, lang: str, end_user: EndUser) -> CheckoutStep:
    """Validate the submitted form with the upstream and place its order once per idempotency key.

    A repeated submit, a refresh or the back button leads to the order the key already made.
    """
    existing = find_order_by_key(idempotency_key=data.get("idempotency_key"))
    if existing is not None:
        return CheckoutStep(redirect_to=order_url(existing))
    page = _checkout_page(session=session, lang=lang, end_user=end_user)
    if isinstance(page, CheckoutStep):
        return page
    end_user = page.end_user
    form = CheckoutForm(data, items=page.summary.items, payment_options=page.options,
                        totals=page.totals)
    if not page.summary.all_available:
        form.is_valid()
        form.add_error(None, _("Something in your cart can't be bought any more. "
                               "Remove it in your cart first."))
        return page.render(form)
    if not form.is_valid():
        return page.render(form)
    checkout = form.checkout_data()
    outcome = check_out(checkout=checkout, lang=lang, end_user=end_user)
    if not outcome.ok:
        form.add_problems(outcome.problems)
        return page.render(form)
    limit, window = settings.RATE_LIMITS["order"]
    counted = count_request(scope="order", key=end_user.ip, window_seconds=window)
    if counted.count > limit:
        return CheckoutStep(retry_after=counted.seconds_left)
    placed = place_order(checkout=checkout, idempotency_key=form.cleaned_data["idempotency_key"], lang=lang,
                         end_user=end_user)
    if placed.failure:
        return CheckoutStep(template="checkout/failed.html",
                            context={"order": placed.order, "failure": placed.failure},
                            status=502 if placed.failure == "error" else 504)
    if placed.problems:
        form.add_problems(placed.problems)
        form.renew_idempotency_key()
        return page.render(form)
    if placed.created:
        cart.clear_cart(session, placed_order_token=placed.order.token)
    return CheckoutStep(redirect_to=order_url(placed.order))


@dataclass(frozen=True)
class _CheckoutPage:
    """The cart priced in every coin it can be paid in, and the payment options, for one request."""

    summary: CartSummary
    summaries: list[CartSummary]
    options: list[PaymentOption]
    end_user: EndUser

    @property
    def totals(self) -> dict[str, Decimal | None]:
        return {summary.coin: summary.total for summary in self.summaries}

    def render(self, form: CheckoutForm, *, previous: PreviousInput | None = None) -> CheckoutStep:
        return CheckoutStep(template="checkout/checkout.html", context={
            "form": form, "summary": self.summary, "summaries": self.summaries, "previous": previous,
        })


def _checkout_page(*, session: SessionBase, lang: str, end_user: EndUser) -> _CheckoutPage | CheckoutStep:
    """Return the priced cart, or, for an empty one, the order it became or the way back to it."""
    lines = cart.get_cart(session)
    if not lines:
        last = Order.objects.filter(token=session.get(cart.LAST_ORDER_KEY) or "-").first()
        if last is not None:
            return CheckoutStep(template="checkout/placed.html",
                                context={"order": last, "order_url": order_url(last)})
        return CheckoutStep(redirect_to=reverse("checkout:cart"), notice=_("Your cart is empty."))
    end_user = replace(end_user, country_code=lines[0].country_code)
    options = get_payment_options(end_user=end_user)
    browsing = cart.get_coin(session)
    # The summary follows the coin picked in the form: the cart priced in each coin offered.
    coins = [browsing] + [coin for coin in dict.fromkeys(o.coin for o in options) if coin != browsing]
    summaries = [get_cart_summary(lines=lines, coin=coin, lang=lang, end_user=end_user) for coin in coins]
    return _CheckoutPage(summary=summaries[0], summaries=summaries, options=options, end_user=end_user)


def preselected_payment(options: list[PaymentOption], coin: str, *, previous: str = "") -> str:
    """Return the previous choice, else Solana in the shopper's coin, else USDC on Solana, if open."""
    open_options = [o for o in options if not o.suspended]
    if any(o.value == previous for o in open_options):
        return previous
    for wanted in ((coin, DEFAULT_NETWORK), (DEFAULT_COIN, DEFAULT_NETWORK)):
        match = next((o for o in open_options if (o.coin, o.network) == wanted), None)
        if match:
            return match.value
    return open_options[0].value if open_options else ""
