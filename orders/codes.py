"""Encrypt what was delivered (codes, redemption links, serials, barcodes, instructions) at rest (Fernet)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from storefront.upstream.schemas import DELIVERED_FIELDS

# Every delivered field is sealed: whoever reads the code, its serial, security code or barcode can
# spend the goods, and the instructions may name them too.
SECRET_FIELDS = DELIVERED_FIELDS


def _fernet_key(secret: str, *, purpose: str) -> bytes:
    """Return a Fernet key: `secret` itself when it is one, else derived from it."""
    try:
        if len(base64.urlsafe_b64decode(secret.encode())) == 32:
            return secret.encode()
    except (ValueError, TypeError):
        pass
    digest = hashlib.sha256(f"{purpose}:{secret}".encode()).digest()
    return base64.urlsafe_b64encode(digest)


@lru_cache(maxsize=4)
def _cipher(explicit_key: str, secret_key: str) -> MultiFernet:
    keys = []
    if explicit_key:
        keys.append(Fernet(_fernet_key(explicit_key, purpose="orders.codes")))
    # The SECRET_KEY-derived key stays last, so codes written before a dedicated key was set still open.
    keys.append(Fernet(_fernet_key(secret_key, purpose="orders.codes.secret-key")))
    return MultiFernet(keys)


def get_cipher() -> MultiFernet:
    """Return the cipher for codes: CODES_ENCRYPTION_KEY first, the SECRET_KEY-derived key as fallback."""
    explicit = getattr(settings, "CODES_ENCRYPTION_KEY", "") or os.environ.get("CODES_ENCRYPTION_KEY", "")
    return _cipher(explicit, settings.SECRET_KEY)


def seal_secrets(values: dict[str, str]) -> str:
    """Return the ciphertext of a deliverable's secret fields (empty when there are none)."""
    kept = {name: value for name, value in values.items() if value}
    if not kept:
        return ""
    return get_cipher().encrypt(json.dumps(kept, sort_keys=True).encode()).decode()


def open_secrets(ciphertext: str) -> dict[str, str]:
    """Return the secret fields sealed in `ciphertext` ({} when empty or unreadable with our keys)."""
    if not ciphertext:
        return {}
    try:
        return json.loads(get_cipher().decrypt(ciphertext.encode()))
    except (InvalidToken, ValueError):
        return {}


def mask(value: str) -> str:
    """Return a code with all but its last four characters hidden."""
    if not value:
        return ""
    tail = value[-4:] if len(value) > 8 else ""
    return "•" * 8 + tail
