"""Catalog tables: currencies, countries with products, and their brands.

A brand row is ``(brand, category, values, flags)``: the brand's exact name (what orders use), its
category slug (the live API's: ``e-commerce``, ``e-sim``...), its products and flags. Its family,
the display name products are asked by, is the brand's name unless ``FAMILIES`` says otherwise
(one family can hold several brands, as "Lycamobile" does upstream). ``values`` lists
space-separated denominations: ``25`` is a fixed face value, ``2-500/1`` an open range
(min-max/step), ``1/7:4.50`` an eSIM plan (GB/days:USD price); a trailing ``!`` marks that product
out of stock, a trailing ``@`` a top-up product delivered by email instead of to the phone.
``flags`` holds words: popular, featured, oos (whole brand out of stock), paused, login, limited,
url (codes are redemption links).
"""

from __future__ import annotations

from .countries import COUNTRIES, COUNTRY_NAMES

__all__ = [
    "ADDITIONAL_CATEGORIES",
    "BRANDS",
    "BRAND_COLOURS",
    "CATEGORY_KINDS",
    "COUNTRIES",
    "COUNTRY_CURRENCY",
    "COUNTRY_NAMES",
    "FAMILIES",
]

BrandRow = tuple[str, str, str, str]

# Category slugs in the order the brands answer lists them, with the kind each category holds.
# eSIMs are mobile_recharge in category e-sim, as upstream.
CATEGORY_KINDS: dict[str, str] = {
    "e-commerce": "giftcard",
    "food": "giftcard",
    "travel": "giftcard",
    "entertainment": "giftcard",
    "gaming": "giftcard",
    "books_learning": "giftcard",
    "phone-refills": "mobile_recharge",
    "e-sim": "mobile_recharge",
}

# Brands whose family (display name) is not their own name.
FAMILIES: dict[str, str] = {"Lycamobile Credits": "Lycamobile", "Lycamobile Bundle": "Lycamobile"}

# Further categories a family is listed in (upstream lists such a brand in each of them).
ADDITIONAL_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Amazon.com": ("entertainment", "books_learning"),
    "Steam": ("entertainment",),
    "Google Play": ("gaming",),
}

COUNTRY_CURRENCY: dict[str, str] = {
    "US": "USD",
    "GB": "GBP",
    "DE": "EUR",
    "ES": "EUR",
    "MX": "MXN",
    "BR": "BRL",
    "NG": "NGN",
    "PH": "PHP",
    "IN": "INR",
    "CN": "CNY",
}

ESIM_US = "1/3:4.50 3/30:11.00 10/30:26.00 50/90:89.00"
ESIM_GLOBAL = "1/7:5.00 3/15:12.00 10/30:29.00"
ESIM_REGIONAL = "1/7:4.50 3/15:9.90 10/30:24.00"

