"""Bad input never breaks the shop: hostile values in every form field and URL parameter.

Every answer is 2xx, 3xx, 4xx or 429, never 5xx; after each example nothing is half-created and the
cart holds at most MAX_DELIVERIES deliveries. The in-process sandbox answers the upstream calls.
"""

from __future__ import annotations

import uuid
from urllib.parse import quote, urlsplit

import pytest
from django.test import Client
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from robustness_helpers import assert_cart_within_limits, assert_nothing_half_created
from sandbox_products import AMAZON_RANGE, APPLE_RANGE, ATT_15, ESIM_1GB, LYCAMOBILE_PIN_50, STEAM_10

from catalog.countries import all_countries
from orders.models import Order
from storefront.sandbox.catalog import stable_id

pytestmark = pytest.mark.django_db

CART = "/cart/"
CART_ADD = "/cart/add/"
CHECKOUT = "/checkout/"


def budget(examples: int):
    """Hypothesis settings for one test: `examples` tries, no deadline, no example database on disk."""
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
        ],
    )


# -- strategies ------------------------------------------------------------------------------------

ODD_TEXT = [
    "\x00",
    "a\x00b",
    "\u202eevil\u202c",
    "\u200f",
    "مرحبا",
    "שלום",
    "🙂",
    "👨‍👩‍👧‍👦",
    "\ufeff",
    "𝕬𝖇𝖈",
    "e\u0301\u0301\u0301",
    "ﷺ",
    "Ω≈ç√∫",
    "İı",
    "ß",
    "\t\n\r",
    " ",
    "",
]
INJECTION = [
    "' OR 1=1 --",
    "'; DROP TABLE orders_order; --",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}",
    "{% debug %}",
    "../../etc/passwd",
    "%00",
    "%s%s%n",
    "${jndi:ldap://x.test/a}",
    "\r\nSet-Cookie: x=1",
    "null",
    "None",
    "[]",
    "{}",
    "javascript:alert(1)",
    "//evil.test/",
    "https://evil.test/",
    "/\\evil.test",
    "0x41",
    "-1",
    "1e999",
]
hostile_text = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),  # NUL and controls included
    st.sampled_from(ODD_TEXT + INJECTION),
    st.lists(st.sampled_from(ODD_TEXT + INJECTION), min_size=2, max_size=6).map("".join),
    st.builds(
        lambda unit, n: unit * n,
        st.sampled_from(["A", "é", "🙂", "9", "<b>", "\x00", "-"]),
        st.integers(200, 20_000),
    ),
)
numbers = st.one_of(
    st.integers(-(10**40), 10**40).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
    st.sampled_from(
        [
            "NaN",
            "-NaN",
            "sNaN",
            "inf",
            "-Infinity",
            "1e999",
            "-1e999",
            "1E-999",
            "1,000.50",
            "12,5",
            "1.000,5",
            "1_000",
            "0x10",
            "",
            " ",
            "٣٠",
            "½",
            "1.2.3",
            "--1",
            "+5",
            "0",
            "-0",
            "0.001",
            "2",
            "40",
            "500",
            "501",
            "9" * 40,
            "1" + "0" * 19,
            "25 USD",
            "$25",
            "25.",
            ".5",
        ]
    ),
    hostile_text,
)
shop_codes = [c.code for c in all_countries()]
country_codes = st.one_of(
    st.sampled_from(shop_codes + [c.lower() for c in shop_codes]),
    st.sampled_from(["", "u", "Us", "XX", "T1", "zz", "usa", "USA1", "ÜS", "ｕｓ", "u\x00", "ıt", "12"]),
    st.text(max_size=5),
)
families = st.one_of(
    st.sampled_from(
        [
            "amazon-com",
            "steam",
            "everything-apple",
            "at-t",
            "esim",
            "lycamobile",  # one family, two brands
            "gamestop",
            "best-buy",
            "netflix",
            "vanilla-prepaid-mastercard",
            "airbnb",
            "amazon",  # the slug before families were display names
            "Amazon.com",  # the display name itself
            "AMAZON-COM",
            "amazon-com-",
            "-amazon-com",
            "e-sim",  # a category, not a family
            "a" * 80,
        ]
    ),
    st.from_regex(r"\A[a-z0-9][a-z0-9-]{0,79}\Z"),
    hostile_text,
)
products = st.one_of(
    st.sampled_from(
        [
            STEAM_10["product_id"],
            AMAZON_RANGE["product_id"],
            APPLE_RANGE["product_id"],
            ATT_15["product_id"],
            LYCAMOBILE_PIN_50["product_id"],
            ESIM_1GB["product_id"],
            stable_id("US", "Steam", "500 USD"),  # a denomination Steam does not have
            stable_id("US", "Amazon.com", "25 USD"),  # Amazon.com is a range product now
            stable_id("GB", "Amazon.com", "range"),
            "US-amazon-25",  # an id of the old shape
            "00000000-0000-0000-0000-000000000000",
            "range",
            "",
        ]
    ),
    st.uuids().map(str),
    hostile_text,
)
denominations = st.one_of(
    st.sampled_from(["10 USD", "range", "15 USD", "50 USD", "1 GB 3 days", "500 USD", "", "10", "$10"]),
    hostile_text,
)
tokens = st.one_of(
    st.from_regex(r"\A[A-Za-z0-9_-]{43}\Z"),
    st.text(min_size=1, max_size=80),
    hostile_text.filter(bool),
)
idempotency_keys = st.one_of(
    st.uuids().map(str),
    st.uuids().map(lambda u: "{" + str(u) + "}"),
    st.uuids().map(lambda u: f"urn:uuid:{u}"),
    st.sampled_from(["", "0" * 32, "٣" * 32, "00000000-0000-0000-0000-000000000000", "not-a-uuid"]),
    hostile_text,
)
quantities = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.sampled_from(["", "0", "1", "10", "11", "1.5", "1e3", "-0", "+3", " 2 ", "٣", "NaN", "9" * 50]),
    hostile_text,
)
coins = st.one_of(st.sampled_from(["USDC", "USDT", "EURC", "usdc", "DOGE", "", "USDC "]), hostile_text)
payments = st.one_of(
    st.sampled_from(
        [
            "USDC|Solana",
            "USDT|Solana",
            "USDC|Tron",
            "USDT|Arbitrum",
            "EURC|Base",
            "USDC|Bitcoin",
            "USDC|polygon (matic)",
            "BTC|Lightning",
            "usdc|solana",
            "USDC",
            "|",
            "USDC|Solana|x",
            "",
        ]
    ),
    hostile_text,
)
emails = st.one_of(
    st.sampled_from(
        [
            "buyer@example.com",
            "http_500@sandbox.test",
            "out_of_stock@sandbox.test",
            "kyc_missing@sandbox.test",
            "suspended_coin@sandbox.test",
            "a@b",
            "@",
            "a@b@c.d",
            "ünï@exämple.com",
            "a" * 250 + "@x.io",
            "buyer@example.com\x00",
        ]
    ),
    st.emails().map(str),
    hostile_text,
)
phones = st.one_of(
    st.sampled_from(["(415) 555-2671", "+14155552671", "+447911123456", "0", "+", "+1" + "9" * 30, "555"]),
    hostile_text,
)
booleans = st.one_of(st.sampled_from(["on", "off", "true", "false", "1", "0", ""]), hostile_text)
htmx = st.booleans()


