"""Send the order e-mails that are due: one pass, or a loop (run several side by side, each sends once)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from notifications.services import send_due_emails
from storefront.passes import run_passes


class Command(BaseCommand):
    help = (
        "Send the e-mails in the outbox that are due (retrying those the mail server refused); "
        "--loop keeps doing it."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep sending until stopped.")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between passes in a loop.")

    def handle(self, *args, loop: bool, interval: float, **options) -> None:
        def one_pass() -> None:
            sent = send_due_emails()
            if options["verbosity"] > 1 or not loop:
                self.stdout.write(f"sent {sent} e-mail(s)")

        run_passes(one_pass, loop=loop, interval=interval)
