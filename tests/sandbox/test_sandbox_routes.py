"""Shapes of every sandbox route."""

from __future__ import annotations

import pytest

# Every key of a live brand (tests/contract/fixtures/brands_us.json).
BRAND_KEYS = {
    "family",
    "brand_id",
    "brand",
    "logo_url",
    "logo_base_url",
    "bg_color",
    "min",
    "max",
    "category",
    "is_out_of_stock",
    "country_code",
    "additional_categories",
    "kind",
    "product_type",
    "brand_tags",
}
FIXED_KEYS = {
    "product_id",
    "is_dynamic",
    "denomination",
    "localized_denomination",
    "coin",
    "coin_amount",
    "payment_method",
    "delivery_type",
    "points",
    "product_type",
    "face_value",
}
RANGE_KEYS = FIXED_KEYS - {"denomination", "localized_denomination", "coin_amount"} | {"range"}
PRICE_KEYS = {
    "product_id",
    "is_dynamic",
    "coin_amount",
    "coin",
    "original_coin_amount",
    "payment_method",
    "delivery_type",
    "points",
    "product_type",
}


def products(client, family: str, country: str = "US", **params: str) -> list:
    response = client.get(f"/v5/products/country/{country}", params={"family_name": family, **params})
    assert response.status_code == 200, response.text
    return response.json()


def test_the_partner_header_is_recorded_but_not_required(sandbox, make_client):
    with make_client(sandbox) as http:
        http.headers.pop("X-Cr-Application")
        assert http.get("/v3/payment_vias").status_code == 200
        assert http.get("/v2/brands?country_code=US").status_code == 200
        _method, _path, headers = sandbox.request_log[-1]
        assert "X-Cr-Application" not in headers
        http.get("/v3/payment_vias", headers={"X-Cr-Application": "partner-7"})
        assert sandbox.request_log[-1][2]["X-Cr-Application"] == "partner-7"
        assert http.get("/logos/airbnb.webp").status_code == 200


def test_payment_vias_lists_coins_networks_thresholds_and_what_the_shop_ignores(client):
    vias = client.get("/v3/payment_vias").json()
    assert [via["name"] for via in vias] == ["USER_WALLET", "GATE_PAY", "KUCOIN_PAY"]
    coins = {c["name"]: c for c in vias[0]["currencies"]}
    assert set(coins) == {"USDC", "USDT", "EURC", "BTC"}
    assert {n["name"] for n in coins["USDC"]["networks"]} == {
        "Solana",
        "Ethereum",
        "Base",
        "Arbitrum",
        "Polygon (Matic)",
    }
    assert {n["name"] for n in coins["USDT"]["networks"]} == {
        "Solana",
        "Ethereum",
        "Base",
        "Arbitrum",
        "Polygon (Matic)",
        "Tron",
    }
    usdt = {n["name"]: n for n in coins["USDT"]["networks"]}
    assert usdt["Arbitrum"]["is_suspended"] is True
    assert usdt["Tron"]["smart_contract"] == {
        "engine": "TVM",
        "address": "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
        "decimals": 6,
        "symbol": "USDT",
    }
    assert "chain_id" not in usdt["Tron"] and usdt["Polygon (Matic)"]["chain_id"] == 137
    usdc = {n["name"]: n for n in coins["USDC"]["networks"]}
    assert usdc["Solana"]["smart_contract"]["address"] == "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"
    assert (usdc["Solana"]["smart_contract_engine"], usdc["Solana"]["base_token"]) == ("SVM", "SOL")
    assert usdc["Ethereum"]["threshold"] == "9.873210000000000" and usdc["Ethereum"]["chain_id"] == 1
    assert coins["EURC"]["is_suspended"] is True
    assert {n["name"] for n in coins["BTC"]["networks"]} == {"Lightning", "Mainnet"}
    assert coins["BTC"]["networks"][0]["smart_contract"] is None


