"""Running a sandbox query against a grant's own read-only SQLite file.

Each grant gets a file in SANDBOX_DIR holding only its approved tables and
columns, copied from the keyed row store (KEYED_ROWS_DB) under readable
names: the table ``enterprise-utilities`` is ``enterprise_utilities``, its
columns keep their schema names. The file's name is a digest of the grant's
dataset, fields and the tables' content hashes, so a change of either
builds a new file (atomically: written aside, then renamed). A query marks
its file as used (its mtime, at most hourly); when a new file is built, the
copies no query has used for :data:`UNUSED_DAYS` days are deleted — those of
revoked or expired grants and of tables since re-indexed — so conditional
data does not linger on disk (a grant still in use gets its copy back on its
next query).

A query runs on a ``mode=ro`` connection with the authorizer of
:mod:`search_api.sandbox.guard`, a progress handler that stops it after the
time limit, and a row limit. Where raw rows may not leave, groups smaller
than the minimum are dropped from the answer and counted.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from search_api.sandbox.guard import GROUP_SIZE, Authorizer, QueryRefused, check_query
from search_api.tables.store import RowStore, Table

UNUSED_DAYS = 1
_TOUCH_EVERY_S = 3600


@dataclass(frozen=True)
class Limits:
    rows: int
    timeout_ms: int
    min_group: int


@dataclass(frozen=True)
class Answer:
    columns: list[str]
    rows: list[list[Any]]
    suppressed: int  # groups left out for being smaller than the minimum


def sql_name(resource: str) -> str:
    """The table name a sandbox query uses for ``resource``."""
    return resource.replace("-", "_").replace(".", "_")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def approved_tables(store: RowStore, dataset: str,
                    fields: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[Table, list[str]]]:
    """Sandbox table name → (stored table, approved columns in schema order)."""
    out: dict[str, tuple[Table, list[str]]] = {}
    for table in store.tables_of(dataset):
        approved = [f.name for f in table.fields if f.name in fields.get(table.resource, ())]
        if approved:
            out[sql_name(table.resource)] = (table, approved)
    return out


def sandbox_file(folder: Path, store: RowStore, dataset: str,
                 tables: Mapping[str, tuple[Table, list[str]]]) -> Path:
    """The grant's read-only SQLite file, built when missing."""
    digest = hashlib.sha256(repr((dataset, sorted(
        (name, t.sha256, cols) for name, (t, cols) in tables.items()))).encode()).hexdigest()
    path = folder / f"{digest[:32]}.sqlite3"
    if path.is_file():
        _mark_used(path)
        return path
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{digest[:32]}.{secrets.token_hex(6)}.partial"
    partial.unlink(missing_ok=True)
    conn = sqlite3.connect(f"file:{partial}", uri=True, isolation_level=None)
    try:
        conn.execute("ATTACH DATABASE ? AS src", (f"file:{store.path}?mode=ro",))
        for name, (table, columns) in tables.items():
            index = {f.name: i for i, f in enumerate(table.fields)}
            select = ", ".join(f"c{index[c]} AS {_quote(c)}" for c in columns)
            conn.execute(f"CREATE TABLE {_quote(name)} AS SELECT {select} FROM src.{table.table}")
        conn.execute("DETACH DATABASE src")
    finally:
        conn.close()
    os.replace(partial, path)
    prune(folder, keep=path)
    return path


def _mark_used(path: Path) -> None:
    try:
        if time.time() - path.stat().st_mtime > _TOUCH_EVERY_S:
            os.utime(path)
    except OSError:
        pass  # deleted by a prune meanwhile: the next query builds it again


def prune(folder: Path, *, keep: Path, now: float | None = None) -> list[Path]:
    """Delete the sandbox copies (and stray partial files) unused for
    :data:`UNUSED_DAYS` days, except ``keep``; returns what was deleted.
    A query already running on a deleted copy finishes (its file stays open)."""
    cutoff = (time.time() if now is None else now) - UNUSED_DAYS * 86400
    deleted = []
    for candidate in [*folder.glob("*.sqlite3"), *folder.glob(".*.partial")]:
        try:
            if candidate != keep and candidate.stat().st_mtime < cutoff:
                candidate.unlink()
                deleted.append(candidate)
        except OSError:
            continue  # another worker got there first
    return deleted


def run(path: Path, sql: str, tables: Mapping[str, frozenset[str]], *, aggregate_only: bool,
        limits: Limits) -> Answer:
    """Run ``sql`` on the sandbox file ``path``.

    Raises:
        QueryRefused: the query is not allowed, too slow or too large.
    """
    statement = check_query(sql, tables, aggregate_only=aggregate_only)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    authorizer = Authorizer(tables)
    deadline = time.monotonic() + limits.timeout_ms / 1000
    conn.set_authorizer(authorizer)
    conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 2000)
    try:
        cursor = conn.execute(statement)
        columns = [d[0] for d in cursor.description or ()]
        found = cursor.fetchmany(limits.rows + 1)
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc):
            raise QueryRefused(f"查询超过 {limits.timeout_ms / 1000:g} 秒仍未完成，已停止。"
                               "请缩小查询范围或改为汇总查询。") from None
        raise QueryRefused(_message(str(exc), authorizer.denied)) from None
    except sqlite3.DatabaseError as exc:
        raise QueryRefused(_message(str(exc), authorizer.denied)) from None
    finally:
        conn.close()
    if len(found) > limits.rows:
        raise QueryRefused(f"查询结果超过 {limits.rows} 行的上限，请用 WHERE、LIMIT 或汇总查询"
                           "缩小结果。")
    rows = [list(r) for r in found]
    if not aggregate_only:
        return Answer(columns, rows, 0)
    at = columns.index(GROUP_SIZE)
    kept = [r[:at] + r[at + 1:] for r in rows if (r[at] or 0) >= limits.min_group]
    return Answer(columns[:at] + columns[at + 1:], kept, len(rows) - len(kept))


def _message(error: str, denied: str) -> str:
    if "not authorized" in error or "prohibited" in error:
        if denied.startswith("function "):
            return f"数据沙箱不支持函数 {denied.removeprefix('function ')[:40]}。"
        if "." in denied:
            table, column = denied.split(".", 1)
            return f"查询读取了未获准的数据项“{column[:60]}”（表 {table[:60]}）。"
        return "数据沙箱只允许只读查询获准的表和数据项。"
    if "no such column" in error:
        return f"没有这个数据项：{error.removeprefix('no such column:').strip()[:60]}。"
    if "no such table" in error:
        return "没有这个表，或该表未获准查询。"
    return "查询无法执行，请检查 SQL 语句（SQLite 方言）。"
