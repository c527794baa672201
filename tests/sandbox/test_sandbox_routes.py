"""Shapes of every sandbox route."""

from __future__ import annotations

import pytest

BRAND_KEYS = {
    "brand",
    "brand_id",
    "family",
    "category",
    "kind",
    "currency",
    "min",
    "max",
    "is_out_of_stock",
    "logo_url",
    "logo_base_url",
}
PRODUCT_KEYS = {
    "product_id",
    "brand_name",
    "family",
    "kind",
    "country_code",
    "denomination",
    "localized_denomination",
    "face_value",
    "currency",
    "coin",
    "coin_amount",
    "is_dynamic",
    "range",
    "delivery_type",
    "is_out_of_stock",
    "description",
    "redemption_instructions",
}
PRICE_KEYS = {
    "product_id",
    "brand_name",
    "country_code",
    "is_dynamic",
    "range",
    "face_value",
    "currency",
    "coin",
    "coin_amount",
    "delivery_type",
}


def test_requests_without_application_header_are_refused(sandbox, make_client):
    with make_client(sandbox) as http:
        http.headers.pop("X-Cr-Application")
        for path in ("/v3/payment_vias", "/v2/brands?country_code=US", "/sandbox/requests", "/nope"):
            response = http.get(path)
            assert response.status_code == 401
            assert response.json() == {"status": 401, "detail": "MISSING_APPLICATION"}
        assert http.get("/v3/payment_vias", headers={"X-Cr-Application": "  "}).status_code == 401
        assert http.get("/logos/airbnb.webp").status_code == 200


def test_payment_vias_lists_coins_networks_and_suspensions(client):
    vias = client.get("/v3/payment_vias").json()
    assert [via["name"] for via in vias] == ["USER_WALLET"]
    coins = {c["name"]: c for c in vias[0]["currencies"]}
    assert set(coins) == {"USDC", "USDT", "EURC"}
    expected = {"Solana", "ETH Mainnet", "Base", "Arbitrum", "Polygon (Matic)", "Tron"}
    for coin in ("USDC", "USDT"):
        assert not coins[coin]["is_suspended"]
        assert {n["name"] for n in coins[coin]["networks"]} == expected
    usdt = {n["name"]: n for n in coins["USDT"]["networks"]}
    assert usdt["Arbitrum"]["is_suspended"] is True
    assert usdt["Tron"]["smart_contract"] == {
        "address": "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
        "decimals": 6,
        "symbol": "USDT",
    }
    usdc = {n["name"]: n for n in coins["USDC"]["networks"]}
    assert usdc["Solana"]["smart_contract"]["address"] == "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"
    assert coins["EURC"]["is_suspended"] is True
    assert {n["name"] for n in coins["EURC"]["networks"]} == {"ETH Mainnet", "Base"}


def test_brands_groups_a_country_catalog_by_category(client):
    doc = client.get("/v2/brands", params={"country_code": "us"}).json()
    assert doc["country_code"] == "US"
    names = [c["name"] for c in doc["categories"]]
    assert {"Shopping", "Travel", "Food", "Entertainment", "Gaming", "Mobile top-up", "eSIM"} <= set(names)
    brands = {b["brand"]: b for c in doc["categories"] for b in c["brands"]}
    assert all(set(b) == BRAND_KEYS for b in brands.values())
    airbnb = brands["Airbnb"]
    assert airbnb["category"] == "Travel" and airbnb["kind"] == "giftcard" and airbnb["currency"] == "USD"
    assert (airbnb["min"], airbnb["max"]) == ("25", "500")
    assert airbnb["logo_base_url"] == "/sandbox/logos/airbnb"
    assert airbnb["logo_url"] == "/sandbox/logos/airbnb.webp"
    assert brands["AT&T"]["kind"] == "mobile_recharge"
    assert brands["eSIM USA"]["kind"] == "esim"
    assert brands["Best Buy"]["is_out_of_stock"] is True


def test_brands_answers_unknown_country_and_empty_country(client):
    unknown = client.get("/v2/brands", params={"country_code": "ZZ"})
    assert unknown.status_code == 404 and unknown.json()["detail"] == "UNKNOWN_COUNTRY"
    assert client.get("/v2/brands", params={"country_code": "XK"}).json() == {
        "country_code": "XK",
        "categories": [],
    }


@pytest.mark.parametrize("country", ["US", "GB", "DE", "ES", "MX", "BR", "NG", "PH", "IN", "CN"])
def test_every_product_country_has_several_categories_and_a_homepage(client, country):
    categories = client.get("/v2/brands", params={"country_code": country}).json()["categories"]
    assert len(categories) >= 4
    sections = client.get("/v2/homepage", params={"country_code": country}).json()["sections"]
    assert [(s["name"], s["title"]) for s in sections] == [("popular", "Popular"), ("featured", "Featured")]
    assert all(s["brands"] and set(s["brands"][0]) == BRAND_KEYS for s in sections)


