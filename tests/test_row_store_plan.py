"""The row store's choice of index (search_api.tables.plan): a rare range
goes through its own index, a wide one is left to SQLite's planner, and a
store whose index is missing still answers, with the same rows each way."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from search_api.tables.plan import plan
from search_api.tables.query import Field, parse_row_query
from search_api.tables.store import RowStore, Table

FIELDS = (Field("n", "integer"), Field("colour", "string"), Field("size", "number"))


@pytest.fixture
def store(tmp_path: Path) -> RowStore:
    csv_path = tmp_path / "things.csv"
    lines = ["n,colour,size"] + [f"{i},{['red', 'blue'][i % 2]},{(i * 7) % 100}"
                                 for i in range(6000)]
    csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    digest = hashlib.sha256(csv_path.read_bytes()).hexdigest()
    rows = RowStore(tmp_path / "rows.sqlite3")
    rows.load_tables([("d", "things", "Things", csv_path, FIELDS, digest)])
    return rows


def answer(store: RowStore, table: Table, **params: str) -> tuple[int, list[int]]:
    page = store.query(table, parse_row_query(list(params.items()), table.fields))
    return page.total, [r["n"] for r in page.rows]


def expected(low: int, colour: str) -> list[int]:
    kept = [i for i in range(6000) if i >= low and ['red', 'blue'][i % 2] == colour]
    return sorted(kept, key=lambda i: (-((i * 7) % 100), i))


@pytest.mark.parametrize("low, through", [(5900, "_c0"), (10, None)])
def test_a_rare_range_goes_through_its_index(store: RowStore, low: int,
                                             through: str | None) -> None:
    table = store.table("d", "things")
    assert table is not None
    query = parse_row_query([("n__gte", str(low)), ("colour", "blue"), ("sort", "-size,n")],
                            table.fields)
    sql = plan(table.table, table.fields, query, store._few_values, store._probe)
    assert (f"INDEXED BY {table.table}{through}" in sql.page) if through \
        else "INDEXED BY" not in sql.page
    rows = expected(low, "blue")
    assert answer(store, table, n__gte=str(low), colour="blue", sort="-size,n",
                  limit="20") == (len(rows), rows[:20])


def test_a_missing_index_leaves_the_choice_to_sqlite(store: RowStore) -> None:
    table = store.table("d", "things")
    assert table is not None
    conn = sqlite3.connect(store.path)
    conn.execute(f"DROP INDEX {table.table}_c0")
    conn.commit()
    conn.close()
    rows = expected(5900, "red")
    assert answer(store, table, n__gte="5900", colour="red", sort="-size,n",
                  limit="20") == (len(rows), rows[:20])
