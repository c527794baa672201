"""The checkout page as a shopper uses it: messages where they belong, input kept, one order per submit."""

from __future__ import annotations

import html
import re

import pytest
from checkout_helpers import (
    add,
    att_15,
    cart_line_ids,
    checkout_data,
    esim_1gb,
    lycamobile_by_email,
    sandbox_product,
    steam_10,
    upstream_posts,
)
from django.urls import reverse

from checkout import problems
from orders.models import Order
from orders.states import OrderState
from storefront.upstream import errors
from storefront.upstream.factory import get_client
from storefront.upstream.schemas import Problem

pytestmark = pytest.mark.django_db
CHECKOUT = "/checkout/"


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _input_value(page: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    value = re.search(r'value="([^"]*)"', match.group(0)) if match else None
    return html.unescape(value.group(1)) if value else None


def _field_block(page: str, name: str) -> str:
    """Return the markup of one field's wrapper (label, input, errors, help)."""
    start = page.index(f'id="field-{name}"')
    return (
        page[start : page.index('<p class="help"', start)]
        if '<p class="help"' in page[start:]
        else page[start:]
    )


# -- the page ---------------------------------------------------------------------------------------


def test_an_empty_cart_sends_the_shopper_back_to_the_cart(client):
    response = client.get(CHECKOUT)
    assert response.status_code == 302 and response.url == reverse("checkout:cart")


def test_the_form_preselects_usdc_on_solana_and_shows_paused_options_disabled(filled_cart):
    page = _text(filled_cart.get(CHECKOUT))
    assert re.search(r'value="USDC\|Solana" checked', page)
    assert "Recommended" in page
    assert re.search(r'value="USDT\|Arbitrum"[^>]*disabled', page)
    assert re.search(r'value="USDT\|Tron"[^>]*data-needs-full-name', page)
    assert re.search(r'value="USDC\|Polygon \(Matic\)"', page)
    # Only the shopper's own wallet, in stablecoins: no exchange pay button, no BTC, no other coin.
    assert "EURC" not in page and "BTC" not in page and "Lightning" not in page and "GATE_PAY" not in page
    assert 'name="accepted_newsletter"' in page and "checked" not in re.search(
        r'<input[^>]*name="accepted_newsletter"[^>]*>', page
    ).group(0)
    assert re.search(r'<input[^>]*name="idempotency_key"[^>]*value="[0-9a-f-]{36}"', page)


def test_each_item_asks_for_the_right_recipient(filled_cart):
    page = _text(filled_cart.get(CHECKOUT))
    assert page.count("Leave empty to send it to your own email.") == 2
    assert "Phone number to top up" in page
    assert "A phone number from United States, as you dial it there" in page
    assert re.search(r'<input[^>]*name="beneficiary_[0-9a-f]+"[^>]*autocomplete="tel"', page)


def test_a_complete_form_places_the_order_and_redirects_to_its_page(filled_cart):
    response = filled_cart.post(CHECKOUT, checkout_data(filled_cart))
    order = Order.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("orders:detail", kwargs={"token": order.token})
    assert order.state in (OrderState.CREATED, OrderState.WAITING_FOR_PAYMENT)
    assert order.items.count() == 3
    assert list(order.items.values_list("beneficiary_account", flat=True)) == [
        "buyer@example.com",
        "buyer@example.com",
        "+14155552671",
    ]
    assert filled_cart.session["cart"] == []
    assert upstream_posts("/v5/orders/validations") == 1 and upstream_posts("/v5/orders") == 1


def test_a_replayed_post_makes_exactly_one_upstream_order(filled_cart):
    data = checkout_data(filled_cart)
    first = filled_cart.post(CHECKOUT, data)
    second = filled_cart.post(CHECKOUT, data)
    third = filled_cart.post(CHECKOUT, data)
    assert first.url == second.url == third.url
    assert Order.objects.count() == 1
    assert upstream_posts("/v5/orders") == 1


def test_the_back_button_after_an_order_leads_to_the_same_order(filled_cart):
    response = filled_cart.post(CHECKOUT, checkout_data(filled_cart))
    page = _text(filled_cart.get(CHECKOUT))
    assert "You have already placed this order" in page
    assert f'href="{response.url}"' in page
    assert Order.objects.get().reference in page


def test_the_checkout_page_is_never_cached(filled_cart):
    assert "no-store" in filled_cart.get(CHECKOUT)["Cache-Control"]


# -- field errors -----------------------------------------------------------------------------------


def test_a_bad_email_and_a_bad_phone_are_shown_next_to_their_fields_with_the_input_kept(filled_cart):
    data = checkout_data(filled_cart)
    phone_field = next(k for k, v in data.items() if k.startswith("beneficiary_") and v)
    data.update(
        {"email": "buyer@@example", phone_field: "555-12", "promo_code": "save10", "full_name": "Ada"}
    )
    response = filled_cart.post(CHECKOUT, data)
    page = _text(response)
    assert response.status_code == 200
    assert "Enter a valid email address." in _field_block(page, "email")
    assert "not a valid phone number for United States" in _field_block(page, phone_field)
    assert _input_value(page, "email") == "buyer@@example"
    assert _input_value(page, phone_field) == "555-12"
    assert _input_value(page, "promo_code") == "save10"
    assert _input_value(page, "full_name") == "Ada"
    assert Order.objects.count() == 0 and upstream_posts("/v5/orders/validations") == 0


def test_a_valid_phone_is_shown_back_normalized(filled_cart):
    data = checkout_data(filled_cart, email="nope")
    phone_field = next(k for k, v in data.items() if k.startswith("beneficiary_") and v)
    page = _text(filled_cart.post(CHECKOUT, data))
    assert _input_value(page, phone_field) == "+14155552671"
    assert "We will top up +14155552671." in re.sub(r"<[^>]+>", "", page)


def test_tron_without_a_full_name_asks_for_it_next_to_the_field(filled_cart):
    page = _text(filled_cart.post(CHECKOUT, checkout_data(filled_cart, payment="USDT|Tron")))
    assert "Payments on Tron need your full name" in _field_block(page, "full_name")
    assert re.search(r'value="USDT\|Tron" checked', page)
    assert Order.objects.count() == 0


def test_tron_with_a_full_name_sends_it_to_the_upstream(filled_cart):
    response = filled_cart.post(
        CHECKOUT, checkout_data(filled_cart, payment="USDT|Tron", full_name="Ada Lovelace")
    )
    order = Order.objects.get()
    assert response.status_code == 302
    assert (order.coin, order.network, order.full_name) == ("USDT", "Tron", "Ada Lovelace")


def test_a_paused_option_posted_anyway_is_refused(filled_cart):
    page = _text(filled_cart.post(CHECKOUT, checkout_data(filled_cart, payment="USDT|Arbitrum")))
    assert "paused right now" in _field_block(page, "payment")
    assert Order.objects.count() == 0


# -- upstream problems ------------------------------------------------------------------------------

FIELD_OF = {"email": "email", "payment": "payment", "full_name": "full_name", "promo_code": "promo_code"}


@pytest.mark.parametrize("code", problems.VALIDATION_CODES)
def test_each_problem_code_is_shown_with_its_message_and_nothing_is_created(filled_cart, code):
    data = checkout_data(filled_cart, email=f"{code.lower()}@sandbox.test", promo_code="SAVE10")
    response = filled_cart.post(CHECKOUT, data)
    page = _text(response)
    info = problems.PROBLEMS[code]
    assert response.status_code == 200
    assert str(info.message) in page
    if info.field in FIELD_OF:
        assert str(info.message) in _field_block(page, FIELD_OF[info.field])
    elif info.field is None or info.field == "items":
        top = page[page.index('id="form-problems"') : page.index("checkout-layout")]
        assert str(info.message) in top
    if info.action:
        assert str(info.action) in page
    assert "Nothing was ordered yet" in page
    assert _input_value(page, "email") == data["email"]
    assert _input_value(page, "promo_code") == "SAVE10"
    assert Order.objects.count() == 0 and upstream_posts("/v5/orders") == 0


@pytest.mark.parametrize("code", ["SUSPENDED_COIN", "SUSPENDED_NETWORK"])
def test_suspended_coin_and_network_are_shown_at_the_payment_choice(filled_cart, code):
    page = _text(filled_cart.post(CHECKOUT, checkout_data(filled_cart, email=f"{code.lower()}@sandbox.test")))
    assert str(problems.PROBLEMS[code].message) in _field_block(page, "payment")
    assert Order.objects.count() == 0


def test_several_problems_are_shown_at_once(filled_cart):
    data = checkout_data(filled_cart, email="kyc_missing@sandbox.test", promo_code="EXPIRED")
    page = _text(filled_cart.post(CHECKOUT, data))
    assert "verify your identity" in page
    assert "This promo code has expired." in _field_block(page, "promo_code")


def test_an_expired_promo_code_is_shown_at_the_promo_field(filled_cart):
    page = _text(filled_cart.post(CHECKOUT, checkout_data(filled_cart, promo_code="EXPIRED")))
    assert "This promo code has expired." in _field_block(page, "promo_code")
    assert _input_value(page, "promo_code") == "EXPIRED"


def test_a_valid_promo_code_is_sent_with_the_order(filled_cart):
    filled_cart.post(CHECKOUT, checkout_data(filled_cart, promo_code="save10"))
    assert Order.objects.get().promo_code == "SAVE10"


def test_an_invalid_beneficiary_is_shown_at_that_items_field(filled_cart, monkeypatch):
    data = checkout_data(filled_cart)
    gift_field = next(k for k, v in data.items() if k.startswith("beneficiary_") and not v)
    data[gift_field] = "friend@example.com"
    client = get_client()
    real = client.validate_order

    def with_problem(*, body, end_user):
        result = real(body=body, end_user=end_user)
        result.problems = [
            Problem(
                problem="INVALID_BENEFICIARY_ACCOUNT",
                moreDetails={
                    "brand_name": "Steam",
                    "country_code": "US",
                    "denomination": "10 USD",
                    "beneficiary_account": "friend@example.com",
                    "expected": "email address",
                },
            )
        ]
        return result

    monkeypatch.setattr(client, "validate_order", with_problem)
    page = _text(filled_cart.post(CHECKOUT, data))
    assert "Steam 10 USD: This recipient can't receive this product." in _field_block(page, gift_field)


def test_a_validation_error_of_the_upstream_is_honest_and_keeps_the_input(filled_cart):
    data = checkout_data(filled_cart, email="http_500@sandbox.test", promo_code="SAVE10")
    page = _text(filled_cart.post(CHECKOUT, data))
    assert "Our supplier had an error while checking your order." in page
    assert "Nothing was ordered and no payment was requested." in page
    assert _input_value(page, "email") == "http_500@sandbox.test"
    assert Order.objects.count() == 0


# -- failures at creation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "exc, status, says",
    [
        (errors.UpstreamTimeout("timed out"), 504, "did not answer in time"),
        (errors.UpstreamConnectionError("refused"), 504, "could not reach our supplier"),
        (errors.UpstreamServerError(500, detail="INTERNAL_ERROR"), 502, "had an error while creating"),
    ],
)
def test_a_failed_creation_marks_the_order_and_says_honestly_what_happened(
    filled_cart, monkeypatch, exc, status, says
):
    def fail(*, body, end_user):
        raise exc

    monkeypatch.setattr(get_client(), "create_order", fail)
    data = checkout_data(filled_cart)
    response = filled_cart.post(CHECKOUT, data)
    page = _text(response)
    order = Order.objects.get()
    assert response.status_code == status
    assert says in page
    assert "You have not paid anything and cannot be charged." in page
    assert order.reference in page
    assert order.state == OrderState.SUBMIT_FAILED and order.failure_reason
    # The cart is kept for a fresh attempt; the old key never calls the upstream again.
    assert len(filled_cart.session["cart"]) == 3
    again = filled_cart.post(CHECKOUT, data)
    assert again.status_code == 302 and again.url == reverse("orders:detail", kwargs={"token": order.token})
    assert Order.objects.count() == 1


