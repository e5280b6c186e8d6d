"""Receipt numbers: ``YH-20261123-0001``, one counter row per prefix and day.

Concurrency: ``INSERT ... ON CONFLICT DO UPDATE SET last = last + 1
RETURNING last`` (a row lock on PostgreSQL; SQLite writers are serial under
``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, bindparam

from search_api.store import direct
from search_api.store.core import StoreCore, insert_for
from search_api.store.schema import receipt_counters


def check_prefix(prefix: str) -> None:
    """Raises ValueError unless ``prefix`` is 1 to 16 ASCII letters or digits."""
    if not (prefix.isascii() and prefix.isalnum() and 1 <= len(prefix) <= 16):
        raise ValueError(f"a receipt prefix is 1-16 ASCII letters or digits, not {prefix!r}")


def take_number(conn: Connection, on: date, prefix: str) -> str:
    """The next receipt number of ``prefix`` and ``on`` in ``conn``'s
    transaction (the counter row stays locked until it ends)."""
    (last,), = direct.rows(conn, _next_of(conn.dialect.name),
                           {"prefix": prefix, "day": on, "last": 1})
    return number_of(prefix, on, int(last))


def number_of(prefix: str, on: date, last: int) -> str:
    return f"{prefix}-{on:%Y%m%d}-{last:04d}"


@dataclass(frozen=True)
class Wanted:
    """The next receipt number of ``prefix`` and ``on``, asked of a statement
    that can take it along with its own work (the rate-limit hit's row lock,
    so that a filing's count and number cost one round trip, issue #17)."""

    on: date
    prefix: str

    def take(self, conn: Connection) -> str:
        """This number taken by a statement of its own (:func:`take_number`)."""
        return take_number(conn, self.on, self.prefix)


def counter_upsert(dialect: str, *, bound: bool = False) -> Any:
    """The counter's upsert (parameters ``prefix``, ``day``, ``last`` = 1),
    returning the new ``last``; ``bound``: its values as named parameters
    in the statement (for a statement that embeds it, e.g. as a CTE)."""
    if not bound:
        return _next_of(dialect)
    c = receipt_counters.c
    return insert_for(dialect, receipt_counters).values(
        prefix=bindparam("prefix", type_=c.prefix.type), day=bindparam("day", type_=c.day.type),
        last=bindparam("last", type_=c.last.type),
    ).on_conflict_do_update(
        index_elements=[c.prefix, c.day], set_={"last": c.last + 1},
    ).returning(c.last)


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
