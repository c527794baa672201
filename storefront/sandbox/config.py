"""Configuration of the sandbox upstream."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass
class SandboxConfig:
    """Settings of one sandbox app: where orders live and how fast they move."""

    db_path: Path
    step_seconds: float = 5.0
    payment_window_seconds: int = 1800
    logo_base_url: str = "/sandbox/logos"
    # Where delivered barcodes and order QR images are served from (the sandbox's /barcodes/ route).
    barcode_base_url: str = "/sandbox/barcodes"
    sse_poll_seconds: float = 0.25
    sse_max_seconds: float = 600

    @classmethod
    def from_env(cls, base_dir: Path) -> SandboxConfig:
        """Build the config from SANDBOX_* environment variables."""
        defaults = cls(db_path=Path(base_dir) / "var" / "sandbox.sqlite3")
        return cls(
            db_path=Path(os.environ.get("SANDBOX_DB_PATH") or defaults.db_path),
            step_seconds=float(os.environ.get("SANDBOX_STEP_SECONDS") or defaults.step_seconds),
            payment_window_seconds=int(
                os.environ.get("SANDBOX_PAYMENT_WINDOW_SECONDS") or defaults.payment_window_seconds
            ),
            logo_base_url=os.environ.get("SANDBOX_LOGO_BASE_URL") or defaults.logo_base_url,
            barcode_base_url=os.environ.get("SANDBOX_BARCODE_BASE_URL") or defaults.barcode_base_url,
        )
