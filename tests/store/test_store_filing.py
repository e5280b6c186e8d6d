"""A filing with one fsync (issue #17): request, events, audit records,
outbox and idempotency key commit together, once, with the receipt number
in the same transaction (the group commit's, see tests/store/test_group_commit.py);
a filing that fails leaves nothing, not even a gap in the numbers — on SQLite
and PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, select

from search_api.store import DuplicateRequest, Filing, Store
from search_api.store.idempotency import IdempotencyKey, IdempotencyKeyTaken, key_hash
from search_api.store.rate_store import StoreCounters
from search_api.store.receipts import Wanted
from search_api.store.schema import idempotency_keys, outbox, receipt_counters, request_events
from search_api.web.ratelimit import RateLimiter
from tests.store.store_helpers import APPLICANT, T0, P, application, d, together

DAY = date(2026, 3, 2)


def builder(key: IdempotencyKey | None = None, fail: bool = False) -> Any:
    def build(number: str) -> Filing:
        if fail:
            raise RuntimeError("the answer could not be made")
        req = P.submit(application(), number=number, on=d(2), actor=APPLICANT)
        return Filing(req, "code-hash", key)
    return build


def count_commits(store: Store) -> list[int]:
    commits = [0]
    event.listen(store.engine, "commit", lambda conn: commits.__setitem__(0, commits[0] + 1))
    return commits


def test_a_filing_is_one_commit_with_all_its_rows(store: Store) -> None:
    commits = count_commits(store)
    key = IdempotencyKey(key_hash("k-1"), "body", {"ok": True})
    filed = store.file_request(DAY, builder(key), actor=APPLICANT, at=T0)
    assert commits == [1]  # PostgreSQL's number: on the engine that does not wait for the disk
    assert filed.number == "YH-20260302-0001"
    loaded, version = store.load(filed.number)
    assert loaded == filed and version == 1
    assert store.access_code_hash(filed.number) == "code-hash"
    with store.engine.connect() as conn:
        assert conn.execute(select(idempotency_keys.c.request_number)).scalars().all() \
            == [filed.number]
        assert len(conn.execute(select(request_events)).all()) == len(filed.events)
        assert conn.execute(select(outbox.c.request_number)).scalars().all()  # the notices
    assert [r.subject for r in store.audit_records()] == [filed.number] * len(filed.events)
    assert store.verify_audit() == []
    commits[0] = 0  # the reads above committed too
    assert store.file_request(DAY, builder(), actor=APPLICANT, at=T0).number \
        == "YH-20260302-0002"
    assert commits == [1]


def test_a_failed_filing_stores_nothing_and_uses_no_number(store: Store) -> None:
    with pytest.raises(RuntimeError):
        store.file_request(DAY, builder(fail=True), actor=APPLICANT, at=T0)
    key = IdempotencyKey(key_hash("k-2"), "body", {"ok": True})
    first = store.file_request(DAY, builder(key), actor=APPLICANT, at=T0)
    with pytest.raises(IdempotencyKeyTaken):  # a concurrent retry's key: all rolled back
        store.file_request(DAY, builder(key), actor=APPLICANT, at=T0)
    last = store.file_request(DAY, builder(), actor=APPLICANT, at=T0)
    # The number is rolled back with the filing (its savepoint): no gaps.
    assert first.number == "YH-20260302-0001"
    assert last.number == "YH-20260302-0002"
    assert [s.number for s in store.list_requests()] == [first.number, last.number]
    assert len(store.audit_records()) == 2 * len(first.events)
    assert store.verify_audit() == []
    with store.engine.connect() as conn:
        assert conn.execute(select(receipt_counters.c.last)).scalar_one() == 2


def test_a_number_taken_outside_the_counter_is_refused(store: Store) -> None:
    stray = P.submit(application(), number="YH-20260302-0001", on=d(2), actor=APPLICANT)
    store.add_request(stray, access_code_hash="h", actor=APPLICANT, at=T0)
    with pytest.raises(DuplicateRequest):
        store.file_request(DAY, builder(), actor=APPLICANT, at=T0)
    assert len(store.list_requests()) == 1
    assert store.verify_audit() == []


def test_concurrent_filings_get_distinct_numbers_and_one_chain(url: str) -> None:
    stores = [Store.open(url) for _ in range(2)]  # two pools, as two workers would have
    try:
        stores[0].migrate()
        batches = together(6, lambda i: [
            stores[i % 2].file_request(DAY, builder(), actor=APPLICANT, at=T0).number
            for _ in range(15)])
        numbers = sorted(n for batch in batches for n in batch)
        assert numbers == [f"YH-20260302-{i:04d}" for i in range(1, 91)]
        assert len(stores[0].list_requests()) == 90
        assert stores[1].verify_audit() == []
    finally:
        for s in stores:
            s.close()


def test_rate_counts_written_without_fsync_are_seen_by_every_pool(url: str) -> None:
    stores = [Store.open(url) for _ in range(2)]
    try:
        stores[0].migrate()
        limiters = [RateLimiter(StoreCounters(s), "public_write", 3, 3600, clock=lambda: 1e9)
                    for s in stores]
        assert [limiters[i % 2].allow("client") for i in range(5)] \
            == [True, True, True, False, False]
        assert limiters[1].blocked("client") and not limiters[0].blocked("other")
    finally:
        for s in stores:
            s.close()


class Full(Exception):
    pass


def test_a_count_in_the_filing_transaction_refuses_or_goes_with_it(store: Store) -> None:
    """``count`` (a rate-limit hit) runs where the number is taken: what it
    raises refuses the filing (nothing stored, no number used); a filing
    that fails after it undoes its count and its number (both databases)."""
    counters = StoreCounters(store)

    def count(limit: int) -> Any:
        def hit(conn: Any, wanted: Wanted) -> str:
            taken = counters.hit_and_number_in(conn, "public_write", "client", 1e9, 3600,
                                               limit, wanted)
            if taken is None:
                raise Full
            return taken
        return hit

    with pytest.raises(Full):
        store.file_request(DAY, builder(), actor=APPLICANT, at=T0, count=count(0))
    assert counters.count("public_write", "client", 1e9, 3600) == 0
    with pytest.raises(RuntimeError):
        store.file_request(DAY, builder(fail=True), actor=APPLICANT, at=T0, count=count(5))
    assert counters.count("public_write", "client", 1e9, 3600) == 0
    filed = store.file_request(DAY, builder(), actor=APPLICANT, at=T0, count=count(5))
    assert filed.number == "YH-20260302-0001"  # no gap: the failure's number was undone
    assert counters.count("public_write", "client", 1e9, 3600) == 1
    assert [s.number for s in store.list_requests()] == [filed.number]
    assert store.verify_audit() == []


class Titles:
    """Names that count their dataset lookups."""

    def __init__(self) -> None:
        self.looked_up: list[str] = []

    def dataset(self, identifier: str) -> str:
        self.looked_up.append(identifier)
        return "索引里的标题"

    def department(self, code: str) -> str:
        return "人社局"

    def link(self, path: str) -> str:
        return "https://data.example.gov.cn" + path


def test_a_title_known_to_the_caller_names_the_dataset_without_a_lookup(store: Store) -> None:
    titles = Titles()
    store.names = titles

    def build(title: str | None) -> Any:
        def made(number: str) -> Filing:
            req = P.submit(application(), number=number, on=d(2), actor=APPLICANT)
            return Filing(req, "code-hash", dataset_title=title)
        return made

    looked_up = store.file_request(DAY, build(None), actor=APPLICANT, at=T0)
    assert titles.looked_up == [looked_up.dataset_id]
    known = store.file_request(DAY, build("调用方的标题"), actor=APPLICANT, at=T0)
    assert titles.looked_up == [looked_up.dataset_id]  # no second lookup
    bodies = {m.request_number: [x.body for x in store.pending_messages()
                                 if x.request_number == m.request_number]
              for m in store.pending_messages()}
    assert bodies[known.number] == [b.replace(looked_up.number, known.number)
                                    .replace("索引里的标题", "调用方的标题")
                                    for b in bodies[looked_up.number]]
    assert bodies[known.number] and all("调用方的标题" in b and "人社局" in b
                                       for b in bodies[known.number])