def headers(is_htmx: bool) -> dict:
    return {"HX-Request": "true"} if is_htmx else {}


def as_header(value: str) -> str:
    """Return `value` as a WSGI server hands a header over: Latin-1, no line breaks."""
    return value.encode("latin-1", "ignore").decode("latin-1").replace("\r", "").replace("\n", "")


def path_part(value: str) -> str:
    return quote(value, safe="")


def assert_answered(response, what: str = "") -> None:
    """2xx, 3xx, 4xx (429 included); never 5xx."""
    assert 200 <= response.status_code < 500, f"{what} answered {response.status_code}"


def assert_invariants(client) -> None:
    assert_nothing_half_created()
    assert_cart_within_limits(client)


@pytest.fixture(autouse=True)
def generous_rate_limits(settings):
    """Raise every rate limit, so a 429 never hides what a request would have done."""
    settings.RATE_LIMITS = {scope: (1_000_000, 60) for scope in settings.RATE_LIMITS}


def add(client, product: dict, *, quantity: str = "1", value: str = "") -> None:
    client.post(CART_ADD, {**product, "quantity": quantity, "product_value": value})


# A fixed gift card, a range gift card and a top-up delivered to a phone, in the order checkout lists them.
FILLED_CART = ((STEAM_10, ""), (AMAZON_RANGE, "25"), (ATT_15, ""))


