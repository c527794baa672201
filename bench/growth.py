"""Show that a page's cost does not grow with the data behind it.

Prints the mean time of warm page views, in-process through Django's full request stack:
the brand catalog and product page with 50 and with 5,000 brands in one country, and the admin
order list with 100 and with 100,000 orders. Appends the figures to bench/results.md, or with
--print-only only prints them (bench/run.py, which runs it once per configuration: BENCH_DATABASE_URL,
BENCH_CACHE_URL and BENCH_SERVICES_LABEL say which).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = Path(tempfile.mkdtemp(prefix="shop-growth-"))
os.environ.update(
    DJANGO_SETTINGS_MODULE="storefront.settings",
    DEBUG="false",
    SECRET_KEY="growth-" + "x" * 50,
    DATABASE_URL=os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{TMP / 'growth.sqlite3'}"),
    SANDBOX_DB_PATH=str(TMP / "sandbox.sqlite3"),
    # This run's own disk cache: it is cleared below, and var/cache belongs to a running `make run`.
    CACHE_URL=os.environ.get("BENCH_CACHE_URL", f"diskcache://{TMP / 'cache'}"),
    LOG_LEVEL="ERROR",
    RATE_LIMIT_PRICE="1000000",
    RATE_LIMIT_POLL="1000000",
)
os.environ.pop("CRYPTOREFILLS_API_URL", None)

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from orders.models import Order  # noqa: E402
from storefront.upstream import schemas  # noqa: E402
from storefront.upstream.client import CryptorefillsClient  # noqa: E402

RUNS = 40
CATEGORIES = ("travel", "e-commerce", "food", "entertainment", "gaming", "books_learning", "phone-refills")


def mean_ms(client: Client, path: str) -> float:
    client.get(path)  # warm
    start = time.perf_counter()
    for _ in range(RUNS):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    return (time.perf_counter() - start) / RUNS * 1000


def synthetic_catalog(size: int) -> schemas.BrandCatalog:
    """Return a country's brand catalog of `size` brands in the live API's shape.

    As upstream: families are display names (the shop's URLs are their slugs), categories are slugs,
    min and max are display texts, and a brand may be listed in further categories. One real
    sandbox family (Airbnb) is among them, so its product page has products to show.
    """
    real = schemas.Brand(
        brand="Airbnb",
        brand_id="9d1f3b0e-0000-4000-8000-000000000001",
        family="Airbnb",
        category="travel",
        kind="giftcard",
        country_code="US",
        min="$25",
        max="$500",
        logo_base_url="/sandbox/logos/airbnb",
    )
    extra = [
        schemas.Brand(
            brand=f"Brand {i}",
            brand_id=f"9d1f3b0e-0000-4000-8000-{i + 2:012d}",
            family=f"Brand {i} & Co.",
            category=CATEGORIES[i % len(CATEGORIES)],
            additional_categories=[CATEGORIES[(i + 1) % len(CATEGORIES)]] if i % 4 == 0 else [],
            kind="mobile_recharge" if i % 3 == 1 else "giftcard",
            country_code="US",
            min="$5",
            max="$500",
            logo_base_url="/sandbox/logos/amazon-com",
        )
        for i in range(size - 1)
    ]
    brands = [real, *extra]
    return schemas.BrandCatalog(
        country_code="US",
        categories=[
            schemas.BrandCategory(category=name, brands=[b for b in brands if b.category == name])
            for name in CATEGORIES
        ],
        all_brands=brands,
        popular_brands=brands[:6],
    )


def catalog_figures() -> list[str]:
    from django.core.cache import cache

    original = CryptorefillsClient.brands
    rows = []
    for size in (50, 5000):
        CryptorefillsClient.brands = lambda self, *, country_code, end_user, size=size: synthetic_catalog(
            size
        )
        cache.clear()
        client = Client()
        rows.append(
            (
                size,
                [
                    mean_ms(client, p)
                    for p in (
                        "/shop/us/brands/",
                        "/shop/us/brands/?q=brand+4&page=3",
                        "/shop/us/brands/airbnb/",
                    )
                ],
            )
        )
    CryptorefillsClient.brands = original
    lines = [
        "| brands in the country | catalog page | search, page 3 | product page |",
        "|---:|---:|---:|---:|",
    ]
    lines += [f"| {size:,} | {a:.1f} ms | {b:.1f} ms | {c:.1f} ms |" for size, (a, b, c) in rows]
    return lines


def admin_figures() -> list[str]:
    staff = get_user_model().objects.create_superuser("growth", "growth@example.com", "growth-pass-1")
    client = Client()
    client.force_login(staff)
    rows = []
    for total in (100, 100_000):
        have = Order.objects.count()
        Order.objects.bulk_create(
            (
                Order(
                    email=f"o{i}@example.com",
                    country_code=("US", "GB", "MX")[i % 3],
                    coin=("USDC", "USDT")[i % 2],
                    network=("Solana", "Tron", "Base")[i % 3],
                    reference=f"SF-G{i:08d}",
                    token=f"growth-{i}",
                )
                for i in range(have, total)
            ),
            batch_size=5000,
        )
        if connection.vendor == "postgresql":
            # A shop that grew to 100,000 orders has its planner statistics (autovacuum gathers
            # them within a minute of a load this size); without them PostgreSQL scans every order.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {Order._meta.db_table}")
        rows.append(
            (
                total,
                mean_ms(client, "/admin/orders/order/"),
                mean_ms(client, "/admin/orders/order/?coin__exact=USDT&attention=yes"),
            )
        )
    lines = ["| orders | admin order list | filtered list |", "|---:|---:|---:|"]
    lines += [f"| {total:,} | {a:.1f} ms | {b:.1f} ms |" for total, a, b in rows]
    return lines


def main() -> None:
    setup_test_environment()
    call_command("migrate", verbosity=0)
    # DEBUG off serves hashed static names: without the manifest a fresh clone's pages fail.
    call_command("collectstatic", interactive=False, verbosity=0)
    text = "\n".join(
        [
            "",
            f"Growth ({os.environ.get('BENCH_SERVICES_LABEL', 'SQLite + embedded disk cache')}; "
            f"mean of {RUNS} warm views, in-process, DEBUG off):",
            "",
            *catalog_figures(),
            "",
            *admin_figures(),
        ]
    )
    print(text)
    if "--print-only" in sys.argv:  # bench/run.py puts the tables in its own report
        return
    with open(ROOT / "bench" / "results.md", "a") as results:
        results.write(text + "\n")


if __name__ == "__main__":
    main()