def test_catalog_has_forty_brands_of_three_kinds(client):
    names, kinds = set(), set()
    for country in ("US", "GB", "DE", "ES", "MX", "BR", "NG", "PH", "IN", "CN"):
        for category in client.get("/v2/brands", params={"country_code": country}).json()["categories"]:
            names |= {b["brand"] for b in category["brands"]}
            kinds |= {b["kind"] for b in category["brands"]}
    assert len(names) >= 40
    assert kinds == {"giftcard", "mobile_recharge", "esim"}


def test_products_lists_fixed_denominations_with_coin_amounts(client):
    products = client.get("/v5/products/country/US", params={"family_name": "AIRBNB", "coin": "USDC"}).json()
    assert [p["denomination"] for p in products] == ["25 USD", "50 USD", "100 USD", "200 USD", "500 USD"]
    first = products[0]
    assert set(first) == PRODUCT_KEYS
    assert first["product_id"] == "US-airbnb-25"
    assert (first["face_value"], first["coin_amount"], first["localized_denomination"]) == (
        "25",
        "25.48",
        "$25",
    )
    assert first["is_dynamic"] is False and first["range"] is None and first["delivery_type"] == "by_email"
    assert products[-1]["is_out_of_stock"] is True
    usdt = client.get("/v5/products/country/US", params={"family_name": "airbnb", "coin": "USDT"}).json()
    assert usdt[0]["coin_amount"] == "25.60"


def test_products_of_a_range_brand_are_dynamic(client):
    (product,) = client.get("/v5/products/country/US", params={"family_name": "everything-apple"}).json()
    assert product["is_dynamic"] is True and product["denomination"] == "range"
    assert product["range"] == {"min": "2", "max": "500", "currency": "USD", "step_size": "1"}
    assert product["coin_amount"] is None


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
    products = client.get("/v5/products/country/US", params={"family_name": "airbnb", "lang": lang}).json()
    assert products[0]["localized_denomination"] == localized
    assert word in products[0]["description"]


def test_products_of_local_currency_top_ups_and_esims(client):
    claro = client.get("/v5/products/country/MX", params={"family_name": "claro-credits"}).json()
    assert claro[0]["currency"] == "MXN" and claro[0]["delivery_type"] == "by_phone"
    assert claro[0]["kind"] == "mobile_recharge"
    esims = client.get("/v5/products/country/US", params={"family_name": "esim-usa", "lang": "es"}).json()
    assert [p["denomination"] for p in esims] == ["1 GB 7 days", "3 GB 15 days", "10 GB 30 days"]
    assert esims[0]["localized_denomination"] == "1 GB 7 días"
    assert esims[0]["currency"] == "USD" and esims[0]["face_value"] == "4.50"


def test_products_of_an_unknown_family_is_empty(client):
    assert client.get("/v5/products/country/US", params={"family_name": "nope"}).json() == []


def test_price_of_a_fixed_and_a_range_value(client):
    price = client.get(
        "/v4/products/price",
        params={"brand_name": "Airbnb", "country_code": "US", "face_value": "100", "coin": "USDC"},
    ).json()
    assert set(price) == PRICE_KEYS
    assert (price["product_id"], price["face_value"], price["coin_amount"]) == (
        "US-airbnb-100",
        "100",
        "101.90",
    )
    ranged = client.get(
        "/v4/products/price",
        params={"brand_name": "Everything Apple", "country_code": "US", "face_value": "12", "coin": "USDT"},
    ).json()
    assert ranged["is_dynamic"] is True and ranged["coin_amount"] == "12.29"
    gbp = client.get(
        "/v4/products/price",
        params={"brand_name": "Amazon", "country_code": "GB", "face_value": "25", "coin": "USDC"},
    ).json()
    assert gbp["currency"] == "GBP" and gbp["coin_amount"] == "32.35"


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
    countries = client.get("/api/available-countries").json()
    assert len(countries) == 233
    assert countries[0] == {"code": "AX", "name": "Åland Islands"}
    assert {"code": "XK", "name": "Kosovo"} in countries
    assert len({c["code"] for c in countries}) == 233


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
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://sandbox.test",
                      headers={"X-Cr-Application": "t"}) as client:
        for _ in range(3):
            client.get("/v2/homepage", params={"country_code": "US"})
        counts = client.get("/sandbox/request-counts").json()
    assert counts["GET /v2/homepage"] == 3