@pytest.fixture
def filled_cart(client):
    add(client, STEAM_10)
    add(client, AMAZON_RANGE, value="25")
    add(client, ATT_15)
    assert len(client.session["cart"]) == 3
    return client


def refill(client) -> None:
    """Put the three products back when an example emptied the cart (a quantity 0, an order placed)."""
    ids = {line["pid"] for line in client.session.get("cart", [])}
    for product, value in FILLED_CART:
        if product["product_id"] not in ids:
            add(client, product, value=value)


def optional_fields(**fields) -> st.SearchStrategy[dict]:
    """A form's data with each field present or missing."""
    return st.fixed_dictionaries({}, optional=fields)


# -- the country chooser, the home page, the brand list ------------------------------------------


@budget(60)
@given(q=hostile_text, next_url=hostile_text, country=country_codes)
def test_country_chooser_takes_any_query_next_and_country(client, q, next_url, country):
    assert_answered(client.get("/countries/", {"q": q, "next": next_url}), "GET countries")
    response = client.post(f"/countries/?next={quote(next_url)}", {"country": country, "next": next_url})
    assert_answered(response, "POST countries")
    if response.status_code == 302:
        assert urlsplit(response.url).netloc in ("", "testserver"), response.url
    assert_invariants(client)


@budget(80)
@given(
    cc=st.one_of(st.sampled_from(shop_codes).map(str.lower), country_codes),
    kind=hostile_text,
    q=hostile_text,
    category=hostile_text,
    page=numbers,
    is_htmx=htmx,
)
def test_home_and_brand_list_take_any_country_and_filters(client, cc, q, kind, category, page, is_htmx):
    assert_answered(client.get(f"/shop/{path_part(cc)}/"), f"home {cc!r}")
    response = client.get(
        f"/shop/{path_part(cc)}/brands/",
        {"q": q, "kind": kind, "category": category, "page": page},
        headers=headers(is_htmx),
    )
    assert_answered(response, f"brands {cc!r}")
    assert_invariants(client)


@budget(40)
@given(family=families, cc=st.sampled_from(["us", "gb", "ng", "es"]))
def test_a_brand_page_takes_any_family_slug(client, family, cc):
    assert_answered(client.get(f"/shop/{cc}/brands/{path_part(family)}/"), f"brand {family!r}")


@budget(150)
@given(
    family=st.sampled_from(
        ["amazon-com", "steam", "everything-apple", "airbnb", "at-t", "esim", "lycamobile", "glovo"]
    ),
    cc=st.sampled_from(["us", "es"]),
    params=optional_fields(product=products, amount=numbers, coin=coins, page=numbers),
    is_htmx=htmx,
)
def test_the_product_page_and_its_quote_take_any_amount_product_and_coin(client, family, cc, params, is_htmx):
    response = client.get(f"/shop/{cc}/brands/{family}/", params, headers=headers(is_htmx))
    assert_answered(response, f"product page {params!r}")
    assert client.session.get("coin", "USDC") in ("USDC", "USDT")
    assert_invariants(client)


@budget(30)
@given(
    language=hostile_text,
    cookie_country=hostile_text,
    forwarded=hostile_text,
    agent=hostile_text,
    cf_country=country_codes,
)
@example(
    language="", cookie_country="", forwarded="", agent="Mozilla/5.0 (Straße)", cf_country=""
)  # was a 500
def test_hostile_request_headers_and_cookies_only_change_the_guess(
    client, language, cookie_country, forwarded, agent, cf_country
):
    client.cookies["country"] = cookie_country.replace("\x00", "").encode("ascii", "ignore").decode()
    extra = {
        "HTTP_ACCEPT_LANGUAGE": as_header(language),
        "HTTP_X_FORWARDED_FOR": as_header(forwarded),
        "HTTP_USER_AGENT": as_header(agent),
        "HTTP_CF_IPCOUNTRY": as_header(cf_country),
    }
    response = client.get("/", **extra)
    assert_answered(response, "root")
    assert response.status_code == 302 and response.url.startswith("/shop/")
    assert_answered(client.get(response.url, **extra), "home from root")


# -- the cart ------------------------------------------------------------------------------------


