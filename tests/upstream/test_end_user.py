from django.test import RequestFactory

from storefront.upstream.end_user import client_ip, end_user_from_request


def test_client_ip_ignores_forwarded_for_without_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "203.0.113.9"


def test_client_ip_takes_the_address_the_trusted_proxy_saw(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.20")
    assert client_ip(request) == "198.51.100.20"


def test_end_user_carries_agent_and_country():
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Firefox/130")
    user = end_user_from_request(request, country_code="mx")
    assert user.headers() == {
        "X-Forwarded-For": "203.0.113.9",
        "User-Agent": "Firefox/130",
        "X-Country-ISO-Code": "MX",
    }
