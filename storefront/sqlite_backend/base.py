"""Django's SQLite backend that creates the folder of its database file before opening it.

The default database is var/db.sqlite3, and var/ is git-ignored: on a fresh clone SQLite cannot
create the file ("unable to open database file") until something makes its folder. The code that
opens the file makes it, so any DATABASE_URL=sqlite:///… path works on a clean machine.
"""

from __future__ import annotations

from pathlib import Path

from django.db.backends.sqlite3 import base

_made: set[Path] = set()  # folders this process has made or found, so later connections skip the call


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        if not self.is_in_memory_db():
            folder = Path(self.settings_dict["NAME"]).resolve().parent
            if folder not in _made:
                folder.mkdir(parents=True, exist_ok=True)
                _made.add(folder)
        return super().get_new_connection(conn_params)