cart_add_fields = {
    "country": country_codes,
    "family": families,
    "product_id": products,
    "denomination": denominations,
}
cart_add_extras = {"product_value": numbers, "quantity": quantities}


@budget(150)
@given(
    data=st.one_of(
        st.fixed_dictionaries(cart_add_fields, optional=cart_add_extras),
        optional_fields(**cart_add_fields, **cart_add_extras),
    ),
    referer=st.one_of(
        st.just(""),
        st.sampled_from(
            ["/shop/us/brands/amazon-com/", "https://evil.test/x", "//evil.test", "javascript:alert(1)"]
        ),
        hostile_text,
    ),
)
@example(data={**STEAM_10, "country": "ZZ"}, referer="")  # was a 503: the catalog's 404 for the country
@example(data={**AMAZON_RANGE, "product_value": "500.001"}, referer="")  # just over the range's max
@example(data={**AMAZON_RANGE, "family": "steam"}, referer="")  # a product posted under another family
@example(data={**LYCAMOBILE_PIN_50, "product_value": "50"}, referer="")  # a fixed product given a value
@example(data={}, referer="0")  # was a 500: redirect() took the Referer for a URL name
@example(data={}, referer=":")
def test_adding_to_the_cart_takes_any_post(client, data, referer):
    before = client.session.get("cart", [])
    response = client.post(CART_ADD, data, HTTP_REFERER=as_header(referer))
    assert_answered(response, f"cart add {data!r}")
    assert response.status_code == 302
    assert urlsplit(response.url).netloc in ("", "testserver"), response.url
    after = client.session.get("cart", [])
    event(f"cart add: {'added' if len(after) > len(before) or after != before else 'refused'}")
    assert len(after) >= len(before)
    assert_invariants(client)


@budget(40)
@given(quantities_=st.lists(quantities, min_size=1, max_size=4))
def test_adding_the_same_product_again_and_again_never_overfills_the_cart(client, quantities_):
    for quantity in quantities_:
        response = client.post(CART_ADD, {**STEAM_10, "quantity": quantity})
        assert_answered(response, f"cart add quantity {quantity!r}")
        assert_invariants(client)


@budget(120)
@given(
    action=st.one_of(st.sampled_from(["update", "remove", "coin", ""]), hostile_text),
    line=st.one_of(st.sampled_from(["<line>", "<other line>", ""]), hostile_text),
    quantity=quantities,
    coin=coins,
    is_htmx=htmx,
    missing=st.sets(st.sampled_from(["action", "line", "quantity", "coin"])),
)
def test_the_cart_takes_any_update_remove_or_coin(
    filled_cart, action, line, quantity, coin, is_htmx, missing
):
    client = filled_cart
    refill(client)
    ids = [entry["id"] for entry in client.session["cart"]]
    line = {"<line>": ids[0], "<other line>": ids[-1]}.get(line, line)
    data = {
        k: v
        for k, v in {"action": action, "line": line, "quantity": quantity, "coin": coin}.items()
        if k not in missing
    }
    response = client.post(CART, data, headers=headers(is_htmx))
    assert_answered(response, f"cart POST {data!r}")
    assert client.session.get("coin", "USDC") in ("USDC", "USDT")
    assert_answered(client.get(CART), "cart page after")
    assert_invariants(client)


# -- checkout --------------------------------------------------------------------------------------


def mostly(valid: st.SearchStrategy, hostile: st.SearchStrategy) -> st.SearchStrategy:
    """Usually a valid value, so that many examples get past the form to the upstream; else a hostile one."""
    return st.integers(0, 5).flatmap(lambda pick: hostile if pick == 0 else valid)