def test_a_fresh_attempt_after_a_failure_makes_a_new_order(filled_cart, monkeypatch):
    client = get_client()
    real = client.create_order

    def fail(*, body, end_user):
        raise errors.UpstreamTimeout("timed out")

    monkeypatch.setattr(client, "create_order", fail)
    filled_cart.post(CHECKOUT, checkout_data(filled_cart))
    monkeypatch.setattr(client, "create_order", real)
    response = filled_cart.post(CHECKOUT, checkout_data(filled_cart))
    assert response.status_code == 302
    assert Order.objects.filter(state=OrderState.SUBMIT_FAILED).count() == 1
    assert Order.objects.exclude(state=OrderState.SUBMIT_FAILED).count() == 1


def test_a_refusal_at_creation_is_shown_in_the_form_with_a_new_key(filled_cart, monkeypatch):
    def refuse(*, body, end_user):
        raise errors.UpstreamStatusError(
            422, detail="VALIDATION_FAILED", problems=[Problem(problem="OUT_OF_STOCK")]
        )

    monkeypatch.setattr(get_client(), "create_order", refuse)
    data = checkout_data(filled_cart)
    page = _text(filled_cart.post(CHECKOUT, data))
    assert str(problems.PROBLEMS["OUT_OF_STOCK"].message) in page
    assert _input_value(page, "idempotency_key") != data["idempotency_key"]
    assert _input_value(page, "email") == data["email"]
    assert Order.objects.get().state == OrderState.SUBMIT_FAILED


