"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest


def shop(request: HttpRequest) -> dict:
    """Return what the base template needs on every page."""
    return {"sandbox_mode": settings.SANDBOX_MODE}
