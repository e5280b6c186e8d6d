"""Rows of several tables inserted together: on PostgreSQL in ONE statement
(data-modifying ``WITH`` clauses, which run whether or not they are read),
so a filing's request, events and messages cost one round trip instead of
three (issue #17); elsewhere (SQLite, in the process) one INSERT per
table, as before.

Each statement is built once per shape (tables, columns, number of rows)
as text with typed parameters: SQLAlchemy compiles it once, and binds
each value as its column's type would (JSON documents, UTC timestamps).
Foreign keys between the tables hold: PostgreSQL checks them at the end
of the statement, when every row of it is in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Table, TextClause, bindparam, insert, text

from search_api.store import direct
from search_api.store.core import insert_for

Rows = tuple[Table, Sequence[Mapping[str, Any]], str | None]
"""The rows of one table (each with the same columns) and the column of a
unique index on which a conflicting row is left out (None: it raises)."""

Shape = tuple[tuple[Table, tuple[str, ...], int, str | None], ...]


def insert_together(conn: Connection, inserts: Sequence[Rows]) -> None:
    """Insert every row of ``inserts`` in ``conn``'s transaction, the tables
    in order (on PostgreSQL in one statement).

    Raises:
        sqlalchemy.exc.IntegrityError: a row broke a constraint (nothing
            of the statement is stored).
    """
    inserts = [(table, rows, conflict) for table, rows, conflict in inserts if rows]
    if not inserts:
        return
    if conn.dialect.name != "postgresql":
        for table, rows, conflict in inserts:
            direct.many(conn, _plain(conn.dialect.name, table, conflict), rows)
        return
    shape: Shape = tuple((table, tuple(rows[0]), len(rows), conflict)
                         for table, rows, conflict in inserts)
    params: dict[str, Any] = {}
    for t, (_table, rows, _conflict) in enumerate(inserts):
        for i, row in enumerate(rows):
            params.update((f"t{t}_{i}_{name}", value) for name, value in row.items())
    direct.rows(conn, _statement(shape), params)


@lru_cache(maxsize=32)
def _plain(dialect: str, table: Table, conflict: str | None) -> Any:
    if conflict is None:
        return insert(table)
    return insert_for(dialect, table).on_conflict_do_nothing(index_elements=[conflict])


@lru_cache(maxsize=128)
def _statement(shape: Shape) -> TextClause:
    """PostgreSQL: the INSERTs of ``shape`` as one statement, parameters
    ``t<table>_<row>_<column>``."""
    parts, binds = [], []
    for t, (table, names, count, conflict) in enumerate(shape):
        values = ", ".join("(" + ", ".join(f":t{t}_{i}_{name}" for name in names) + ")"
                           for i in range(count))
        columns = ", ".join(f'"{name}"' for name in names)
        part = f'INSERT INTO "{table.name}" ({columns}) VALUES {values}'
        if conflict is not None:
            part += f' ON CONFLICT ("{conflict}") DO NOTHING'
        parts.append(part)
        binds += [bindparam(f"t{t}_{i}_{name}", type_=table.c[name].type)
                  for i in range(count) for name in names]
    last = parts.pop()
    sql = ("WITH " + ", ".join(f"i{k} AS ({p})" for k, p in enumerate(parts)) + " "
           if parts else "") + last
    return text(sql).bindparams(*binds)