def test_an_item_that_left_the_catalog_blocks_checkout_with_a_message(client):
    add(client, steam_10())
    add(client, att_15())
    session = client.session
    session["cart"][0]["pid"] = "US-amazon-999"
    session.save()
    client.cookies["sessionid"] = session.session_key or client.cookies["sessionid"].value
    cart_page = _text(client.get(reverse("checkout:cart")))
    assert "not sold any more" in cart_page
    assert 'href="/checkout/"' not in cart_page
    page = _text(client.post(CHECKOUT, checkout_data(client)))
    assert "can't be bought any more" in page
    assert Order.objects.count() == 0


def test_the_cart_and_checkout_pages_render_in_every_shop_language(filled_cart):
    for prefix in ("/es", "/zh-hans"):
        assert filled_cart.get(f"{prefix}/cart/").status_code == 200
        page = filled_cart.get(f"{prefix}/checkout/")
        assert page.status_code == 200 and 'name="idempotency_key"' in page.content.decode()


# -- trying again after a failed order ----------------------------------------------------------------

REFILLED = "was not placed, so we filled in what you entered."


def _time_out(*, body, end_user):
    raise errors.UpstreamTimeout("timed out")


def _form_data(page: str) -> dict[str, str]:
    """Return what the checkout form would post as it stands: its values, checked radios and boxes."""
    start = page.index("data-checkout-form")
    form = page[start : page.index("</form>", start)]
    data = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if name is None:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if kind and kind.group(1) in ("radio", "checkbox"):
            if re.search(r"\schecked", tag):
                data[name.group(1)] = html.unescape(value.group(1)) if value else "on"
        else:
            data[name.group(1)] = html.unescape(value.group(1)) if value else ""
    return data