BRANDS: dict[str, tuple[BrandRow, ...]] = {
    "US": (
        ("Amazon.com", "e-commerce", "5-500/1", "popular"),
        ("Walmart", "e-commerce", "25 50 100", ""),
        ("Target", "e-commerce", "5-500/1", ""),
        ("Home Depot", "e-commerce", "25 50 100 250", ""),
        ("Best Buy", "e-commerce", "25 50 100", "oos"),
        ("Vanilla Prepaid Mastercard", "e-commerce", "50 100 200", "login"),
        ("Uber Eats", "food", "25 50 100", ""),
        ("DoorDash", "food", "25 50 100", "featured"),
        ("Starbucks", "food", "10 25 50", "url"),
        ("Airbnb", "travel", "25 50 100 200 500!", "popular featured"),
        ("Uber", "travel", "25 50 100", ""),
        ("Hotels.com", "travel", "50 100 250", ""),
        ("Everything Apple", "entertainment", "2-500/1", "popular featured"),
        ("Netflix", "entertainment", "25 50 100", "popular url"),
        ("Spotify", "entertainment", "10 30 60", ""),
        ("Google Play", "entertainment", "10 25 50 100", ""),
        ("Steam", "gaming", "10 20 50 100", "popular"),
        ("PlayStation Store", "gaming", "10 25 50 100", "limited"),
        ("Razer Gold", "gaming", "5 10 25 50 100", "limited"),
        ("Xbox", "gaming", "15 25 50 100", ""),
        ("Nintendo eShop", "gaming", "20 35 50", ""),
        ("Roblox", "gaming", "10 25 50", "featured"),
        ("GameStop", "gaming", "25 50 100", "paused"),
        ("Barnes & Noble", "books_learning", "10 25 50 100", ""),
        ("AT&T", "phone-refills", "15 25 50 100", "featured"),
        ("T-Mobile", "phone-refills", "10 25 50", ""),
        ("Verizon", "phone-refills", "30 45 60", ""),
        ("Lycamobile Credits", "phone-refills", "10 20 50", ""),
        ("Lycamobile Bundle", "phone-refills", "23 29 50@", ""),
        ("eSIM", "e-sim", ESIM_US, "popular featured"),
    ),
    "GB": (
        ("Amazon.co.uk", "e-commerce", "25 50 100", "popular"),
        ("Argos", "e-commerce", "10 25 50 100", ""),
        ("Marks & Spencer", "e-commerce", "10 25 50", ""),
        ("Tesco", "food", "10 20 50", "featured"),
        ("Deliveroo", "food", "15 25 50", ""),
        ("Airbnb", "travel", "25 50 100", "popular"),
        ("Netflix", "entertainment", "15 25 50", "popular url"),
        ("Spotify", "entertainment", "10 30 60", ""),
        ("Steam", "gaming", "10 25 50", "featured"),
        ("Xbox", "gaming", "10 25 50", ""),
        ("Waterstones", "books_learning", "10 25 50", ""),
        ("EE", "phone-refills", "10 20 30", ""),
        ("Vodafone", "phone-refills", "10 20 30", "featured"),
        ("eSIM", "e-sim", ESIM_REGIONAL, ""),
    ),
    "DE": (
        ("Amazon.de", "e-commerce", "15 25 50 100", "popular"),
        ("Zalando", "e-commerce", "20 50 100", "featured"),
        ("MediaMarkt", "e-commerce", "25 50 100", ""),
        ("Lieferando", "food", "15 25 50", ""),
        ("Airbnb", "travel", "25 50 100", ""),
        ("Deutsche Bahn", "travel", "25 50 100", ""),
        ("Netflix", "entertainment", "15 25 50", "popular url"),
        ("Spotify", "entertainment", "10 30 60", ""),
        ("Google Play", "entertainment", "15 25 50", ""),
        ("Steam", "gaming", "10 25 50 100", "popular"),
        ("PlayStation Store", "gaming", "20 50 100", "limited"),
        ("Thalia", "books_learning", "10 25 50", ""),
        ("Vodafone", "phone-refills", "15 25 50", ""),
        ("Telekom", "phone-refills", "15 30 50", "featured"),
        ("eSIM", "e-sim", ESIM_REGIONAL, "featured"),
    ),
    "ES": (
        ("Amazon.es", "e-commerce", "25 50 100", "popular"),
        ("El Corte Inglés", "e-commerce", "25 50 100", "featured"),
        ("Zara", "e-commerce", "25 50 100", ""),
        ("Glovo", "food", "10-150/5", ""),
        ("Just Eat", "food", "15 25 50", ""),
        ("Booking.com", "travel", "50 100 200", "popular"),
        ("Netflix", "entertainment", "15 25 50", "url"),
        ("Spotify", "entertainment", "10 30 60", ""),
        ("Steam", "gaming", "10 25 50", "popular"),
        ("PlayStation Store", "gaming", "20 50 100", "limited"),
        ("Casa del Libro", "books_learning", "10 25 50", ""),
        ("Movistar", "phone-refills", "10 15 25", "featured"),
        ("Orange", "phone-refills", "10 15 25", ""),
        ("eSIM", "e-sim", ESIM_REGIONAL, ""),
    ),
    "MX": (
        ("Amazon.com.mx", "e-commerce", "200 500 1000", "popular"),
        ("Liverpool", "e-commerce", "500 1000 2000", ""),
        ("Rappi", "food", "200 500 1000", "featured"),
        ("Uber", "travel", "200 500", ""),
        ("Netflix", "entertainment", "150 300 500", "popular url"),
        ("Spotify", "entertainment", "115 345", ""),
        ("Steam", "gaming", "200 500 1000", ""),
        ("Xbox", "gaming", "250 500", ""),
        ("Free Fire", "gaming", "100 200", "featured"),
        ("Claro Credits", "phone-refills", "20 50 100 200 500", "popular"),
        ("Telcel", "phone-refills", "20 50 100 200 500", ""),
        ("AT&T México", "phone-refills", "50 100 200", ""),
        ("eSIM", "e-sim", ESIM_GLOBAL, ""),
    ),
    "BR": (
        ("Amazon.com.br", "e-commerce", "50 100 200", "popular"),
        ("iFood", "food", "25 50 100", "featured"),
        ("Uber", "travel", "20 50 100", ""),
        ("Netflix", "entertainment", "35 70 150", "popular url"),
        ("Spotify", "entertainment", "17 51", ""),
        ("Google Play", "entertainment", "15 30 50 100", ""),
        ("Steam", "gaming", "20 50 100", ""),
        ("PlayStation Store", "gaming", "60 100 250", "limited"),
        ("Claro", "phone-refills", "10 20 30", ""),
        ("Vivo", "phone-refills", "10 20 30 50", "featured"),
        ("TIM", "phone-refills", "10 20 30", ""),
        ("eSIM", "e-sim", ESIM_GLOBAL, ""),
    ),
    "NG": (
        ("Jumia", "e-commerce", "5000 10000 25000", "popular"),
        ("Konga", "e-commerce", "5000 10000", "oos"),
        ("Bolt", "travel", "5000 10000", ""),
        ("Netflix", "entertainment", "5000 10000", "url"),
        ("Steam", "gaming", "10000 25000", ""),
        ("MTN", "phone-refills", "50-50000/1", "popular featured"),
        ("Airtel", "phone-refills", "100 200 500 1000", ""),
        ("Glo", "phone-refills", "100 200 500 1000", ""),
        ("9mobile", "phone-refills", "100 200 500", ""),
        ("eSIM", "e-sim", ESIM_GLOBAL, "featured"),
    ),
    "PH": (
        ("Lazada", "e-commerce", "500 1000 2000", "popular"),
        ("Shopee", "e-commerce", "500 1000", ""),
        ("Jollibee", "food", "250 500 1000", "featured"),
        ("Grab", "travel", "200 500 1000", "popular"),
        ("Netflix", "entertainment", "500 1000", "url"),
        ("Steam", "gaming", "250 500 1000", ""),
        ("Mobile Legends", "gaming", "100 250 500", "featured"),
        ("Globe", "phone-refills", "50 100 300 500", "popular"),
        ("Smart", "phone-refills", "50 100 300", ""),
        ("DITO", "phone-refills", "50 100 200", ""),
        ("eSIM", "e-sim", ESIM_REGIONAL, ""),
    ),
    "IN": (
        ("Amazon.in", "e-commerce", "500 1000 2000 5000", "popular"),
        ("Flipkart", "e-commerce", "500 1000 2000", "featured"),
        ("Swiggy", "food", "250 500 1000", ""),
        ("Zomato", "food", "250 500 1000", ""),
        ("MakeMyTrip", "travel", "1000 2500 5000", ""),
        ("BookMyShow", "entertainment", "250 500 1000", ""),
        ("Google Play", "entertainment", "100 300 500 1000", "popular"),
        ("Steam", "gaming", "500 1000 2000", ""),
        ("Airtel", "phone-refills", "199 299 499 799", "popular"),
        ("Jio", "phone-refills", "149 239 299 666", "featured"),
        ("Vi", "phone-refills", "199 299 479", ""),
        ("eSIM", "e-sim", ESIM_REGIONAL, ""),
    ),
    "CN": (
        ("JD.com", "e-commerce", "100 200 500", "popular"),
        ("Tmall", "e-commerce", "100 200 500", ""),
        ("Starbucks", "food", "50 100", "url"),
        ("Meituan", "food", "50 100 200", "featured"),
        ("Trip.com", "travel", "200 500 1000", "popular"),
        ("App Store & iTunes", "entertainment", "50 100 200 500", "featured"),
        ("Steam", "gaming", "50 100 200", ""),
        ("China Mobile", "phone-refills", "30 50 100 200", "popular"),
        ("China Unicom", "phone-refills", "30 50 100", ""),
        ("China Telecom", "phone-refills", "30 50 100", ""),
        ("eSIM", "e-sim", ESIM_REGIONAL, ""),
    ),
}


