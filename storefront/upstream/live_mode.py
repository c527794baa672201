"""Whether the configured upstream is the live API, and why a live shop without a partner ID must not start.

Read by the settings module, so nothing here imports Django.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

LIVE_DOMAIN = "cryptorefills.com"
# Names that never reach the public internet: a sandbox may run under any of them.
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".test", ".invalid", ".example")


def is_live_url(url: str) -> bool:
    """Return whether `url` leads to the live upstream: a cryptorefills.com host, or any public host."""
    host = (urlsplit(url.strip()).hostname or "").rstrip(".").lower()
    if not host:
        return False
    if host == LIVE_DOMAIN or host.endswith("." + LIVE_DOMAIN):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        # A single-label name ("sandbox", a container's) or a reserved suffix is local.
        return "." in host and host != "localhost" and not host.endswith(LOCAL_SUFFIXES)
    return address.is_global


def missing_partner_id(*, api_url: str, partner_id: str) -> str | None:
    """Return why the shop must refuse to start (a live upstream, no partner ID), or None."""
    if partner_id.strip() or not is_live_url(api_url):
        return None
    return (
        f"CRYPTOREFILLS_API_URL is {api_url}, a live upstream, but CRYPTOREFILLS_PARTNER_ID is empty. "
        "The live API accepts orders without a partner ID and silently pays no commission for them, "
        "so the shop refuses to start. Set CRYPTOREFILLS_PARTNER_ID to the partner ID of your "
        "Cryptorefills account, or unset CRYPTOREFILLS_API_URL (or point it at a local sandbox such "
        "as http://127.0.0.1:8700) to run on the sandbox."
    )