def _fail_an_order(client, monkeypatch, **entered) -> tuple[dict, object]:
    """Submit the checkout form with `entered` while order creation times out; return the post and page."""
    data = checkout_data(client, **entered)
    with monkeypatch.context() as patched:
        patched.setattr(get_client(), "create_order", _time_out)
        response = client.post(CHECKOUT, data)
    assert response.status_code == 504
    return data, response


def _try_again(client, failed) -> object:
    """Follow the failure page's "Try again" link to the checkout page it leads to."""
    link = re.search(r'<a class="button" href="([^"]+)">Try again</a>', failed.content.decode()).group(1)
    response = client.get(html.unescape(link), follow=True)
    assert response.redirect_chain == [(CHECKOUT, 302)]  # the failed order's token leaves the address bar
    return response


def test_try_again_after_a_failed_order_refills_the_form_with_what_the_shopper_entered(
    filled_cart, monkeypatch
):
    amazon, apple, att = cart_line_ids(filled_cart)
    data, failed = _fail_an_order(
        filled_cart, monkeypatch, email="ada@example.com", payment="USDT|Tron", full_name="Ada Lovelace",
        promo_code="SAVE10", accepted_newsletter="on",
        **{f"beneficiary_{amazon}": "friend@example.com", f"beneficiary_{att}": "(415) 555-2671"},
    )
    failed_order = Order.objects.get()

    response = _try_again(filled_cart, failed)
    page = _text(response)
    assert response.status_code == 200
    assert REFILLED in re.sub(r"<[^>]+>", "", page) and failed_order.reference in page
    refilled = _form_data(page)
    # A fresh key: the failed order's key would only lead back to the failed order.
    assert refilled.pop("idempotency_key") != data["idempotency_key"]
    assert refilled.pop("csrfmiddlewaretoken")
    assert refilled == {
        "email": "ada@example.com",
        f"beneficiary_{amazon}": "friend@example.com",
        f"beneficiary_{apple}": "",  # left empty: it goes to the shopper's own email
        f"beneficiary_{att}": "+14155552671",
        "payment": "USDT|Tron",
        "full_name": "Ada Lovelace",
        "promo_code": "SAVE10",
        "accepted_newsletter": "on",
    }
    assert Order.objects.count() == 1 and len(filled_cart.session["cart"]) == 3

    # Placing the refilled form as it is makes a new order with the same choices.
    placed = filled_cart.post(CHECKOUT, _form_data(page))
    assert placed.status_code == 302
    order = Order.objects.exclude(pk=failed_order.pk).get()
    assert placed.url == reverse("orders:detail", kwargs={"token": order.token})
    assert (order.email, order.full_name, order.promo_code, order.accepted_newsletter) == (
        "ada@example.com", "Ada Lovelace", "SAVE10", True)
    assert (order.coin, order.network) == ("USDT", "Tron")
    assert list(order.items.values_list("beneficiary_account", flat=True)) == [
        "friend@example.com", "ada@example.com", "+14155552671"]


