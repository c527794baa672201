"""Products of the sandbox's US catalog, as the product page's add-to-cart form posts them."""

AMAZON_25 = {"country": "US", "family": "amazon", "product_id": "US-amazon-25", "denomination": "25 USD"}
APPLE_RANGE = {
    "country": "US",
    "family": "everything-apple",
    "product_id": "US-everything-apple-range",
    "denomination": "range",
}
ATT_15 = {"country": "US", "family": "at-t", "product_id": "US-at-t-15", "denomination": "15 USD"}
ESIM_1GB = {
    "country": "US",
    "family": "esim-usa",
    "product_id": "US-esim-usa-1gb-7d",
    "denomination": "1 GB 7 days",
}