checkout_fields = st.one_of(
    # Most fields valid: the examples reach validation and order creation with one odd value.
    st.fixed_dictionaries(
        {
            "idempotency_key": mostly(st.uuids().map(str), idempotency_keys),
            "email": mostly(
                st.just("buyer@example.com"),
                st.one_of(
                    st.sampled_from(
                        [
                            "http_500@sandbox.test",
                            "out_of_stock@sandbox.test",
                            "suspended_coin@sandbox.test",
                            "kyc_missing@sandbox.test",
                        ]
                    ),
                    emails,
                ),
            ),
            "payment": mostly(
                st.sampled_from(["USDC|Solana", "USDT|Base", "USDC|Tron", "USDC|Polygon (Matic)"]), payments
            ),
        },
        optional={
            "full_name": mostly(st.sampled_from(["", "Ana María López"]), hostile_text),
            "promo_code": mostly(st.sampled_from(["", "SAVE10", "NOTFOUND", "MIN100"]), hostile_text),
            "accepted_newsletter": booleans,
        },
    ),
    optional_fields(
        idempotency_key=idempotency_keys,
        email=emails,
        payment=payments,
        full_name=hostile_text,
        promo_code=st.one_of(st.sampled_from(["SAVE10", "save10 ", "ß" * 40]), hostile_text),
        accepted_newsletter=booleans,
    ),
)


@budget(150)
@given(
    fields=checkout_fields,
    beneficiaries=st.tuples(
        mostly(st.sampled_from(["", "friend@example.com"]), st.one_of(emails, phones)),
        mostly(st.just(""), st.one_of(emails, phones)),
        mostly(st.sampled_from(["(415) 555-2671", "+14155552671"]), phones),
    ),
    drop=st.sets(st.integers(0, 2), max_size=1),
    extra=st.dictionaries(hostile_text.map(lambda s: s[:30] or "x"), hostile_text, max_size=2),
)
def test_checkout_takes_any_post(filled_cart, fields, beneficiaries, drop, extra):
    client = filled_cart
    refill(client)
    orders_before = Order.objects.count()
    data = {**extra, **fields}
    lines = sorted(
        client.session["cart"],
        key=lambda line: [product["product_id"] for product, _value in FILLED_CART].index(line["pid"]),
    )
    for index, (entry, value) in enumerate(zip(lines, beneficiaries, strict=True)):
        if index not in drop:
            data[f"beneficiary_{entry['id']}"] = value
    response = client.post(CHECKOUT, data)
    assert_answered(response, f"checkout {data!r}")
    form = response.context["form"] if response.status_code == 200 else None
    event(
        f"checkout: {response.status_code}{' order placed' if Order.objects.count() > orders_before else ''}"
        f"{' field errors' if form is not None and set(form.errors) - {'__all__'} else ''}"
        f"{' upstream problems' if form is not None and set(form.errors) == {'__all__'} else ''}"
    )
    # At most one order per submit, and a repeated submit makes no second one.
    assert Order.objects.count() <= orders_before + 1
    if Order.objects.count() > orders_before:
        count = Order.objects.count()
        assert_answered(client.post(CHECKOUT, data), "repeated checkout")
        assert Order.objects.count() == count
    assert_invariants(client)


@budget(20)
@given(key=idempotency_keys)
def test_checkout_with_an_empty_cart_takes_any_key(client, key):
    assert_answered(client.post(CHECKOUT, {"idempotency_key": key, "email": "buyer@example.com"}))
    assert_answered(client.get(CHECKOUT))
    assert not Order.objects.exists()


# -- orders ----------------------------------------------------------------------------------------


@pytest.fixture
def placed_order(client) -> Order:
    """An order placed through the shop on the in-process sandbox."""
    add(client, STEAM_10)
    page = client.get(CHECKOUT).content.decode()
    key = page.split('name="idempotency_key"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    response = client.post(
        CHECKOUT, {"idempotency_key": key, "email": "buyer@example.com", "payment": "USDC|Solana"}
    )
    assert response.status_code == 302, response
    return Order.objects.get()


@budget(100)
@given(
    token=tokens,
    action=st.one_of(st.sampled_from(["pay", "partial", "expire", "fail", ""]), hostile_text),
    is_htmx=htmx,
)
def test_order_pages_take_any_token_and_action(client, token, action, is_htmx):
    url = f"/orders/{path_part(token)}/"
    response = client.get(url, headers=headers(is_htmx))
    assert_answered(response, f"order {token!r}")
    assert response.status_code in (404, 429)
    assert_answered(client.post(f"{url}simulate/", {"action": action}), "simulate")
    assert_answered(client.get(f"/api/orders/{path_part(token)}/subscribe"), "stream")
    assert_answered(client.post(f"/api/orders/{path_part(token)}/subscribe"), "stream POST")