def test_a_refilled_form_leaves_new_items_empty_and_never_preselects_a_paused_network(
    filled_cart, monkeypatch
):
    _data, failed = _fail_an_order(filled_cart, monkeypatch, email="ada@example.com", payment="USDC|Base")
    Order.objects.update(coin="USDT", network="Arbitrum")  # paused in the sandbox since
    _try_again(filled_cart, failed)
    add(filled_cart, esim_1gb())
    esim = cart_line_ids(filled_cart)[-1]
    page = _text(filled_cart.get(CHECKOUT))  # back from the cart: still refilled
    assert REFILLED in re.sub(r"<[^>]+>", "", page)
    assert _input_value(page, "email") == "ada@example.com"
    assert _form_data(page)[f"beneficiary_{esim}"] == ""
    assert _form_data(page)["payment"] == "USDC|Solana"


def test_after_the_retry_is_placed_the_next_checkout_starts_empty(filled_cart, monkeypatch):
    _data, failed = _fail_an_order(filled_cart, monkeypatch, email="ada@example.com")
    filled_cart.post(CHECKOUT, _form_data(_text(_try_again(filled_cart, failed))))
    assert Order.objects.count() == 2 and filled_cart.session["cart"] == []
    add(filled_cart, steam_10())
    page = _text(filled_cart.get(CHECKOUT))
    assert REFILLED not in re.sub(r"<[^>]+>", "", page)
    assert _input_value(page, "email") is None


def test_a_retry_link_refills_only_from_an_order_that_failed(filled_cart):
    filled_cart.post(CHECKOUT, checkout_data(filled_cart, email="ada@example.com"))
    placed = Order.objects.get()
    add(filled_cart, steam_10())
    for token in (placed.token, "not-a-token", "x" * 5000, "%00", "<script>"):
        response = filled_cart.get(f"{CHECKOUT}?retry={token}", follow=True)
        page = _text(response)
        assert response.status_code == 200
        assert "ada@example.com" not in page and REFILLED not in re.sub(r"<[^>]+>", "", page)
        assert len(filled_cart.session.get("checkout_failed_order", "")) <= 64


