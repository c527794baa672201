"""Bring upstream news into open orders and settle stuck ones: one pass, or a loop (run many side by side)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from notifications.services import send_due_emails
from orders.services import expire_lapsed_orders, fail_stuck_submissions, sync_open_orders
from storefront.passes import run_passes


class Command(BaseCommand):
    help = (
        "Refresh open orders from the upstream, expire the lapsed ones, fail submits never confirmed and "
        "send the e-mails due; --loop keeps doing it."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep syncing until stopped.")
        parser.add_argument("--interval", type=float, default=3.0, help="Seconds between passes in a loop.")
        parser.add_argument("--limit", type=int, default=None, help="Most orders to ask about per pass.")

    def handle(self, *args, loop: bool, interval: float, limit: int | None, **options) -> None:
        def one_pass() -> None:
            synced = sync_open_orders(limit=limit)
            expired = expire_lapsed_orders()
            unconfirmed = fail_stuck_submissions()
            # The e-mails the changes above enqueued, and the retries due (notifications' outbox).
            emailed = send_due_emails()
            if options["verbosity"] > 1 or not loop:
                self.stdout.write(
                    f"synced {synced} open order(s), expired {expired}, "
                    f"failed {unconfirmed} submit(s) never confirmed, sent {emailed} e-mail(s)"
                )

        run_passes(one_pass, loop=loop, interval=interval)
