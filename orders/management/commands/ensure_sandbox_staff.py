"""Create the sandbox's staff account (and print how to log in) so `make run` opens a usable admin."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "In sandbox mode, create or reset the staff superuser and print its credentials."

    def handle(self, *args, **options) -> None:
        if not settings.SANDBOX_MODE:
            self.stdout.write("Live mode: no sandbox staff account is created (use createsuperuser).")
            return
        username, password = settings.SANDBOX_STAFF_USERNAME, settings.SANDBOX_STAFF_PASSWORD
        user, _ = get_user_model().objects.get_or_create(
            username=username, defaults={"email": "staff@sandbox.test"}
        )
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        self.stdout.write(f"Sandbox staff account: username {username!r}, password {password!r}")
