"""The SQL of one rows query (pure: no connection, no Flask).

A loaded table never changes: its SQLite name carries the SHA-256 of its
file, and a new file is a new table. So what a query learns about a table
(the few values of a column, the count of a filter) may be kept as long as
the process lives, keyed by the table's name.

``contains`` on a text column with few distinct values (a station's name, a
quality level) is answered as ``column IN (the values that contain it)``:
the same rows as ``instr(column, ?) > 0``, found through the column's index
instead of reading every row.

SQLite's planner knows how many rows an equality matches (``ANALYZE``) but
not a range (``aqi >= 180``), so it may walk one station's 8,760 rows, or
the sort column's whole index, for the 70 rows of a rare range. When a
query has several conditions, or one and a sort, each indexed condition is
probed first with a bounded count of its index entries; when one matches at
most FEW_ROWS rows, the query is made to go through its index.
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
FEW_ROWS = 2000  # a condition matching at most this many rows is read through its index
MAX_INDEXED_COLUMNS = 40  # beyond this, loading a wide table costs more than it serves
_OPERATORS = {"eq": "=", "gte": ">=", "lte": "<="}

# (table, column) -> its distinct non-null values when there are few, else None
ValuesOf = Callable[[str, str], tuple[str, ...] | None]
# (SQL counting at most ``cap`` rows, its parameters) -> the count
Probe = Callable[[str, tuple[Any, ...]], int]


@dataclass(frozen=True)
class Sql:
    """The statements of one query: ``count`` (the total under the filter)
    and ``page`` (the rows, with LIMIT and OFFSET bound last)."""

    count: str
    page: str
    params: tuple[Any, ...]
    chosen: tuple[Field, ...]


def plan(table: str, fields: Sequence[Field], q: RowQuery, values_of: ValuesOf,
         probe: Probe | None = None) -> Sql:
    """The SQL answering ``q`` on ``table`` (columns ``c0``, ``c1``... in the
    order of ``fields``), with bound parameters only; ``probe`` counts rows
    to choose the index (see the module)."""
    columns = {f.name: f"c{i}" for i, f in enumerate(fields)}
    types = {f.name: f.type for f in fields}
    parts = [condition_sql(table, c, columns[c.field], types[c.field], values_of)
             for c in q.conditions]
    where = " WHERE " + " AND ".join(part for part, _ in parts) if parts else ""
    params = tuple(v for _, values in parts for v in values)
    source = table
    if probe is not None and (len(parts) > 1 or (parts and q.sort)):
        source = _narrowest(table, q.conditions, parts, columns, probe)
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
    return Sql(count=f"SELECT count(*) FROM {source}{where}",
               page=f"SELECT {select} FROM {source}{where} ORDER BY {order_by} LIMIT ? OFFSET ?",
               params=params, chosen=tuple(chosen))


def _narrowest(table: str, conditions: Sequence[Condition],
               parts: Sequence[tuple[str, list[Any]]], columns: dict[str, str],
               probe: Probe) -> str:
    """``table``, or ``table INDEXED BY`` the index of the condition that
    matches the fewest rows when that is at most FEW_ROWS."""
    best: tuple[int, str] | None = None
    for c, (part, values) in zip(conditions, parts, strict=True):
        column = columns[c.field]
        if int(column[1:]) >= MAX_INDEXED_COLUMNS or part.startswith(("instr(", "0")):
            continue
        index = f"{table}_{column}"
        cap = best[0] if best else FEW_ROWS + 1
        found = probe(f"SELECT count(*) FROM (SELECT 1 FROM {table} INDEXED BY {index} "
                      f"WHERE {part} LIMIT {cap})", tuple(values))
        if found < cap:
            best = (found, index)
    return f"{table} INDEXED BY {best[1]}" if best else table


def condition_sql(table: str, c: Condition, column: str, kind: str,
                  values_of: ValuesOf) -> tuple[str, list[Any]]:
    """The SQL of one condition on ``column`` and its parameters."""
    if c.operator != "contains":
        return (f"{column} {_OPERATORS[c.operator]} ?",
                [int(c.value) if isinstance(c.value, bool) else c.value])
    text = kind not in SQL_TYPES
    few = values_of(table, column) if text else None
    if few is None:
        return f"instr({column if text else f'CAST({column} AS TEXT)'}, ?) > 0", [c.value]
    matching = [v for v in few if str(c.value) in v]
    return (f"{column} IN ({', '.join('?' * len(matching))})" if matching else "0"), matching


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