def test_brands_lists_categories_by_slug_and_every_brand_once(client):
    doc = client.get("/v2/brands", params={"country_code": "us"}).json()
    assert doc["country_code"] == "US"
    assert (doc["last_user_purchases"], doc["suggestions"]) == ([], [])
    slugs = [c["category"] for c in doc["categories"]]
    assert {"e-commerce", "travel", "food", "entertainment", "gaming", "phone-refills", "e-sim"} <= set(slugs)
    assert all("name" not in c for c in doc["categories"])
    brands = {b["brand"]: b for b in doc["all_brands"]}
    assert len(brands) == len(doc["all_brands"])
    assert all(set(b) == BRAND_KEYS for b in brands.values())
    amazon = brands["Amazon.com"]
    assert (amazon["family"], amazon["category"], amazon["kind"]) == ("Amazon.com", "e-commerce", "giftcard")
    assert (amazon["min"], amazon["max"]) == ("$5", "$500")
    assert amazon["logo_base_url"] == "/sandbox/logos/amazon-com"
    assert amazon["logo_url"] == "/sandbox/logos/amazon-com.webp"
    listed_in = [
        c["category"] for c in doc["categories"] if any(b["brand"] == "Amazon.com" for b in c["brands"])
    ]
    assert listed_in == ["e-commerce", "entertainment", "books_learning"]
    assert brands["AT&T"]["kind"] == "mobile_recharge"
    esim = brands["eSIM"]
    assert (esim["family"], esim["kind"], esim["category"]) == ("eSIM", "mobile_recharge", "e-sim")
    assert (esim["min"], esim["max"]) == ("1 GB 3 days", "50 GB 90 days")
    assert {b["family"] for b in doc["all_brands"] if b["brand"].startswith("Lycamobile")} == {"Lycamobile"}
    assert brands["Best Buy"]["is_out_of_stock"] is True
    assert {b["brand"] for b in doc["popular_brands"]} >= {"Amazon.com", "Steam", "eSIM"}


def test_brands_answers_unknown_country_and_empty_country(client):
    unknown = client.get("/v2/brands", params={"country_code": "ZZ"})
    assert unknown.status_code == 404 and unknown.json()["detail"] == "UNKNOWN_COUNTRY"
    empty = client.get("/v2/brands", params={"country_code": "XK"}).json()
    assert (empty["country_code"], empty["categories"], empty["all_brands"]) == ("XK", [], [])


@pytest.mark.parametrize("country", ["US", "GB", "DE", "ES", "MX", "BR", "NG", "PH", "IN", "CN"])
def test_every_product_country_has_several_categories_and_a_homepage(client, country):
    categories = client.get("/v2/brands", params={"country_code": country}).json()["categories"]
    assert len(categories) >= 4
    sections = client.get("/v2/homepage", params={"country_code": country}).json()["sections"]
    assert [(s["name"], s["title"]) for s in sections] == [("popular", "Popular"), ("featured", "Featured")]
    assert all(s["brands"] and set(s["brands"][0]) == BRAND_KEYS for s in sections)


def test_catalog_has_forty_brands_with_display_name_families(client):
    names, families, kinds = set(), set(), set()
    for country in ("US", "GB", "DE", "ES", "MX", "BR", "NG", "PH", "IN", "CN"):
        for brand in client.get("/v2/brands", params={"country_code": country}).json()["all_brands"]:
            names.add(brand["brand"])
            families.add(brand["family"])
            kinds.add(brand["kind"])
    assert len(names) >= 40
    assert {"Amazon.com", "Amazon.co.uk", "Hotels.com", "AT&T", "eSIM", "Lycamobile"} <= families
    assert kinds == {"giftcard", "mobile_recharge"}


