"""Compile the shop's .po catalogs to .mo with polib, so no machine needs GNU gettext's msgfmt.

The .mo files are committed: `make run` on a fresh machine serves every language without a
compile step. Run this after editing a .po; `--check` only reports stale or missing .mo files.
"""

from __future__ import annotations

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def find_catalogs() -> list[Path]:
    """Return every .po file under the project's LOCALE_PATHS, sorted."""
    return sorted(po for root in settings.LOCALE_PATHS for po in Path(root).glob("*/LC_MESSAGES/*.po"))


def compiled_bytes(po_path: Path) -> bytes:
    """Return the .mo bytes for a .po file (untranslated and fuzzy entries left out, as msgfmt does)."""
    return polib.pofile(str(po_path), wrapwidth=0).to_binary()


def mo_path_for(po_path: Path) -> Path:
    """Return where the compiled catalog of a .po file lives."""
    return po_path.with_suffix(".mo")


def is_stale(po_path: Path) -> bool:
    """Return whether the committed .mo of a .po file is missing or differs from a fresh compile."""
    mo_path = mo_path_for(po_path)
    return not mo_path.exists() or mo_path.read_bytes() != compiled_bytes(po_path)


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/*.po to .mo with polib (no gettext tools needed)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="Only report missing or stale .mo files; exit 1 if any."
        )

    def handle(self, *args, check: bool = False, **options) -> None:
        catalogs = find_catalogs()
        if not catalogs:
            raise CommandError("No .po files found under LOCALE_PATHS.")
        stale = [po for po in catalogs if is_stale(po)]
        if check:
            for po in stale:
                self.stderr.write(f"stale or missing: {mo_path_for(po)}")
            if stale:
                raise CommandError(f"{len(stale)} compiled catalog(s) out of date: run compile_translations.")
            self.stdout.write(f"{len(catalogs)} compiled catalog(s) up to date.")
            return
        for po in stale:
            # Written only when changed, so an unchanged catalog keeps its file untouched.
            mo_path_for(po).write_bytes(compiled_bytes(po))
            self.stdout.write(f"compiled {mo_path_for(po)}")
        self.stdout.write(f"{len(catalogs)} catalog(s), {len(stale)} compiled.")
