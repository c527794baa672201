"""Check the configured upstream before going live: every read endpoint, answered and parsed."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from storefront.upstream.checks import check_upstream, format_report
from storefront.upstream.client import EndUser
from storefront.upstream.factory import build_client, client_config, uses_in_process_sandbox

# A documentation address (TEST-NET-3): the upstream sees a sample shopper, not the server.
SAMPLE_END_USER_IP = "203.0.113.10"


class Command(BaseCommand):
    help = (
        "Call every read endpoint of the configured Cryptorefills upstream for a country (payment vias, "
        "brands, homepage, products of a few families, prices, countries) and print whether each "
        "answered, parsed, how many items it held, which were left out and which fields are unknown. "
        "Exits non-zero on any failure. Never validates or creates orders."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--country", default="US", help="ISO country code to check (default US)")
        parser.add_argument(
            "--family",
            action="append",
            dest="families",
            help="a brand family to fetch products of (repeatable; default: one gift card, one eSIM, "
            "one top-up taken from the brands answer)",
        )

    def handle(self, *args: object, country: str, families: list[str] | None, **options: object) -> None:
        config = client_config()
        where = "the in-process sandbox" if uses_in_process_sandbox() else config.base_url
        partner = settings.CRYPTOREFILLS_PARTNER_ID
        self.stdout.write(
            f"Checking {where} for {country.upper()} as partner "
            f"{_masked(partner) if partner else '(none: sandbox mode)'}"
        )
        end_user = EndUser(
            ip=SAMPLE_END_USER_IP, user_agent=f"check_upstream ({config.app_version})", country_code=country
        )
        result = check_upstream(
            build_client=lambda on_response: build_client(on_response=on_response),
            country_code=country,
            end_user=end_user,
            families=families,
        )
        for line in format_report(result):
            self.stdout.write(line)
        failed = [check.name for check in result.checks if check.fails]
        if failed:
            raise CommandError(f"upstream check failed: {', '.join(failed)}")
        self.stdout.write(self.style.SUCCESS("Every endpoint answered and parsed."))


def _masked(partner_id: str) -> str:
    """Show enough of the partner ID to recognise it, not enough to copy it."""
    return partner_id[:4] + "…" if len(partner_id) > 6 else "…"