def test_products_answer_families_with_fixed_products(client):
    (family,) = products(client, "AIRBNB", coin="USDC")
    assert (family["family"], family["brand"], family["kind"], family["category"]) == (
        "Airbnb",
        "Airbnb",
        "giftcard",
        "travel",
    )
    assert family["default_denomination"] == "25 USD" and family["redeem_method"] == []
    assert family["product_tc"] and set(family["rich_description"]) == {
        "description",
        "how_to_redeem",
        "term_and_conditions",
        "note",
        "brand_url",
    }
    assert family["rich_description"]["how_to_redeem"].startswith("<ol>")
    fixed = family["products"]
    assert [p["denomination"] for p in fixed] == ["25 USD", "50 USD", "100 USD", "200 USD", "500 USD"]
    first = fixed[0]
    assert set(first) == FIXED_KEYS
    assert (first["coin_amount"], first["localized_denomination"], first["is_dynamic"]) == (
        "25.48",
        "$25",
        False,
    )
    assert first["face_value"] == {"currency_code": "USD", "amount": {"type": "fixed", "price": "25.00"}}
    assert first["delivery_type"] == "by_email" and first["payment_method"] == "USDC-SOL"
    assert fixed[-1]["is_out_of_stock"] is True
    assert products(client, "airbnb", coin="USDT")[0]["products"][0]["coin_amount"] == "25.60"


def test_products_of_a_range_brand_have_no_denomination_nor_coin_amount(client):
    (family,) = products(client, "Amazon.com")
    (product,) = family["products"]
    assert set(product) == RANGE_KEYS and product["is_dynamic"] is True
    assert product["range"] == {
        "min": 5.0,
        "max": 500.0,
        "currency": "USD",
        "step_size": 1.0,
        "default": "500.0",
    }
    assert product["face_value"] == {
        "currency_code": "USD",
        "amount": {"type": "range", "min": "5.00", "max": "500.00"},
    }
    assert family["default_denomination"] == ""


def test_products_need_the_family_display_name(client):
    assert products(client, "amazon.COM")[0]["brand"] == "Amazon.com"
    assert products(client, "amazon-com") == []
    response = client.get("/v5/products/country/US")
    assert response.status_code == 400 and response.json()["detail"] == "BAD_REQUEST"


def test_a_family_of_two_brands_answers_both_with_delivery_type_per_product(client):
    credits, bundle = products(client, "Lycamobile")
    assert (credits["brand"], bundle["brand"]) == ("Lycamobile Credits", "Lycamobile Bundle")
    assert credits["brand_id"] != bundle["brand_id"]
    assert [p["delivery_type"] for p in bundle["products"]] == ["by_phone", "by_phone", "by_email"]


@pytest.mark.parametrize(
    ("lang", "localized", "word"),
    [
        ("en", "$25", "gift card"),
        ("es", "25 US$", "Tarjeta regalo"),
        ("zh", "25 美元", "礼品卡"),
        ("fr", "$25", "gift card"),
    ],
)
def test_products_are_localized(client, lang, localized, word):
    (family,) = products(client, "Airbnb", lang=lang)
    assert family["products"][0]["localized_denomination"] == localized
    assert word in family["rich_description"]["description"]


def test_products_of_local_currency_top_ups_and_esims(client):
    (claro,) = products(client, "Claro Credits", country="MX")
    assert claro["products"][0]["face_value"]["currency_code"] == "MXN"
    assert claro["products"][0]["delivery_type"] == "by_phone" and claro["kind"] == "mobile_recharge"
    (esim,) = products(client, "eSIM", lang="es")
    assert (esim["kind"], esim["category"]) == ("mobile_recharge", "e-sim")
    plans = esim["products"]
    assert [p["denomination"] for p in plans] == [
        "1 GB 3 days",
        "3 GB 30 days",
        "10 GB 30 days",
        "50 GB 90 days",
    ]
    assert plans[0]["localized_denomination"] == "1 GB 3 días"
    assert plans[0]["face_value"]["amount"]["price"] == "4.50" and plans[0]["delivery_type"] == "by_email"


def test_products_of_an_unknown_family_is_empty(client):
    assert products(client, "nope") == []


def test_price_of_a_fixed_and_a_range_value(client):
    price = client.get(
        "/v4/products/price",
        params={"brand_name": "Airbnb", "country_code": "US", "face_value": "100", "coin": "USDC"},
    ).json()
    assert set(price) == PRICE_KEYS
    assert (price["coin_amount"], price["original_coin_amount"], price["points"]) == (
        "101.90",
        "101.90",
        "88",
    )
    (airbnb,) = products(client, "Airbnb")
    assert price["product_id"] == airbnb["products"][2]["product_id"]
    ranged = client.get(
        "/v4/products/price",
        params={"brand_name": "Everything Apple", "country_code": "US", "face_value": "12", "coin": "USDT"},
    ).json()
    assert ranged["is_dynamic"] is True and ranged["coin_amount"] == "12.29"
    assert ranged["range"]["min"] == 2.0
    gbp = client.get(
        "/v4/products/price",
        params={"brand_name": "Amazon.co.uk", "country_code": "GB", "face_value": "25", "coin": "USDC"},
    ).json()
    assert gbp["coin_amount"] == "32.35"


