"""Cached reads of the catalog: one upstream call per key, refresh after the soft expiry, stale on failure."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from catalog import selectors


def test_brand_index_flattens_the_catalog_in_upstream_order(end_user):
    index = selectors.get_brand_index(country_code="us", end_user=end_user)
    assert index.country_code == "US"
    # Each brand once, although some are listed in several categories.
    names = [b.brand for b in index.brands]
    assert len(names) == len(set(names)) == 30
    assert names[0] == "Amazon.com"
    assert index.categories[0] == "e-commerce"
    assert index.kinds == ("giftcard", "mobile_recharge", "esim")
    assert index.find("jumia") is None


def test_a_family_slug_finds_its_family_again(end_user):
    index = selectors.get_brand_index(country_code="US", end_user=end_user)
    assert index.find("amazon-com").family == "Amazon.com"
    assert index.find("Amazon.com").family == "Amazon.com"
    assert index.find("AIRBNB").brand == "Airbnb"
    assert index.find("esim").shop_kind == "esim"
    assert [b.brand for b in index.family_brands("lycamobile")] == ["Lycamobile Credits", "Lycamobile Bundle"]
    for brand in index.brands:
        assert index.find(brand.slug).family == brand.family


def test_a_brand_in_several_categories_is_found_under_each(end_user):
    index = selectors.get_brand_index(country_code="US", end_user=end_user)
    steam = next(b for b in index.brands if b.brand == "Steam")
    assert "Steam" in [b.brand for b in index.in_category("gaming")]
    assert "Steam" in [b.brand for b in index.in_category("entertainment")]
    assert steam.categories[0] == "gaming"


def test_brand_index_is_fetched_once_while_fresh(end_user, upstream_calls):
    for _ in range(3):
        selectors.get_brand_index(country_code="US", end_user=end_user)
    assert upstream_calls.paths() == ["/v2/brands?country_code=US"]


def test_after_the_soft_expiry_one_read_refreshes(end_user, upstream_calls, settings, monkeypatch):
    selectors.get_brand_index(country_code="US", end_user=end_user)
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + settings.CATALOG_CACHE_SOFT_SECONDS + 1)
    selectors.get_brand_index(country_code="US", end_user=end_user)
    selectors.get_brand_index(country_code="US", end_user=end_user)
    assert upstream_calls.paths() == ["/v2/brands?country_code=US"] * 2


def test_while_one_request_refreshes_the_others_get_the_stale_copy(end_user, upstream_calls, settings):
    from django.core.cache import cache

    settings.CATALOG_CACHE_SOFT_SECONDS = 0
    first = selectors.get_brand_index(country_code="US", end_user=end_user)
    cache.add("upstream:brand_index:US:refreshing", 1)  # another request holds the refresh
    second = selectors.get_brand_index(country_code="US", end_user=end_user)
    assert second == first
    assert len(upstream_calls) == 1


def test_a_failed_refresh_serves_the_stale_copy(end_user, settings, upstream_down):
    settings.CATALOG_CACHE_SOFT_SECONDS = 0
    first = selectors.get_brand_index(country_code="US", end_user=end_user)
    upstream_down()
    assert selectors.get_brand_index(country_code="US", end_user=end_user) == first


def test_nothing_cached_and_upstream_down_raises(end_user, upstream_down):
    from storefront.upstream.errors import UpstreamError

    upstream_down()
    with pytest.raises(UpstreamError):
        selectors.get_brand_index(country_code="US", end_user=end_user)


def test_price_is_cached_per_brand_value_and_coin(end_user, upstream_calls):
    args = {"country_code": "US", "brand_name": "Everything Apple", "end_user": end_user}
    a = selectors.get_price(face_value=Decimal("30"), coin="USDC", **args)
    b = selectors.get_price(face_value=Decimal("30.00"), coin="USDC", **args)
    c = selectors.get_price(face_value=Decimal("30"), coin="USDT", **args)
    assert a == b
    assert c.coin == "USDT"
    assert len(upstream_calls) == 2
