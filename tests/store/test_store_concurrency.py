"""Concurrent writers: threads on both databases, processes on SQLite."""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import TypeVar

import pytest

from search_api.store import StaleRequest, Store
from tests.store.store_helpers import (
    APPLICANT,
    AUTHORITY,
    SYSTEM,
    P,
    d,
    receipt_worker,
    submitted,
    together,
)
from tests.store.store_helpers import Clock as Tick

T = TypeVar("T")
DAY = date(2026, 11, 23)


def test_receipt_numbers_are_unique_across_8_threads(url: str) -> None:
    stores = [Store.open(url) for _ in range(2)]  # two pools, as two workers would have
    try:
        stores[0].migrate()
        batches = together(8, lambda i: [stores[i % 2].next_receipt_number(DAY)
                                         for _ in range(50)])
    finally:
        for s in stores:
            s.close()
    numbers = [n for batch in batches for n in batch]
    assert len(set(numbers)) == 400
    assert sorted(numbers) == [f"YH-20261123-{i:04d}" for i in range(1, 401)]
    for batch in batches:  # each thread saw its numbers increase
        assert batch == sorted(batch)


@pytest.mark.heavy  # among the longest of test-fast: started first (tests/conftest.py)
def test_receipt_numbers_are_unique_across_4_processes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    with Store.open(url) as store:
        store.migrate()
        assert store.next_receipt_number(DAY, prefix="GZ") == "GZ-20261123-0001"
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Barrier(4), ctx.Queue()
    workers = [ctx.Process(target=receipt_worker, args=(url, 50, DAY.isoformat(), start, out))
               for _ in range(4)]
    for w in workers:
        w.start()
    batches = [out.get(timeout=120) for _ in workers]
    for w in workers:
        w.join(30)
        assert w.exitcode == 0
    numbers = [n for batch in batches for n in batch]
    assert sorted(numbers) == [f"YH-20261123-{i:04d}" for i in range(1, 201)]
    with Store.open(url) as store:
        assert store.next_receipt_number(DAY) == "YH-20261123-0201"
        assert store.next_receipt_number(date(2026, 11, 24)) == "YH-20261124-0001"


def test_receipt_numbers_per_day_and_prefix(store: Store) -> None:
    assert store.next_receipt_number(DAY) == "YH-20261123-0001"
    assert store.next_receipt_number(DAY, prefix="GZ") == "GZ-20261123-0001"
    assert store.next_receipt_number(DAY) == "YH-20261123-0002"
    assert store.next_receipt_number(date(2026, 11, 24)) == "YH-20261124-0001"


def test_concurrent_reviewers_one_wins(url: str) -> None:
    clock = Tick()
    with Store.open(url) as store:
        store.migrate()
        store.add_request(submitted(), access_code_hash="h", actor=APPLICANT, at=clock())
        loaded = store.load("YH-20260302-0001")
        lock = threading.Lock()

        def review(i: int) -> str:
            req, version = loaded
            changed = (P.forward(req, actor=AUTHORITY, on=d(3)) if i % 2
                       else P.reject(req, actor=AUTHORITY, on=d(3), reasons=f"理由 {i}"))
            with lock:
                at = clock()
            try:
                store.save(changed, expected_version=version, actor=AUTHORITY, at=at)
            except StaleRequest:
                return "stale"
            return "saved"

        outcomes = together(6, review)
        assert sorted(outcomes) == ["saved"] + ["stale"] * 5
        req, version = store.load("YH-20260302-0001")
        assert version == 2 and len(req.events) == 2
        assert len(store.events(req.number)) == 2
        assert store.verify_audit() == []


def test_concurrent_audit_appends_keep_one_chain(url: str) -> None:
    clock = Tick()
    lock = threading.Lock()
    with Store.open(url) as store:
        store.migrate()

        def append(i: int) -> list[int]:
            seqs = []
            for j in range(20):
                with lock:
                    at = clock()
                seqs.append(store.append_audit(actor=SYSTEM, action="test.append",
                                               subject=f"t{i}", detail={"j": j}, at=at))
            return seqs

        seqs = [s for batch in together(6, append) for s in batch]
        assert sorted(seqs) == list(range(1, 121))
        assert store.verify_audit() == []


def test_verify_during_appends_sees_one_consistent_chain(url: str) -> None:
    clock = Tick()
    lock = threading.Lock()
    stop = threading.Event()
    with Store.open(url) as store, Store.open(url) as writer_store:
        store.migrate()

        def write() -> int:
            n = 0
            while not stop.is_set():
                with lock:
                    at = clock()
                writer_store.append_audit(actor=SYSTEM, action="test.append", subject="w",
                                          detail={"n": n}, at=at)
                n += 1
            return n

        with ThreadPoolExecutor(2) as pool:
            writers = [pool.submit(write) for _ in range(2)]
            try:
                results = [store.verify_audit() for _ in range(15)]
            finally:
                stop.set()
            written = sum(w.result() for w in writers)
        assert written > 0
        assert results == [[]] * 15
        assert store.verify_audit() == []
