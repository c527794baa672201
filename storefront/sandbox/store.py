"""SQLite persistence of sandbox orders, safe across threads and processes."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    order_id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    created_ts REAL NOT NULL,
    usd_total TEXT NOT NULL,
    expires_ts REAL NOT NULL,
    next_state TEXT,
    next_due REAL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_email_created ON orders (email, created_ts);
"""

BUSY_TIMEOUT_MS = 10_000


@dataclass
class OrderRecord:
    """An order as stored: its public document plus the schedule of its next transition."""

    order_id: str
    email: str
    created_ts: float
    usd_total: Decimal
    expires_ts: float
    next_state: str | None
    next_due: float | None
    doc: dict

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> OrderRecord:
        """Build a record from a database row."""
        return cls(
            order_id=row["order_id"],
            email=row["email"],
            created_ts=row["created_ts"],
            usd_total=Decimal(row["usd_total"]),
            expires_ts=row["expires_ts"],
            next_state=row["next_state"],
            next_due=row["next_due"],
            doc=json.loads(row["doc"]),
        )

    def values(self) -> tuple:
        """Return the row values in column order."""
        return (
            self.order_id,
            self.email,
            self.created_ts,
            str(self.usd_total),
            self.expires_ts,
            self.next_state,
            self.next_due,
            json.dumps(self.doc, ensure_ascii=False),
        )


@dataclass
class StoreWatch:
    """Questions a stream asks the store over and over, on a connection of its own."""

    conn: sqlite3.Connection

    def version(self) -> int:
        """A number that changes whenever any connection commits to the file (SQLite's data_version)."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def stamp(self, order_id: str) -> tuple | None:
        """The order's stored row as it is, unparsed: equal stamps, equal orders."""
        return self.conn.execute(
            "SELECT doc, next_state, next_due, expires_ts FROM orders WHERE order_id = ?", (order_id,)
        ).fetchone()


class Store:
    """Orders in one SQLite file; every operation opens its own connection."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            yield conn
        finally:
            conn.close()

    def insert(self, record: OrderRecord) -> None:
        """Store a new order."""
        with self._connect() as conn:
            conn.execute("INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?)", record.values())

    @contextmanager
    def watch(self) -> Iterator[StoreWatch]:
        """Yield cheap questions to the file on one connection kept for the block (a stream asks a
        few times a second; from one thread, then another, never from two at once)."""
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                               check_same_thread=False)
        try:
            yield StoreWatch(conn)
        finally:
            conn.close()

    def get(self, order_id: str) -> OrderRecord | None:
        """Return the stored order, or None."""
        with self._connect() as conn:
            row = conn.execute("SELECT * FROM orders WHERE order_id = ?", (order_id,)).fetchone()
        return OrderRecord.from_row(row) if row else None

    def update(self, order_id: str, change: Callable[[OrderRecord], bool]) -> OrderRecord | None:
        """Apply ``change`` to the order under a write lock; save it when it reports a change."""
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                row = conn.execute("SELECT * FROM orders WHERE order_id = ?", (order_id,)).fetchone()
                if row is None:
                    conn.execute("ROLLBACK")
                    return None
                record = OrderRecord.from_row(row)
                if change(record):
                    conn.execute(
                        "UPDATE orders SET expires_ts = ?, next_state = ?, next_due = ?, doc = ?"
                        " WHERE order_id = ?",
                        (
                            record.expires_ts,
                            record.next_state,
                            record.next_due,
                            json.dumps(record.doc, ensure_ascii=False),
                            order_id,
                        ),
                    )
                conn.execute("COMMIT")
                return record
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def spent_since(self, email: str, since_ts: float) -> Decimal:
        """Return the USD total of the orders created with this email since ``since_ts``."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT usd_total FROM orders WHERE email = ? AND created_ts >= ?", (email.lower(), since_ts)
            ).fetchall()
        return sum((Decimal(row["usd_total"]) for row in rows), Decimal(0))
