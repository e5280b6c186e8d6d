"""The SQL of one rows query (pure: no connection, no Flask).

A loaded table never changes: its SQLite name carries the SHA-256 of its
file, and a new file is a new table. So what a query learns about a table
(the few values of a column, the count of a filter) may be kept as long as
the process lives, keyed by the table's name.

``contains`` on a text column with few distinct values (a station's name, a
quality level) is answered as ``column IN (the values that contain it)``:
the same rows as ``instr(column, ?) > 0``, found through the column's index
instead of reading every row.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from threading import Lock
from typing import Any

from search_api.tables.query import Condition, Field, RowQuery

SQL_TYPES = {"integer": "INTEGER", "year": "INTEGER", "number": "REAL", "boolean": "INTEGER"}
FEW_VALUES = 256  # a text column with at most this many distinct values is "few"
_OPERATORS = {"eq": "=", "gte": ">=", "lte": "<="}

# (table, column) -> its distinct non-null values when there are few, else None
ValuesOf = Callable[[str, str], tuple[str, ...] | None]


@dataclass(frozen=True)
class Sql:
    """The statements of one query: ``count`` (the total under the filter)
    and ``page`` (the rows, with LIMIT and OFFSET bound last)."""

    count: str
    page: str
    params: tuple[Any, ...]
    chosen: tuple[Field, ...]


def plan(table: str, fields: Sequence[Field], q: RowQuery, values_of: ValuesOf) -> Sql:
    """The SQL answering ``q`` on ``table`` (columns ``c0``, ``c1``... in the
    order of ``fields``), with bound parameters only."""
    columns = {f.name: f"c{i}" for i, f in enumerate(fields)}
    types = {f.name: f.type for f in fields}
    where, params = where_clause(table, q.conditions, columns, types, values_of)
    chosen = [f for f in fields if not q.fields or f.name in q.fields]
    if q.fields:
        order = {name: i for i, name in enumerate(q.fields)}
        chosen.sort(key=lambda f: order[f.name])
    select = ", ".join(columns[f.name] for f in chosen)
    order_by = ", ".join(f"{columns[name]} {'DESC' if desc else 'ASC'}" for name, desc in q.sort)
    # The file's order breaks ties, in the direction of the last key, so
    # that the column's index (which ends in rowid) serves the ordering.
    last_desc = bool(q.sort) and q.sort[-1][1]
    order_by = f"{order_by}, rowid{' DESC' if last_desc else ''}" if order_by else "rowid"
    return Sql(count=f"SELECT count(*) FROM {table}{where}",
               page=f"SELECT {select} FROM {table}{where} ORDER BY {order_by} LIMIT ? OFFSET ?",
               params=tuple(params), chosen=tuple(chosen))


def where_clause(table: str, conditions: Sequence[Condition], columns: dict[str, str],
                 types: dict[str, str], values_of: ValuesOf) -> tuple[str, list[Any]]:
    """`` WHERE ...`` (or nothing) and its parameters."""
    parts: list[str] = []
    params: list[Any] = []
    for c in conditions:
        column = columns[c.field]
        if c.operator != "contains":
            parts.append(f"{column} {_OPERATORS[c.operator]} ?")
            params.append(int(c.value) if isinstance(c.value, bool) else c.value)
            continue
        text = types[c.field] not in SQL_TYPES
        few = values_of(table, column) if text else None
        if few is None:
            parts.append(f"instr({column if text else f'CAST({column} AS TEXT)'}, ?) > 0")
            params.append(c.value)
            continue
        matching = [v for v in few if str(c.value) in v]
        parts.append(f"{column} IN ({', '.join('?' * len(matching))})" if matching else "0")
        params.extend(matching)
    return (" WHERE " + " AND ".join(parts) if parts else ""), params


class Memo:
    """A bounded map kept in least-recently-used order, safe between threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._lock = Lock()

    def get(self, key: Any) -> Any:
        """The value of ``key``, or None."""
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
