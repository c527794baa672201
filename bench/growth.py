"""Show that a page's cost does not grow with the data behind it.

Prints the mean time of warm page views, in-process through Django's full request stack:
the brand catalog and product page with 50 and with 5,000 brands in one country, and the admin
order list with 100 and with 100,000 orders. Appends the figures to bench/results.md.
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
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from orders.models import Order  # noqa: E402
from storefront.upstream import schemas  # noqa: E402
from storefront.upstream.client import CryptorefillsClient  # noqa: E402

RUNS = 40


def mean_ms(client: Client, path: str) -> float:
    client.get(path)  # warm
    start = time.perf_counter()
    for _ in range(RUNS):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    return (time.perf_counter() - start) / RUNS * 1000


def synthetic_catalog(size: int) -> schemas.BrandCatalog:
    real = schemas.Brand(
        brand="Airbnb",
        brand_id=1,
        family="airbnb",
        category="Travel",
        kind="giftcard",
        currency="USD",
        min=25,
        max=500,
        logo_base_url="/sandbox/logos/airbnb",
    )
    extra = [
        schemas.Brand(
            brand=f"Brand {i}",
            brand_id=i + 2,
            family=f"brand-{i}",
            category=f"Category {i % 12}",
            kind=("giftcard", "mobile_recharge", "esim")[i % 3],
            currency="USD",
            min=5,
            max=500,
            logo_base_url="/sandbox/logos/amazon",
        )
        for i in range(size - 1)
    ]
    return schemas.BrandCatalog(
        country_code="US", categories=[schemas.BrandCategory(name="Shopping", brands=[real, *extra])]
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
    text = "\n".join(
        [
            "",
            f"Growth (mean of {RUNS} warm views, in-process, DEBUG off):",
            "",
            *catalog_figures(),
            "",
            *admin_figures(),
        ]
    )
    print(text)
    with open(ROOT / "bench" / "results.md", "a") as results:
        results.write(text + "\n")


if __name__ == "__main__":
    main()
