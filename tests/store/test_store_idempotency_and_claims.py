"""Idempotency keys stored with the request they filed, and outbox claims
that keep two concurrent senders from sending one message twice — on
SQLite and PostgreSQL (issue #6)."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import select

from search_api.store import OutboxMessage, RequestNotFound, Store, new_key
from search_api.store.idempotency import (
    TTL,
    IdempotencyKey,
    IdempotencyKeyTaken,
    body_hash,
    key_hash,
)
from search_api.store.schema import idempotency_keys, outbox
from tests.store.conftest import FAST_HASHER
from tests.store.store_helpers import APPLICANT, T0, submitted, together

T = TypeVar("T")
ANSWER = {"ok": True, "number": "YH-20260302-0001", "access_code": "s3cret-access-code"}


def key(name: str = "retry-1", body: Any = None) -> IdempotencyKey:
    return IdempotencyKey(key_hash(name), body_hash(body or {"purpose": "研究"}), ANSWER)


def test_body_hash_ignores_layout_not_content() -> None:
    assert body_hash({"a": 1, "b": "研究"}) == body_hash({"b": "研究", "a": 1})
    assert body_hash({"a": 1}) != body_hash({"a": 2})
    assert key_hash("k") != key_hash("k", scope="POST /api/v1/other")


def test_a_key_replays_the_first_answer_for_24_hours(store: Store) -> None:
    store.add_request(submitted(), access_code_hash="h", actor=APPLICANT, at=T0,
                      idempotency_key=key())
    replay = store.idempotent_replay(key_hash("retry-1"), T0 + TTL - timedelta(seconds=1))
    assert replay is not None and replay.response == ANSWER
    assert replay.request_number == "YH-20260302-0001"
    assert replay.body_hash == body_hash({"purpose": "研究"})
    assert store.idempotent_replay(key_hash("retry-1"), T0 + TTL) is None  # expired
    assert store.idempotent_replay(key_hash("other"), T0) is None
    # Once expired, the key may file again (the old row is deleted then).
    store.add_request(submitted("YH-20260302-0002"), access_code_hash="h", actor=APPLICANT,
                      at=T0 + TTL, idempotency_key=key())
    again = store.idempotent_replay(key_hash("retry-1"), T0 + TTL)
    assert again is not None and again.request_number == "YH-20260302-0002"


def test_a_live_key_files_once(store: Store) -> None:
    store.add_request(submitted(), access_code_hash="h", actor=APPLICANT, at=T0,
                      idempotency_key=key())
    with pytest.raises(IdempotencyKeyTaken):
        store.add_request(submitted("YH-20260302-0002"), access_code_hash="h", actor=APPLICANT,
                          at=T0, idempotency_key=key())
    with pytest.raises(RequestNotFound):  # the second filing rolled back entirely
        store.load("YH-20260302-0002")


def test_concurrent_filings_under_one_key_store_one_request(store: Store, url: str) -> None:
    other = Store.open(url, password_hasher=FAST_HASHER)
    stores = [store, other]

    def file(i: int) -> str:
        number = f"YH-20260302-{i + 1:04d}"
        try:
            stores[i % 2].add_request(submitted(number), access_code_hash="h", actor=APPLICANT,
                                      at=T0, idempotency_key=key())
        except IdempotencyKeyTaken:
            return "taken"
        return number

    try:
        outcomes = together(6, file)
    finally:
        other.close()
    filed = [o for o in outcomes if o != "taken"]
    assert len(filed) == 1, outcomes
    replay = store.idempotent_replay(key_hash("retry-1"), T0)
    assert replay is not None and replay.request_number == filed[0]


def test_the_stored_answer_is_sealed_with_the_personal_data_key(url: str) -> None:
    with Store.open(url, personal_key=new_key(), password_hasher=FAST_HASHER) as sealed:
        sealed.migrate()
        sealed.add_request(submitted(), access_code_hash="h", actor=APPLICANT, at=T0,
                           idempotency_key=key())
        with sealed.engine.connect() as conn:
            stored = conn.execute(select(idempotency_keys.c.response)).scalar_one()
        assert stored.startswith("aesgcm1:") and "s3cret-access-code" not in stored
        replay = sealed.idempotent_replay(key_hash("retry-1"), T0)
        assert replay is not None and replay.response["access_code"] == "s3cret-access-code"


# --- outbox claims ---------------------------------------------------------------------


def queue(store: Store, n: int) -> list[int]:
    for i in range(n):
        store.add_message(OutboxMessage(kind="test", recipient_role="authority_reviewer",
                                        recipient=f"reviewer{i}@example.gov.cn",
                                        subject=f"message {i}", body="正文"), at=T0)
    return [m.id for m in store.pending_messages(limit=1000) if m.id is not None]


def test_claims_are_exclusive_until_they_run_out(store: Store) -> None:
    ids = queue(store, 3)
    first = store.claim_messages("a", T0, limit=2)
    assert [m.id for m in first] == ids[:2]
    assert [m.id for m in store.claim_messages("b", T0, limit=10)] == ids[2:]
    assert store.claim_messages("c", T0 + timedelta(minutes=9)) == []
    store.mark_sent(ids[0], T0)
    store.mark_failed(ids[1], "451 try later", T0)
    # The failed one stays claimed until the lease ends (no retry in the same run).
    assert store.claim_messages("c", T0 + timedelta(minutes=9)) == []
    later = store.claim_messages("c", T0 + timedelta(minutes=11))
    assert [m.id for m in later] == ids[1:]  # sent ones are never claimed again
    with store.engine.connect() as conn:
        rows = dict(conn.execute(select(outbox.c.id, outbox.c.claimed_by)).all())
    assert rows == {ids[0]: "a", ids[1]: "c", ids[2]: "c"}


def test_two_senders_claiming_at_once_never_share_a_message(store: Store, url: str) -> None:
    ids = queue(store, 60)
    other = Store.open(url, password_hasher=FAST_HASHER)
    stores = [store, other]

    def drain(i: int) -> list[int]:
        mine: list[int] = []
        while batch := stores[i % 2].claim_messages(f"sender-{i}", T0, limit=3):
            mine += [m.id for m in batch if m.id is not None]
            time.sleep(0.005)  # sending takes time: the others claim meanwhile
        return mine

    try:
        claimed = together(4, drain)
    finally:
        other.close()
    every = [i for batch in claimed for i in batch]
    assert sorted(every) == sorted(ids)  # each claimed exactly once
    assert sum(1 for batch in claimed if batch) >= 2, [len(b) for b in claimed]


def test_a_claim_names_its_sender(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="names its sender"):
        store.claim_messages(" ", T0)
