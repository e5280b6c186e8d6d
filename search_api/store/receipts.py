"""Receipt numbers: ``YH-20261123-0001``, one counter row per prefix and day.

Concurrency: ``INSERT ... ON CONFLICT DO UPDATE SET last = last + 1
RETURNING last`` (a row lock on PostgreSQL; SQLite writers are serial under
``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection

from search_api.store.core import StoreCore, insert_for
from search_api.store.schema import receipt_counters


def check_prefix(prefix: str) -> None:
    """Raises ValueError unless ``prefix`` is 1 to 16 ASCII letters or digits."""
    if not (prefix.isascii() and prefix.isalnum() and 1 <= len(prefix) <= 16):
        raise ValueError(f"a receipt prefix is 1-16 ASCII letters or digits, not {prefix!r}")


def take_number(conn: Connection, on: date, prefix: str) -> str:
    """The next receipt number of ``prefix`` and ``on`` in ``conn``'s
    transaction (the counter row stays locked until it ends)."""
    last = int(conn.execute(_next_of(conn.dialect.name),
                            {"prefix": prefix, "day": on, "last": 1}).scalar_one())
    return f"{prefix}-{on:%Y%m%d}-{last:04d}"


@lru_cache(maxsize=4)
def _next_of(dialect: str) -> Any:
    """The counter's upsert for ``dialect``, built once (its values are
    parameters: SQLAlchemy neither rebuilds nor recompiles it, issue #17)."""
    return insert_for(dialect, receipt_counters).on_conflict_do_update(
        index_elements=[receipt_counters.c.prefix, receipt_counters.c.day],
        set_={"last": receipt_counters.c.last + 1},
    ).returning(receipt_counters.c.last)


class ReceiptPart(StoreCore):
    """Receipt numbers in a transaction of their own."""

    def next_receipt_number(self, on: date, prefix: str = "YH") -> str:
        """The next receipt number of ``on``: ``YH-20261123-0001``, ``-0002``...
        (at least four digits), in its own transaction. Unique across threads
        and processes. A new request takes its number in the transaction that
        stores it instead (:meth:`file_request`).

        Raises:
            ValueError: ``prefix`` is not 1 to 16 ASCII letters or digits.
        """
        check_prefix(prefix)
        with self._write() as conn:
            return take_number(conn, on, prefix)
