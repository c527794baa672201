"""The shopper's country: guessed from the request, kept once chosen."""

from __future__ import annotations

from django.test import RequestFactory

from catalog.choice import guess_country, kept_country
from catalog.countries import COUNTRIES, find_country, search_countries


def request(**meta):
    req = RequestFactory().get("/", **meta)
    req.session = {}
    return req


def test_the_reference_lists_233_countries_including_kosovo():
    assert len(COUNTRIES) == 233
    assert len({code for code, _name in COUNTRIES}) == 233
    assert find_country("xk").name == "Kosovo"


def test_find_country_refuses_codes_the_shop_does_not_serve():
    assert find_country("ZZ") is None
    assert find_country("USA") is None
    assert find_country("") is None
    assert find_country(None) is None


def test_guess_prefers_the_proxy_headers_then_the_language_region():
    assert guess_country(request(HTTP_X_COUNTRY_ISO_CODE="BR", HTTP_CF_IPCOUNTRY="GB")).code == "BR"
    assert guess_country(request(HTTP_CF_IPCOUNTRY="T1", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.8")).code == "MX"
    assert guess_country(request(HTTP_ACCEPT_LANGUAGE="zh-Hans-CN")).code == "CN"
    assert guess_country(request(HTTP_ACCEPT_LANGUAGE="es-419")).code == "US"
    assert guess_country(request()).code == "US"


def test_kept_choice_reads_the_session_then_the_cookie():
    req = request()
    assert kept_country(req) is None
    req.COOKIES["country"] = "de"
    assert kept_country(req).code == "DE"
    req.session["country"] = "PH"
    assert kept_country(req).code == "PH"


def test_search_countries_by_code_or_name_without_accents():
    assert [c.code for c in search_countries(query="mx")] == ["MX"]
    assert "AX" in [c.code for c in search_countries(query="aland")]
    assert len(search_countries(query="")) == 233