@pytest.mark.parametrize(
    ("params", "status", "detail"),
    [
        ({"brand_name": "Nope", "country_code": "US", "face_value": "10"}, 404, "NOT_AVAILABLE_PRODUCT"),
        ({"brand_name": "Airbnb", "country_code": "US", "face_value": "30"}, 400, "INVALID_FACE_VALUE"),
        (
            {"brand_name": "Everything Apple", "country_code": "US", "face_value": "501"},
            400,
            "INVALID_FACE_VALUE",
        ),
        (
            {"brand_name": "Everything Apple", "country_code": "US", "face_value": "12.5"},
            400,
            "INVALID_FACE_VALUE",
        ),
        ({"brand_name": "Airbnb", "country_code": "US", "face_value": "abc"}, 400, "INVALID_FACE_VALUE"),
        (
            {"brand_name": "Airbnb", "country_code": "US", "face_value": "25", "coin": "EURC"},
            400,
            "SUSPENDED_COIN",
        ),
    ],
)
def test_price_errors(client, params, status, detail):
    response = client.get("/v4/products/price", params=params)
    assert response.status_code == status
    assert response.json()["detail"] == detail


def test_invalid_face_value_describes_allowed_values(client):
    doc = client.get(
        "/v4/products/price",
        params={"brand_name": "Airbnb", "country_code": "US", "face_value": "30", "coin": "USDC"},
    ).json()
    assert doc["moreDetails"]["denominations"] == ["25", "50", "100", "200", "500"]


def test_available_countries_are_the_233_of_the_reference(client):
    countries = client.get("/api/available-countries").json()["countries"]
    assert len(countries) == 233
    assert countries[0] == {"isoCode": "AX", "name": "Åland Islands"}
    assert {"isoCode": "XK", "name": "Kosovo"} in countries
    assert len({c["isoCode"] for c in countries}) == 233


def test_request_log_keeps_headers_and_is_served(sandbox, client):
    client.get(
        "/v2/brands?country_code=US", headers={"X-Forwarded-For": "203.0.113.9", "User-Agent": "Shopper/1"}
    )
    method, path, headers = sandbox.request_log[-1]
    assert (method, path) == ("GET", "/v2/brands?country_code=US")
    assert headers["x-forwarded-for"] == "203.0.113.9" and headers["User-Agent"] == "Shopper/1"
    served = client.get("/sandbox/requests").json()
    assert served[-1]["path"] == "/v2/brands?country_code=US"
    assert served[-1]["headers"]["X-Cr-Application"] == "test"


def test_request_log_keeps_the_last_500(sandbox, client):
    for _ in range(505):
        client.get("/nope")
    assert len(sandbox.request_log) == 500


def test_unknown_routes_and_methods(client):
    assert client.get("/v9/nothing").status_code == 404
    response = client.delete("/v5/orders")
    assert response.status_code == 405 and response.json()["detail"] == "METHOD_NOT_ALLOWED"


def test_request_counts_add_up_every_request_by_method_and_path(tmp_path):
    import httpx

    from storefront.sandbox.app import make_app
    from storefront.sandbox.config import SandboxConfig

    app = make_app(SandboxConfig(db_path=tmp_path / "c.sqlite3"))
    with httpx.Client(
        transport=httpx.WSGITransport(app=app),
        base_url="http://sandbox.test",
        headers={"X-Cr-Application": "t"},
    ) as client:
        for _ in range(3):
            client.get("/v2/homepage", params={"country_code": "US"})
        counts = client.get("/sandbox/request-counts").json()
    assert counts["GET /v2/homepage"] == 3
