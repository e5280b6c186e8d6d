"""Requests in the store, on SQLite and PostgreSQL: migrations, round trips,
optimistic concurrency, queues and the public register, personal data."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, select, text

from domain.procedures.request_codec import request_to_dict
from domain.procedures.requests import Actor, Request, Role, State
from search_api.store import (
    DuplicateRequest,
    HistoryRewritten,
    PersonalDataKeyError,
    RequestNotFound,
    StaleRequest,
    Store,
    new_key,
)
from search_api.store.migrate import alembic_config, current
from search_api.store.schema import has_nul, metadata, request_events, requests
from tests.store.store_helpers import (
    APPLICANT,
    AUTHORITY,
    BY_STATE,
    EMAIL,
    FULL_STEPS,
    ID_NUMBER,
    PHONE,
    REVIEWER,
    T0,
    Drawn,
    P,
    d,
    full,
    submitted,
    walk,
)
from tests.store.store_helpers import Clock as Tick

NUMBERS = itertools.count(1)

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations" / "versions"


# --- migrations -----------------------------------------------------------------------------


def test_migrate_twice_is_a_no_op_and_reaches_head(store: Store) -> None:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    # Revisions are numbered files 0001_…, 0002_…: the head is the highest number.
    newest = max(p.name[:4] for p in MIGRATIONS.glob("[0-9][0-9][0-9][0-9]_*.py"))
    assert current(store.engine) == head == newest
    with store.engine.connect() as conn:
        before = sorted(inspect(conn).get_table_names())
    store.migrate()
    store.migrate()
    with store.engine.connect() as conn:
        assert sorted(inspect(conn).get_table_names()) == before
        assert conn.execute(text("SELECT count(*) FROM audit_head")).scalar_one() == 1
    assert current(store.engine) == head


def test_migrated_schema_matches_the_metadata(store: Store) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True})
        assert compare_metadata(context, metadata) == []


def test_sqlite_is_in_wal_mode_with_full_sync(tmp_path: Path) -> None:
    with Store.open(f"sqlite:///{tmp_path / 'var' / 'portal.sqlite3'}") as store, \
            store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar_one() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == 30000


# --- round trips ------------------------------------------------------------------------------


def test_a_full_procedure_saved_step_by_step(store: Store, clock: Tick) -> None:
    req = submitted()
    store.add_request(req, access_code_hash="sha256-of-code", actor=APPLICANT, at=clock())
    loaded, version = store.load(req.number)
    assert (loaded, version) == (req, 1)
    for step in FULL_STEPS:
        req, _ = store.load(req.number)
        req = step(req)
        version = store.save(req, expected_version=version, actor=REVIEWER, at=clock())
        assert store.load(req.number) == (req, version)
    assert version == 1 + len(FULL_STEPS)
    assert req.state is State.DELIVERED
    assert store.events(req.number) == list(req.events)
    assert store.access_code_hash(req.number) == "sha256-of-code"
    actions = [r.action for r in store.audit_records(req.number)]
    assert actions == [f"request.{e.kind}" for e in req.events]
    assert store.verify_audit() == []


@pytest.mark.parametrize("state", list(State), ids=str)
def test_a_request_in_every_state_round_trips(store: Store, clock: Tick, state: State) -> None:
    req = BY_STATE[state]("YH-20260302-0007")
    store.add_request(req, access_code_hash="h", actor=APPLICANT, at=clock())
    assert store.load(req.number) == (req, 1)
    summary = store.list_requests()[0]
    assert summary.state is state
    assert summary.outcome == (req.decision.outcome if req.decision else None)


def test_save_with_several_new_events_at_once(store: Store, clock: Tick) -> None:
    req = submitted()
    store.add_request(req, access_code_hash="h", actor=APPLICANT, at=clock())
    later = full(steps=5)
    assert store.save(later, expected_version=1, actor=REVIEWER, at=clock()) == 2
    assert store.load(later.number) == (later, 2)
    with store.engine.connect() as conn:
        seqs = conn.execute(select(request_events.c.seq).where(
            request_events.c.request_number == later.number)).scalars().all()
    assert sorted(seqs) == list(range(1, len(later.events) + 1))


def test_unknown_and_duplicate_numbers(store: Store, clock: Tick) -> None:
    with pytest.raises(RequestNotFound):
        store.load("YH-nothing")
    with pytest.raises(RequestNotFound):
        store.save(submitted("YH-nothing"), expected_version=1, actor=APPLICANT, at=clock())
    assert store.access_code_hash("YH-nothing") is None
    store.add_request(submitted(), access_code_hash="h", actor=APPLICANT, at=clock())
    with pytest.raises(DuplicateRequest):
        store.add_request(submitted(), access_code_hash="h", actor=APPLICANT, at=clock())
    assert len(store.audit_records()) == 1  # the refused add left nothing


def test_naive_timestamps_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        store.add_request(submitted(), access_code_hash="h", actor=APPLICANT,
                          at=datetime(2026, 3, 2, 9))


# --- optimistic concurrency -------------------------------------------------------------------


def test_a_stale_save_is_refused(store: Store, clock: Tick) -> None:
    store.add_request(submitted(), access_code_hash="h", actor=APPLICANT, at=clock())
    first, v1 = store.load("YH-20260302-0001")
    second, v2 = store.load("YH-20260302-0001")
    assert store.save(P.forward(first, actor=AUTHORITY, on=d(3)), expected_version=v1,
                      actor=AUTHORITY, at=clock()) == 2
    with pytest.raises(StaleRequest) as info:
        store.save(P.reject(second, actor=AUTHORITY, on=d(3), reasons="材料不全"),
                   expected_version=v2, actor=AUTHORITY, at=clock())
    assert (info.value.expected, info.value.actual) == (1, 2)
    assert info.value.status == 409
    req, version = store.load("YH-20260302-0001")
    assert req.state is State.FORWARDED and version == 2
    assert len(store.audit_records()) == 2


@pytest.mark.parametrize("rewrite", ["event", "drop", "application", "personal", "received"])
def test_history_cannot_be_rewritten(store: Store, clock: Tick, rewrite: str) -> None:
    import dataclasses

    req = full(steps=3)
    store.add_request(req, access_code_hash="h", actor=APPLICANT, at=clock())
    later = FULL_STEPS[3](req)
    if rewrite == "event":
        changed = dataclasses.replace(later.events[1], actor="someone else")
        later = dataclasses.replace(later, events=(later.events[0], changed, *later.events[2:]))
    elif rewrite == "drop":
        later = dataclasses.replace(later, events=later.events[2:])
    elif rewrite == "application":
        later = dataclasses.replace(later, application=dataclasses.replace(
            later.application, purpose="别的用途"))
    elif rewrite == "personal":
        later = dataclasses.replace(later, application=dataclasses.replace(
            later.application, phone="13900000000"))
    else:
        later = dataclasses.replace(later, received=date(2026, 3, 1))
    with pytest.raises(HistoryRewritten):
        store.save(later, expected_version=1, actor=REVIEWER, at=clock())
    assert store.load(req.number) == (req, 1)


# --- queues and the public register ------------------------------------------------------------


def add_all(store: Store, clock: Tick) -> None:
    for i, build in enumerate(BY_STATE.values(), 1):
        req = build(f"YH-20260302-{i:04d}")
        store.add_request(req, access_code_hash="h", actor=APPLICANT, at=clock())
    other = submitted("YH-20260302-0099", department="市公安局", dataset_id="ga-cases")
    store.add_request(other, access_code_hash="h", actor=APPLICANT, at=clock())


def test_list_requests_filters_and_shows_no_personal_data(store: Store, clock: Tick) -> None:
    add_all(store, clock)
    everything = store.list_requests()
    assert len(everything) == len(State) + 1
    police = store.list_requests(department="市公安局")
    assert [s.number for s in police] == ["YH-20260302-0099"]
    waiting = store.list_requests(states={State.SUBMITTED, State.FORWARDED})
    assert {s.state for s in waiting} == {State.SUBMITTED, State.FORWARDED}
    assert len(store.list_requests(limit=3)) == 3
    for summary in everything:
        values = " ".join(str(v) for v in vars(summary).values())
        assert ID_NUMBER not in values and PHONE not in values and EMAIL not in values
        assert "王小明" not in values
        assert summary.identity_masked == "110105********002X"


def test_register_counts(store: Store, clock: Tick) -> None:
    add_all(store, clock)
    by_department = store.counts_by_department()
    transport = by_department["省交通运输厅"]
    assert transport.received == len(State)
    # submitted, forwarded, explanation requested/answered, consulting
    assert transport.pending == 5
    # rejected, not processed, approved, denied, delivered
    assert transport.answered == 5
    assert transport.answered_in_time == 5
    assert (transport.approved, transport.denied, transport.rejected,
            transport.not_processed, transport.withdrawn) == (2, 1, 1, 1, 1)
    assert by_department["市公安局"].received == 1
    assert store.counts_by_dataset()["ga-cases"].pending == 1
    assert store.counts_by_department(received_from=date(2026, 3, 3)) == {}
    assert store.counts_by_dataset(received_to=date(2026, 3, 2))["gz-bus-gps"].received == 11


# --- personal data ----------------------------------------------------------------------------


def raw_request_text(store: Store, number: str) -> str:
    with store.engine.connect() as conn:
        row = conn.execute(select(requests).where(requests.c.number == number)).one()
    return " ".join(str(v) for v in row)


def test_personal_data_is_kept_apart_from_the_snapshot(store: Store, clock: Tick) -> None:
    store.add_request(full(), access_code_hash="h", actor=APPLICANT, at=clock())
    with store.engine.connect() as conn:
        row = conn.execute(select(requests.c.snapshot, requests.c.personal)).one()
    snapshot = str(row.snapshot)
    assert ID_NUMBER not in snapshot and PHONE not in snapshot and EMAIL not in snapshot
    assert row.personal.startswith("plain:") and ID_NUMBER in row.personal


def test_personal_data_encrypted_at_rest(url: str, clock: Tick) -> None:
    key = new_key()
    with Store.open(url, personal_key=key) as store:
        store.migrate()
        req = full()
        store.add_request(req, access_code_hash="h", actor=APPLICANT, at=clock())
        raw = raw_request_text(store, req.number)
        assert ID_NUMBER not in raw and PHONE not in raw and EMAIL not in raw
        assert "aesgcm1:" in raw
        assert store.load(req.number) == (req, 1)
    with Store.open(url) as keyless, pytest.raises(PersonalDataKeyError, match="configure"):
        keyless.load(req.number)
    with Store.open(url, personal_key=new_key()) as other, \
            pytest.raises(PersonalDataKeyError, match="not the configured key"):
        other.load(req.number)


def test_encrypted_personal_data_does_not_move_between_requests(url: str, clock: Tick) -> None:
    with Store.open(url, personal_key=new_key()) as store:
        store.migrate()
        a, b = submitted("YH-20260302-0001"), submitted("YH-20260302-0002")
        for req in (a, b):
            store.add_request(req, access_code_hash="h", actor=APPLICANT, at=clock())
        with store.engine.begin() as conn:
            sealed = conn.execute(select(requests.c.personal).where(
                requests.c.number == a.number)).scalar_one()
            conn.execute(requests.update().where(requests.c.number == b.number)
                         .values(personal=sealed))
        with pytest.raises(PersonalDataKeyError, match="altered or belongs to another"):
            store.load(b.number)


def test_plain_personal_data_is_sealed_on_the_next_save(url: str, clock: Tick) -> None:
    with Store.open(url) as plain:
        plain.migrate()
        plain.add_request(submitted(), access_code_hash="h", actor=APPLICANT, at=clock())
    with Store.open(url, personal_key=new_key()) as store:
        req, version = store.load("YH-20260302-0001")
        store.save(P.forward(req, actor=AUTHORITY, on=d(3)), expected_version=version,
                   actor=AUTHORITY, at=clock())
        assert ID_NUMBER not in raw_request_text(store, req.number)
        assert store.load(req.number)[0].application.identity_number == ID_NUMBER


# --- random procedures, and what the databases cannot keep ----------------------------------------


@settings(max_examples=15, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_random_procedures_round_trip_through_the_store(store: Store, data: st.DataObject) -> None:
    import dataclasses

    history: list[Request] = []
    walk(Drawn(data.draw), history=history)
    number = f"YH-RANDOM-{next(NUMBERS):04d}"
    history = [dataclasses.replace(r, number=number) for r in history]
    # The first state the databases cannot keep (a NUL in a drawn text), if any.
    keep = next((i for i, r in enumerate(history) if has_nul(request_to_dict(r))), len(history))
    version = 0
    for i, req in enumerate(history):
        if i == keep:
            with pytest.raises(ValueError, match="NUL character"):
                if i == 0:
                    store.add_request(req, access_code_hash="h", actor=APPLICANT, at=T0)
                else:
                    store.save(req, expected_version=version, actor=REVIEWER, at=T0)
            break
        if i == 0:
            store.add_request(req, access_code_hash="h", actor=APPLICANT, at=T0)
            version = 1
        else:
            version = store.save(req, expected_version=version, actor=REVIEWER, at=T0)
    if keep == 0:
        return
    history = history[:keep]
    assert store.load(number) == (history[-1], len(history))
    assert store.events(number) == list(history[-1].events)


def test_what_postgresql_cannot_store_is_refused_on_both(store: Store, clock: Tick) -> None:
    with pytest.raises(ValueError, match=r"requests\.snapshot contains a NUL"):
        store.add_request(submitted(purpose="研究\x00"), access_code_hash="h", actor=APPLICANT,
                          at=clock())
    with pytest.raises(ValueError, match=r"requests\.dataset_id is 201 characters long"):
        store.add_request(submitted(dataset_id="x" * 201), access_code_hash="h",
                          actor=APPLICANT, at=clock())
    with pytest.raises(ValueError, match=r"audit_log\.actor is 300 characters long"):
        store.append_audit(actor=Actor(Role.SYSTEM, "y" * 300), action="a", subject="s",
                           detail={}, at=clock())
    assert store.list_requests() == [] and store.audit_records() == []
