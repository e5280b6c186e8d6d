"""Download counters and access-log counting on both databases (issue #5;
000 §50): counts add up, a log resumes where the last run stopped (also
after rotation and compression), a line being written waits, and two runs
at once never count a line twice."""

from __future__ import annotations

import gzip
import shutil
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from search_api.store import Store
from search_api.store.download_store import DownloadBuffer, DownloadStore

AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def hit(path: str, day: int = 23, status: int = 200) -> str:
    return (f'203.0.113.9 - - [{day:02d}/Nov/2026:10:15:32 +0800] "GET {path} HTTP/1.1" '
            f'{status} 512 "-" "Mozilla/5.0"\n')


def test_counts_add_up_per_day_dataset_and_file(store: Store) -> None:
    downloads = DownloadStore(store)
    d1, d2 = date(2026, 11, 22), date(2026, 11, 23)
    downloads.count({(d1, "a-1", "x.csv"): 2, (d2, "a-1", "x.csv"): 1, (d2, "b-2", "y.json"): 4})
    downloads.count({(d2, "a-1", "x.csv"): 3})
    totals = downloads.totals()
    assert totals.total == 10
    assert totals.by_dataset == {"a-1": 6, "b-2": 4}
    assert totals.by_file == {("a-1", "x.csv"): 6, ("b-2", "y.json"): 4}
    assert totals.by_day == {d1: 2, d2: 8}
    assert downloads.totals(start=d2).by_dataset == {"a-1": 4, "b-2": 4}
    assert downloads.totals(end=d1, dataset_id="a-1").total == 2


def test_log_resumes_rotates_and_waits_for_partial_lines(store: Store, tmp_path: Path) -> None:
    downloads = DownloadStore(store)
    log = tmp_path / "access.log"
    log.write_text(hit("/datasets/a-1/x.csv") + hit("/datasets/a-1/") +
                   hit("/datasets/a-1/x.csv", status=304), encoding="utf-8")
    first = downloads.count_log(log, at=AT)
    assert (first.lines, first.downloads) == (3, 1)
    assert downloads.count_log(log, at=AT).lines == 0  # nothing new: nothing counted
    with log.open("a", encoding="utf-8") as handle:
        handle.write(hit("/datasets/b-2/y.json", day=24))
        handle.write(hit("/datasets/b-2/y.json")[:40])  # being written
    second = downloads.count_log(log, at=AT)
    assert (second.lines, second.downloads) == (1, 1)
    with log.open("a", encoding="utf-8") as handle:
        handle.write(hit("/datasets/b-2/y.json")[40:])  # the line completes
    assert downloads.count_log(log, at=AT).downloads == 1
    # logrotate: access.log → access.log.1.gz; the new access.log starts empty.
    rotated = tmp_path / "access.log.1.gz"
    with log.open("rb") as src, gzip.open(rotated, "wb") as dst:
        shutil.copyfileobj(src, dst)
    log.write_text(hit("/datasets/a-1/x.csv", day=25), encoding="utf-8")
    assert downloads.count_log(rotated, at=AT).lines == 0  # known: already counted
    assert downloads.count_log(log, at=AT).downloads == 1
    totals = downloads.totals()
    assert totals.by_file == {("a-1", "x.csv"): 2, ("b-2", "y.json"): 2}
    assert totals.by_day == {date(2026, 11, 23): 2, date(2026, 11, 24): 1,
                             date(2026, 11, 25): 1}


def test_an_empty_log_or_one_without_a_complete_line_is_left(store: Store,
                                                              tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text("", encoding="utf-8")
    assert DownloadStore(store).count_log(log, at=AT).skipped
    log.write_text(hit("/datasets/a-1/x.csv")[:30], encoding="utf-8")
    assert DownloadStore(store).count_log(log, at=AT).skipped
    assert DownloadStore(store).totals().total == 0


def test_two_runs_at_once_never_count_a_line_twice(store: Store, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import search_api.store.download_store as module

    log = tmp_path / "access.log"
    lines = 3_000
    log.write_text("".join(hit(f"/datasets/a-{i % 7}/x.csv") for i in range(lines)),
                   encoding="utf-8")
    # Small chunks: many transactions, so that the two runs interleave.
    monkeypatch.setattr(module, "CHUNK_LINES", 100)
    results = []

    def run() -> None:
        results.append(DownloadStore(store).count_log(log, at=AT))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Whatever the interleaving, a later run finishes the rest.
    DownloadStore(store).count_log(log, at=AT)
    assert DownloadStore(store).totals().total == lines


def test_a_log_cut_back_counts_every_line_added_after(store: Store, tmp_path: Path) -> None:
    # copytruncate keeps the first line but cuts the file: lines added after
    # the cut must all count, none of the old ones again.
    downloads = DownloadStore(store)
    log = tmp_path / "access.log"
    first = hit("/datasets/a-1/x.csv")
    log.write_text(first + hit("/datasets/a-1/x.csv") * 3, encoding="utf-8")
    assert downloads.count_log(log, at=AT).downloads == 4
    log.write_text(first, encoding="utf-8")  # cut back to its first line
    assert downloads.count_log(log, at=AT).downloads == 0
    with log.open("a", encoding="utf-8") as handle:
        handle.write(hit("/datasets/b-2/y.json") * 5)
    assert downloads.count_log(log, at=AT).downloads == 5
    assert downloads.totals().by_dataset == {"a-1": 4, "b-2": 5}


def test_top_keeps_the_most_downloaded_and_counts_all(store: Store) -> None:
    downloads = DownloadStore(store)
    day = date(2026, 11, 23)
    downloads.count({(day, f"d-{i}", "x.csv"): i for i in range(1, 6)})
    totals = downloads.totals(top=2)
    assert list(totals.by_dataset.items()) == [("d-5", 5), ("d-4", 4)]
    assert set(totals.by_file) == {("d-5", "x.csv"), ("d-4", "x.csv")}
    assert totals.total == 15 and totals.by_day == {day: 15}


def test_reads_do_not_wait_for_a_writer(store: Store, url: str) -> None:
    # SQLite: a write transaction holds the lock; the statistics and the
    # public report answers are reads and must not queue behind it.
    if not url.startswith("sqlite"):
        pytest.skip("the write lock is SQLite's")
    import sqlite3

    from search_api.store.report_store import ReportStore

    writer = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=1)
    writer.isolation_level = None
    writer.execute("BEGIN IMMEDIATE")
    done: list[str] = []

    def read() -> None:
        DownloadStore(store).totals()
        ReportStore(store).public_answers("a-1")
        ReportStore(store).unanswered()
        done.append("read")

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=10)  # a read that waited for the lock would take 30 s
    writer.execute("ROLLBACK")
    writer.close()
    assert done == ["read"]


def test_a_closed_buffer_writes_its_counts_and_stops_its_writer(store: Store) -> None:
    downloads = DownloadStore(store)
    buffer = DownloadBuffer(downloads, interval=3600)  # the writer would sleep an hour
    key = (date(2026, 11, 23), "a-1", "x.csv")
    buffer.add(key)
    buffer.add(key)
    writer = buffer._thread
    assert writer is not None and writer.is_alive()
    buffer.close()
    assert not writer.is_alive()
    assert downloads.totals().total == 2
    buffer.add(key)  # counting again starts a new writer
    assert buffer._thread is not writer and buffer._thread is not None
    buffer.close()
    assert downloads.totals().total == 3
