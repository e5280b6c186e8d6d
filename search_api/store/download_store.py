"""Download counters (issue #5; 000 §50, 004 §43): per day, dataset and file.

Two ways in, one table: the service counts the files it serves itself
(``portal serve``, or gunicorn with SITE_DIR), and ``portal downloads count``
reads a web server's access logs when nginx or another server publishes the
site. A log is counted from where the last run stopped, and the counts and
the new position are committed together: a run that dies half way, or two
runs at once, never count a line twice.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, cast

from sqlalchemy import Connection, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from search_api.store.download_log import parse_line
from search_api.store.schema import download_counts, download_sources
from search_api.store.store import Store

log = logging.getLogger(__name__)
Key = tuple[date, str, str]  # day, dataset id, file
CHUNK_LINES = 50_000  # lines per transaction when reading a log


class _Raced(Exception):
    """Another run advanced the same log first."""


@dataclass
class LogCount:
    """What one run over one log file did."""

    path: str
    lines: int = 0  # complete lines read this run
    downloads: int = 0  # of them, downloads counted
    resumed_at: int = 0  # byte offset the run started from
    skipped: str = ""  # why the file was not read, if it was not


@dataclass
class DownloadTotals:
    total: int = 0
    by_dataset: dict[str, int] = field(default_factory=dict)
    by_file: dict[tuple[str, str], int] = field(default_factory=dict)
    by_day: dict[date, int] = field(default_factory=dict)


class DownloadStore:
    def __init__(self, store: Store):
        self.store = store

    # -- writing ---------------------------------------------------------------------
    def count(self, counts: Mapping[Key, int]) -> None:
        """Add ``counts`` to the counters, in one transaction."""
        if counts:
            with self.store.engine.begin() as conn:
                self._add(conn, counts)

    def count_log(self, path: Path, *, at: datetime, prefix: str = "/") -> LogCount:
        """Count the downloads in an access log (plain or ``.gz``), from where
        the last run over the same log stopped.

        A log is recognised by its first line, so a rotated file
        (``access.log`` → ``access.log.1`` → ``access.log.2.gz``) resumes
        where the last run stopped instead of counting again. Only complete
        lines are read; a line still being written is left for the next run.
        """
        result = LogCount(str(path))
        with _open(path) as handle:
            first = handle.readline()
            if not first.endswith(b"\n"):
                result.skipped = "no complete line yet"
                return result
            source = hashlib.sha256(first).hexdigest()
            with self.store._read() as conn:
                row = conn.execute(select(download_sources).where(
                    download_sources.c.first_line_hash == source)).one_or_none()
            offset = int(row.offset) if row is not None else 0
            handle.seek(0)
            if offset:
                skipped = _skip(handle, offset)
                if skipped < offset:
                    # Shorter than what was counted: the same log cut back
                    # (copytruncate). Counting again from the start would
                    # count its first lines twice; record the shorter end as
                    # counted, then count what is added after it.
                    log.warning("access log %s is shorter than the %d bytes already counted; "
                                "counting only lines added from now on", path, offset)
                    try:
                        with self.store.engine.begin() as conn:
                            self._advance(conn, source, str(path), offset, skipped, 0, at,
                                          known=True)
                    except _Raced:
                        result.skipped = "another run is counting this log"
                        return result
                    offset = skipped
            result.resumed_at = offset
            known = row is not None
            for lines, counts, consumed in _chunks(handle, prefix):
                try:
                    with self.store.engine.begin() as conn:
                        self._advance(conn, source, str(path), offset, offset + consumed,
                                      lines, at, known=known)
                        self._add(conn, counts)
                except (_Raced, IntegrityError):
                    # IntegrityError: another run recorded this new log first.
                    result.skipped = "another run is counting this log"
                    return result
                offset += consumed
                known = True
                result.lines += lines
                result.downloads += sum(counts.values())
        return result

    def _advance(self, conn: Connection, source: str, path: str, old: int, new: int,
                 lines: int, at: datetime, *, known: bool) -> None:
        """Move the log's position from ``old`` to ``new``; raise _Raced if
        another run moved it meanwhile (the transaction then rolls back)."""
        if not known:
            conn.execute(download_sources.insert().values(
                first_line_hash=source, path=path[-1000:], offset=new, lines=lines,
                updated_at=at))
            return
        done = conn.execute(update(download_sources).where(
            download_sources.c.first_line_hash == source,
            download_sources.c.offset == old).values(
            path=path[-1000:], offset=new, lines=download_sources.c.lines + lines,
            updated_at=at))
        if done.rowcount != 1:
            raise _Raced()

    def _add(self, conn: Connection, counts: Mapping[Key, int]) -> None:
        rows = [{"day": day, "dataset_id": dataset_id[:200], "file": file[:200], "count": n}
                for (day, dataset_id, file), n in sorted(counts.items())]
        insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        stmt: Any = insert(download_counts)
        stmt = stmt.on_conflict_do_update(
            index_elements=["day", "dataset_id", "file"],
            set_={"count": download_counts.c.count + stmt.excluded.count})
        conn.execute(stmt, rows)

    # -- reading ---------------------------------------------------------------------
    def totals(self, *, start: date | None = None, end: date | None = None,
               dataset_id: str | None = None, top: int | None = None) -> DownloadTotals:
        """Downloads between ``start`` and ``end`` (both included, either
        open), optionally of one dataset. The sums are made by the database;
        with ``top``, ``by_dataset`` and ``by_file`` hold only the ``top``
        most downloaded datasets (``total`` and ``by_day`` count all)."""
        c = download_counts.c
        where = [cond for cond in (
            c.day >= start if start is not None else None,
            c.day <= end if end is not None else None,
            c.dataset_id == dataset_id if dataset_id is not None else None) if cond is not None]
        n = func.sum(c.count)
        totals = DownloadTotals()
        with self.store._read(snapshot=True) as conn:
            for day, count in conn.execute(select(c.day, n).where(*where).group_by(c.day)):
                totals.by_day[day] = int(count)
            ranked = select(c.dataset_id, n.label("n")).where(*where).group_by(c.dataset_id) \
                .order_by(n.desc(), c.dataset_id)
            if top is not None:
                ranked = ranked.limit(top)
            totals.by_dataset = {ident: int(count) for ident, count in conn.execute(ranked)}
            if totals.by_dataset:
                files = select(c.dataset_id, c.file, n).where(
                    *where, c.dataset_id.in_(list(totals.by_dataset))).group_by(
                    c.dataset_id, c.file)
                totals.by_file = {(ident, file): int(count)
                                  for ident, file, count in conn.execute(files)}
        totals.total = sum(totals.by_day.values())
        return totals


class DownloadBuffer:
    """Counts of downloads served by this process, written to the database
    every ``interval`` seconds by a background thread (and by ``flush``)
    instead of one write transaction per download: a file download never
    waits for the database's write lock. A process killed between two
    flushes loses at most those seconds of counts (statistics, not records)."""

    def __init__(self, downloads: DownloadStore, interval: float = 5.0):
        self.downloads, self.interval = downloads, interval
        self._counts: Counter[Key] = Counter()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()  # set by close: the writer thread ends

    def add(self, key: Key) -> None:
        with self._lock:
            self._counts[key] += 1
            if self._thread is None or not self._thread.is_alive():
                # Started lazily: a gunicorn worker forks after the app is made.
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                name="download-counts")
                self._thread.start()

    def flush(self) -> None:
        """Write what is counted so far (never raises: logs instead)."""
        with self._lock:
            counts, self._counts = self._counts, Counter()
        if not counts:
            return
        try:
            self.downloads.count(counts)
        except Exception:
            log.exception("%d download count(s) not written; kept for the next flush",
                          sum(counts.values()))
            with self._lock:
                self._counts.update(counts)

    def close(self) -> None:
        """Stop the background writer and write what is counted (never
        raises: logs instead). A later ``add`` starts the writer again.

        Why: an app closed while its writer sleeps (a test's, whose database
        is then removed) otherwise kept retrying a database that is gone."""
        self._stop.set()
        with self._lock:
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        self.flush()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.flush()


def _open(path: Path) -> IO[bytes]:
    if path.suffix == ".gz":
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def _skip(handle: IO[bytes], offset: int) -> int:
    """Move ``offset`` bytes forward (gzip streams cannot seek past their end
    safely, so read); return how far it got."""
    moved = 0
    while moved < offset:
        block = handle.read(min(1 << 20, offset - moved))
        if not block:
            break
        moved += len(block)
    return moved


def _chunks(handle: IO[bytes], prefix: str) -> Iterator[tuple[int, Counter[Key], int]]:
    """(complete lines, download counts, bytes consumed) per chunk of lines."""
    counts: Counter[Key] = Counter()
    lines = consumed = 0
    for raw in handle:
        if not raw.endswith(b"\n"):
            break  # being written: next run
        lines += 1
        consumed += len(raw)
        hit = parse_line(raw.decode("utf-8", "replace"), prefix=prefix)
        if hit is not None:
            counts[(hit.day, hit.dataset_id, hit.file)] += 1
        if lines == CHUNK_LINES:
            yield lines, counts, consumed
            counts, lines, consumed = Counter(), 0, 0
    if lines:
        yield lines, counts, consumed
