"""Products of the sandbox's US catalog, as the product page's add-to-cart form posts them.

`family` is the family's URL slug (schemas.family_slug of the display name); product ids are the
sandbox's stable uuids. Amazon.com is a range product in the US (5-500 USD), as live.
"""

from storefront.sandbox.catalog import stable_id


def _product(family_slug: str, brand: str, denomination: str) -> dict:
    return {
        "country": "US",
        "family": family_slug,
        "product_id": stable_id("US", brand, denomination),
        "denomination": denomination,
    }


STEAM_10 = _product("steam", "Steam", "10 USD")
AMAZON_RANGE = _product("amazon-com", "Amazon.com", "range")  # post a product_value of 5-500
APPLE_RANGE = _product("everything-apple", "Everything Apple", "range")  # 2-500
ATT_15 = _product("at-t", "AT&T", "15 USD")  # a top-up delivered to a phone
LYCAMOBILE_PIN_50 = _product("lycamobile", "Lycamobile Bundle", "50 USD")  # a top-up delivered by email
ESIM_1GB = _product("esim", "eSIM", "1 GB 3 days")