@budget(40)
@given(
    action=st.one_of(
        st.sampled_from(
            ["pay", "partial", "pay_rest", "late", "expire", "fail", "resolve", "refund", "PAY", ""]
        ),
        hostile_text,
    ),
    is_htmx=htmx,
)
def test_a_real_order_takes_any_simulate_action(client, placed_order, action, is_htmx):
    url = f"/orders/{placed_order.token}/"
    assert_answered(client.post(f"{url}simulate/", {"action": action}), f"simulate {action!r}")
    response = client.get(url, headers=headers(is_htmx))
    assert response.status_code in (200, 286)
    assert Order.objects.count() == 1
    assert_invariants(client)


# -- language, admin -------------------------------------------------------------------------------


@budget(40)
@given(
    language=st.one_of(st.sampled_from(["en", "es", "zh-hans", "zh-Hans", "fr", "", "es-ES"]), hostile_text),
    next_url=st.one_of(
        st.sampled_from(["/", "/cart/", "/es/cart/", "https://evil.test/", "//evil.test"]), hostile_text
    ),
)
def test_the_language_switcher_takes_any_language_and_next(client, language, next_url):
    response = client.post("/i18n/setlang/", {"language": language, "next": next_url})
    assert_answered(response, "setlang")
    if response.status_code == 302:
        assert not response.url.startswith(("//", "http:", "https:", "javascript:"))
    assert_answered(client.get(f"/i18n/setlang/?next={quote(next_url)}"), "setlang GET")


@budget(30)
@given(username=hostile_text, password=hostile_text, next_url=hostile_text)
def test_admin_login_takes_any_credentials(client, settings, username, password, next_url):
    # Every attempt hashes the password; the default hasher would spend the budget on 20,000-char ones.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    response = client.post(
        f"/admin/login/?next={quote(next_url)}", {"username": username, "password": password}
    )
    assert_answered(response, "admin login")
    assert response.status_code in (200, 429)


# -- missing or forged CSRF ------------------------------------------------------------------------

CSRF_POSTS = [
    ("/countries/", {"country": "GB", "next": "/cart/"}),
    (CART_ADD, {**STEAM_10, "quantity": "1"}),
    (CART, {"action": "coin", "coin": "USDT"}),
    (CART, {"action": "update", "line": "x", "quantity": "3"}),
    (
        CHECKOUT,
        {"idempotency_key": str(uuid.uuid4()), "email": "buyer@example.com", "payment": "USDC|Solana"},
    ),
    ("/admin/login/", {"username": "staff", "password": "x"}),
]


@budget(40)
@given(
    target=st.sampled_from(CSRF_POSTS),
    forged=st.one_of(st.none(), hostile_text, st.from_regex(r"\A[A-Za-z0-9]{64}\Z")),
    cookie=st.one_of(st.none(), hostile_text, st.from_regex(r"\A[A-Za-z0-9]{32}\Z")),
)
def test_posts_without_a_valid_csrf_token_are_refused_and_change_nothing(filled_cart, target, forged, cookie):
    """A cross-site form (no token, or a made-up one) is refused with 403 and leaves the cart and orders."""
    shopper = Client(enforce_csrf_checks=True)
    shopper.cookies = filled_cart.cookies
    if cookie is not None:
        shopper.cookies["csrftoken"] = cookie.encode("ascii", "ignore").decode()
    cart_before = shopper.session.get("cart")
    path, data = target
    if forged is not None:
        data = {**data, "csrfmiddlewaretoken": forged}
    response = shopper.post(path, data)
    assert response.status_code == 403, f"{path}: {response.status_code}"
    assert shopper.session.get("cart") == cart_before
    assert shopper.session.get("coin", "USDC") == "USDC"
    assert not Order.objects.exists()
    assert_invariants(shopper)


def test_the_csrf_exempt_posts_can_do_no_harm(placed_order):
    """Documented exceptions: the simulator needs the URL's secret; the language switch sets only a cookie."""
    shopper = Client(enforce_csrf_checks=True)
    switched = shopper.post("/i18n/setlang/", {"language": "es", "next": "https://evil.test/"})
    assert switched.status_code == 302 and urlsplit(switched.url).netloc == ""
    assert set(switched.cookies) <= {"django_language"}
    assert shopper.post(f"/orders/{placed_order.token[:-1]}x/simulate/", {"action": "pay"}).status_code == 404
    assert shopper.post(f"/orders/{placed_order.token}/simulate/", {"action": "nope"}).status_code == 404