# -- the live facts: delivery per product, exact brands, network minimums ----------------------------


def test_a_top_up_delivered_by_email_asks_for_an_email_and_one_by_phone_for_a_phone(client):
    add(client, lycamobile_by_email())
    add(client, sandbox_product("Lycamobile", "$10", brand="Lycamobile Credits"))
    add(client, esim_1gb())
    page = _text(client.get(CHECKOUT))
    by_email, by_phone, esim = cart_line_ids(client)
    assert re.search(rf'<input type="email" name="beneficiary_{by_email}"', page)
    assert re.search(rf'<input type="text" name="beneficiary_{by_phone}"[^>]*autocomplete="tel"', page)
    assert re.search(rf'<input type="email" name="beneficiary_{esim}"', page)


def test_the_order_names_the_exact_brand_and_a_range_value(client, monkeypatch):
    add(client, lycamobile_by_email())
    add(client, sandbox_product("Amazon.com"), value="25")
    sent = {}
    upstream = get_client()
    real_validate = upstream.validate_order

    def spy(*, body, end_user):
        sent.update(body)
        return real_validate(body=body, end_user=end_user)

    monkeypatch.setattr(upstream, "validate_order", spy)
    response = client.post(CHECKOUT, checkout_data(client))
    assert response.status_code == 302
    bundle, amazon = sent["deliveries"]
    assert (bundle["brand_name"], bundle["denomination"]) == ("Lycamobile Bundle", "50 USD")
    assert bundle["beneficiary_account"] == "buyer@example.com"
    assert (amazon["brand_name"], amazon["denomination"]) == ("Amazon.com", "range")
    assert amazon["product_value"] == 25
    items = Order.objects.get().items.order_by("position")
    assert [(i.brand_name, i.family, i.kind, i.denomination) for i in items] == [
        ("Lycamobile Bundle", "Lycamobile", "mobile_recharge", "50 USD"),
        ("Amazon.com", "Amazon.com", "giftcard", "range"),
    ]


def test_an_esim_is_ordered_as_an_esim_to_an_email(client):
    add(client, esim_1gb())
    client.post(CHECKOUT, checkout_data(client))
    item = Order.objects.get().items.get()
    assert (item.brand_name, item.kind, item.beneficiary_account) == ("eSIM", "esim", "buyer@example.com")


def test_an_order_under_the_networks_minimum_is_refused_next_to_the_payment_field_before_submit(client):
    add(client, esim_1gb())  # about 4.59 USDC; Ethereum takes at least 9.87321 USDC
    data = checkout_data(client, payment="USDC|Ethereum", email="ada@example.com", promo_code="SAVE10")
    before = upstream_posts("/v5/orders/validations")
    page = _text(client.post(CHECKOUT, data))
    payment_errors = re.search(r'<ul class="errorlist" id="payment-errors">(.*?)</ul>', page, re.S).group(1)
    minimum = "Payments on Ethereum must be at least 9.87321 USDC; this order comes to 4.59 USDC."
    assert minimum in payment_errors
    assert "Pick another network, or add to your cart." in payment_errors
    # Nothing was asked of the upstream, nothing ordered, and the form keeps what was typed.
    assert upstream_posts("/v5/orders/validations") == before
    assert Order.objects.count() == 0
    assert _input_value(page, "email") == "ada@example.com" and _input_value(page, "promo_code") == "SAVE10"
    assert re.search(r'value="USDC\|Ethereum" checked', page)


def test_a_validated_amount_under_the_networks_minimum_is_refused_too(client):
    add(client, esim_1gb())
    client.post(reverse("checkout:cart"), {"action": "coin", "coin": "USDT"})  # the cart in USDT
    page = _text(client.post(CHECKOUT, checkout_data(client, payment="USDC|Ethereum")))
    assert "Payments on Ethereum must be at least 9.87321 USDC" in page
    assert Order.objects.count() == 0