# Brand colours (logos and bg_color) by logo slug; other brands get one derived from their slug.
BRAND_COLOURS: dict[str, str] = {
    "amazon-com": "#FF9900",
    "amazon-co-uk": "#FF9900",
    "amazon-de": "#FF9900",
    "amazon-es": "#FF9900",
    "amazon-com-mx": "#FF9900",
    "amazon-com-br": "#FF9900",
    "amazon-in": "#FF9900",
    "airbnb": "#FF5A5F",
    "everything-apple": "#111111",
    "netflix": "#E50914",
    "spotify": "#1DB954",
    "steam": "#171a21",
    "playstation-store": "#003791",
    "xbox": "#107C10",
    "google-play": "#01875F",
    "uber": "#000000",
    "uber-eats": "#06C167",
    "starbucks": "#00704A",
    "doordash": "#FF3008",
    "walmart": "#0071CE",
    "target": "#CC0000",
    "at-t": "#00A8E0",
    "t-mobile": "#E20074",
    "verizon": "#CD040B",
    "vodafone": "#E60000",
    "mtn": "#FFCC00",
    "airtel": "#ED1C24",
    "globe": "#0033A0",
    "china-mobile": "#00A0E9",
    "claro-credits": "#DA291C",
    "claro": "#DA291C",
    "telcel": "#00377B",
    "jumia": "#F68B1E",
    "esim": "#0e131f",
    "lycamobile": "#0a2d6e",
}
