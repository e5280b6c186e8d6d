"""Rows of the published tables in one SQLite file (``ROWS_DB``).

``RowStore.load_site(site_dir)`` reads every CSV resource with a Table Schema
that the static site publishes (``site/datasets/<id>/datapackage.json``:
only unconditional datasets have files there, so nothing else can be served)
into a table of typed columns with an index per column, keyed by the file's
SHA-256 so an unchanged file is not loaded again; a resource that disappeared
from the site is dropped. Each resource is swapped in in one transaction:
readers see the old rows or the new ones, never a mix.

``RowStore.query`` answers a ``RowQuery`` with bound parameters only.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from search_api.tables.plan import FEW_VALUES, MAX_INDEXED_COLUMNS, SQL_TYPES, Memo, plan
from search_api.tables.query import Field, RowQuery

BATCH = 5000
MMAP_BYTES = 1 << 30  # address space only: the OS keeps the pages
COUNTS_KEPT = 4096  # totals of filters kept per process (tables never change)


class RowStoreError(Exception):
    """The row store cannot be read (not built, damaged); message says what to do."""


@dataclass(frozen=True)
class Table:
    dataset: str
    resource: str
    title: str
    table: str
    fields: tuple[Field, ...]
    rows: int
    sha256: str


@dataclass(frozen=True)
class LoadStats:
    loaded: int
    unchanged: int
    removed: int
    rows: int
    bad_cells: int
    seconds: float


@dataclass(frozen=True)
class Page:
    total: int
    fields: tuple[Field, ...]
    rows: list[dict[str, Any]]


def _table_name(dataset: str, resource: str, sha256: str) -> str:
    digest = hashlib.sha256(f"{dataset}\0{resource}\0{sha256}".encode()).hexdigest()[:20]
    return f"t_{digest}"


def _cell(raw: str, kind: str) -> tuple[Any, bool]:
    """(value to store, whether it was unreadable). Empty cells are NULL."""
    if raw == "":
        return None, False
    try:
        if kind in ("integer", "year"):
            return int(raw), False
        if kind == "number":
            return float(raw), False
        if kind == "boolean":
            lowered = raw.strip().lower()
            if lowered in ("true", "1", "是", "yes"):
                return 1, False
            if lowered in ("false", "0", "否", "no"):
                return 0, False
            return None, True
    except ValueError:
        return None, True
    return raw, False


class RowStore:
    """One SQLite file of tables; safe to share between threads (one
    connection per thread)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._tables: dict[tuple[str, str], Table] = {}
        self._stamp: tuple[int, int] | None = None
        self._lock = threading.Lock()
        self._counts = Memo(COUNTS_KEPT)  # (count SQL, params) -> total
        self._values = Memo(1024)  # (table, column) -> (few values or None,)

    # -- reading -----------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            if not self.path.is_file():
                raise RowStoreError(f"row store {self.path} does not exist; run `portal index`")
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True,
                                   check_same_thread=False)
            # Pages read through a shared mapping, not a read() and a copy
            # into each connection's own small cache: the tables are read-only.
            conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
            self._local.conn = conn
        return conn

    def _catalogue(self) -> dict[tuple[str, str], Table]:
        """The tables, re-read when the file changed (after `portal index`)."""
        try:
            stat = self.path.stat()
        except OSError:
            return {}
        wal = self.path.with_name(self.path.name + "-wal")
        stamp = (stat.st_mtime_ns, wal.stat().st_mtime_ns if wal.exists() else 0)
        with self._lock:
            if stamp != self._stamp:
                rows = self._conn().execute(
                    "SELECT dataset, resource, title, tbl, fields, nrows, sha256 FROM tables"
                ).fetchall()
                self._tables = {
                    (d, r): Table(d, r, t, tbl, tuple(Field(**f) for f in json.loads(fs)), n, h)
                    for d, r, t, tbl, fs, n, h in rows}
                self._stamp = stamp
            return self._tables

    def tables_of(self, dataset: str) -> list[Table]:
        """The tables of ``dataset`` (none: not an open dataset with tables)."""
        return sorted((t for (d, _r), t in self._catalogue().items() if d == dataset),
                      key=lambda t: t.resource)

    def table(self, dataset: str, resource: str) -> Table | None:
        return self._catalogue().get((dataset, resource))

    def query(self, table: Table, q: RowQuery) -> Page:
        """One page of ``table`` under ``q``, with the total count.

        The total is not counted again when the page shows it (a page
        shorter than ``limit`` that holds rows, or the first page) or when
        this process counted the same filter on the same table before.

        Raises:
            sqlite3.Error: the store cannot be read.
        """
        sql = plan(table.table, table.fields, q, self._few_values, self._probe)
        conn = self._conn()
        found = conn.execute(sql.page, [*sql.params, q.limit, q.offset]).fetchall()
        if len(found) < q.limit and (found or q.offset == 0):
            total = q.offset + len(found)
        else:
            key = (sql.count, sql.params)
            total = self._counts.get(key)
            if total is None:
                total = int(conn.execute(sql.count, sql.params).fetchone()[0])
                self._counts.put(key, total)
        names = tuple(f.name for f in sql.chosen)
        booleans = [i for i, f in enumerate(sql.chosen) if f.type == "boolean"]
        if booleans:
            found = [tuple(bool(v) if i in booleans and v is not None else v
                           for i, v in enumerate(row)) for row in found]
        return Page(total=total, fields=sql.chosen,
                    rows=[dict(zip(names, row, strict=True)) for row in found])

    def _probe(self, sql: str, params: tuple[Any, ...]) -> int:
        """The count ``sql`` gives, kept (the tables never change); a very
        large number when the index it names is missing (a store built by
        hand), so that the planner chooses as before."""
        key = (sql, params)
        found = self._counts.get(key)
        if found is None:
            try:
                found = int(self._conn().execute(sql, params).fetchone()[0])
            except sqlite3.OperationalError:
                found = 1 << 62
            self._counts.put(key, found)
        return int(found)

    def _few_values(self, table: str, column: str) -> tuple[str, ...] | None:
        """The distinct values of a text column when there are at most
        FEW_VALUES of them (else None), read once per process."""
        key = (table, column)
        known = self._values.get(key)
        if known is None:
            rows = self._conn().execute(
                f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL LIMIT ?",
                (FEW_VALUES + 1,)).fetchall()
            few = tuple(str(v) for (v,) in rows) if len(rows) <= FEW_VALUES else None
            known = (few,)
            self._values.put(key, known)
        values: tuple[str, ...] | None = known[0]
        return values

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # -- loading -----------------------------------------------------------

    def load_site(self, site_dir: Path) -> LoadStats:
        """Make the store hold exactly the CSV tables the site publishes."""
        return self.load_tables(_site_tables(site_dir))

    def load_tables(self, tables: Iterable[tuple[str, str, str, Path, tuple[Field, ...], str]]
                    ) -> LoadStats:
        """Make the store hold exactly ``tables``: (dataset, resource, title,
        CSV file, fields, SHA-256 of the file) each."""
        started = time.perf_counter()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("CREATE TABLE IF NOT EXISTS tables (dataset TEXT, resource TEXT, "
                         "title TEXT, tbl TEXT, fields TEXT, nrows INTEGER, sha256 TEXT, "
                         "PRIMARY KEY (dataset, resource))")
            existing = {(d, r): (tbl, h) for d, r, tbl, h in
                        conn.execute("SELECT dataset, resource, tbl, sha256 FROM tables")}
            seen: set[tuple[str, str]] = set()
            loaded = unchanged = rows = bad = 0
            for dataset, resource, title, csv_path, fields, sha256 in tables:
                key = (dataset, resource)
                seen.add(key)
                if existing.get(key, ("", ""))[1] == sha256:
                    unchanged += 1
                    continue
                count, unreadable = self._load_one(conn, dataset, resource, title, csv_path,
                                                   fields, sha256, existing.get(key, ("", ""))[0])
                loaded += 1
                rows += count
                bad += unreadable
            removed = 0
            for key in set(existing) - seen:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("DELETE FROM tables WHERE dataset = ? AND resource = ?", key)
                conn.execute(f"DROP TABLE IF EXISTS {existing[key][0]}")
                conn.execute("COMMIT")
                removed += 1
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        return LoadStats(loaded, unchanged, removed, rows, bad,
                         round(time.perf_counter() - started, 3))

    @staticmethod
    def _load_one(conn: sqlite3.Connection, dataset: str, resource: str, title: str,
                  csv_path: Path, fields: tuple[Field, ...], sha256: str,
                  old_table: str) -> tuple[int, int]:
        name = _table_name(dataset, resource, sha256)
        columns = ", ".join(f"c{i} {SQL_TYPES.get(f.type, 'TEXT')}"
                            for i, f in enumerate(fields))
        marks = ", ".join("?" * len(fields))
        kinds = [f.type for f in fields]
        count = bad = 0
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(f"DROP TABLE IF EXISTS {name}")
            conn.execute(f"CREATE TABLE {name} ({columns})")
            with csv_path.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.reader(handle)
                next(reader, None)  # the header: columns follow the schema's order
                batch: list[list[Any]] = []
                for raw in reader:
                    values = []
                    for i, kind in enumerate(kinds):
                        value, unreadable = _cell(raw[i] if i < len(raw) else "", kind)
                        values.append(value)
                        bad += unreadable
                    batch.append(values)
                    if len(batch) >= BATCH:
                        conn.executemany(f"INSERT INTO {name} VALUES ({marks})", batch)
                        count += len(batch)
                        batch = []
                if batch:
                    conn.executemany(f"INSERT INTO {name} VALUES ({marks})", batch)
                    count += len(batch)
            for i in range(min(len(fields), MAX_INDEXED_COLUMNS)):
                conn.execute(f"CREATE INDEX {name}_c{i} ON {name} (c{i})")
            # Statistics let the planner pick the most selective index
            # (station 1/6 of the rows vs AQI ≥ 150: 1/40).
            conn.execute(f"ANALYZE {name}")
            conn.execute(
                "INSERT OR REPLACE INTO tables VALUES (?, ?, ?, ?, ?, ?, ?)",
                (dataset, resource, title, name,
                 json.dumps([{"name": f.name, "type": f.type, "title": f.title} for f in fields],
                            ensure_ascii=False), count, sha256))
            if old_table and old_table != name:
                conn.execute(f"DROP TABLE IF EXISTS {old_table}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return count, bad


def _site_tables(site_dir: Path) -> Iterator[tuple[str, str, str, Path, tuple[Field, ...], str]]:
    """(dataset, resource, title, csv file, fields, sha256) of every CSV
    resource with a schema in the site's data packages."""
    datasets = site_dir / "datasets"
    if not datasets.is_dir():
        return
    for package_file in sorted(datasets.glob("*/datapackage.json")):
        try:
            package = json.loads(package_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        dataset = str(package.get("name") or package_file.parent.name)
        for resource in package.get("resources") or []:
            schema = resource.get("schema") or {}
            path = str(resource.get("path") or "")
            fields = tuple(Field(str(f.get("name")), str(f.get("type") or "string"),
                                 str(f.get("title") or ""))
                           for f in schema.get("fields") or [] if f.get("name"))
            if not fields or not path.endswith(".csv") or "/" in path or ".." in path:
                continue
            csv_path = package_file.parent / path
            if not csv_path.is_file():
                continue
            sha256 = str(resource.get("hash") or "").removeprefix("sha256:") or hashlib.sha256(
                csv_path.read_bytes()).hexdigest()
            yield (dataset, str(resource.get("name") or Path(path).stem),
                   str(resource.get("title") or ""), csv_path, fields, sha256)
