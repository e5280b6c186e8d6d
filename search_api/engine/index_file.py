"""The search index's SQLite file: one connection per thread (and per
process: a connection is never used across fork), WAL so that readers never
wait for the indexer, and the schema created (or rebuilt empty when its
version is not ours) on opening."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import uuid
from pathlib import Path

from search_api.engine import bitmaps, indexer
from search_api.engine.base import EngineUnavailable

log = logging.getLogger("search_api.engine.embedded")

MMAP_SIZE = 0x7FFF0000  # bytes of the index file read through a memory map


class IndexFile:
    """Connections to the index at ``path`` (created when missing).

    Raises EngineUnavailable when the database cannot be opened or created.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._closed = False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._init_schema()
        except (OSError, sqlite3.Error) as exc:
            raise EngineUnavailable(f"cannot open search index {self.path}: {exc}") from exc

    def _conn(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use, again after a fork).
        Raises EngineUnavailable once the engine is closed."""
        if self._closed:
            raise EngineUnavailable("the search engine has been closed")
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None,
                                   check_same_thread=False)
            # The whole file mapped (SQLite's default ceiling, 2 GB; the index
            # of 100,000 datasets is about 390 MB): pages are read from the
            # operating system's cache, shared by every connection and worker,
            # instead of copied into each connection's own page cache.
            for pragma in ("busy_timeout = 30000", "synchronous = NORMAL",
                           "cache_size = -65536", f"mmap_size = {MMAP_SIZE}",
                           "temp_store = MEMORY"):
                conn.execute("PRAGMA " + pragma)
            self._local.conn = conn
            self._local.pid = os.getpid()
            with self._lock:
                self._connections.append(conn)
        return conn

    def _init_schema(self) -> None:
        conn = self._conn()
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("BEGIN IMMEDIATE")
        try:
            have = {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table')")}
            version = None
            if "meta" in have:
                row = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
                version = row[0] if row else None
            if version == indexer.SCHEMA_VERSION and "title_key" not in have:
                bitmaps.add_title_key(conn)  # an index of an earlier release
            elif version != indexer.SCHEMA_VERSION:
                if have & set(indexer.TABLES):
                    log.warning("search index %s has schema %s, not %s: rebuilding it empty",
                                self.path, version, indexer.SCHEMA_VERSION)
                for table in indexer.TABLES:
                    conn.execute(f"DROP TABLE IF EXISTS {table}")
                for statement in indexer.SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute("INSERT INTO meta VALUES ('schema', ?), ('generation', ?)",
                             (indexer.SCHEMA_VERSION, uuid.uuid4().hex))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Close every connection this engine opened (in any thread)."""
        self._closed = True
        with self._lock:
            for conn in self._connections:
                try:
                    conn.close()
                except sqlite3.Error:  # pragma: no cover
                    pass
            self._connections.clear()
