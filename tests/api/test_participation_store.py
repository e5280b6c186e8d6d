"""The participation store under concurrency, on SQLite and PostgreSQL
(issue #5): reads never wait for a writer, the public statistics are one
snapshot, usage reports are filtered and limited in SQL, approvals are
audited with the public title."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, event, text

from domain.procedures.participation import Kind, Participation, Status
from search_api.store import RequestNotFound, Store
from search_api.store.participation_store import ParticipationStore
from tests.api.test_participation_flow import file_form, moderate, post_json
from tests.api.test_review_flow import app, clock, sign_in  # noqa: F401


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements ``engine`` sends while the block runs."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@contextmanager
def writer_holding_the_lock(store: Store) -> Iterator[None]:
    """Another transaction holding the write lock: SQLite's (BEGIN
    IMMEDIATE), or PostgreSQL locks that let only plain reads through."""
    conn = store.engine.connect()
    conn.begin()  # SQLite: BEGIN IMMEDIATE (search_api.store.engine)
    try:
        if store.backend == "postgresql":
            conn.execute(text("LOCK TABLE participation, participation_datasets, requests, "
                              "request_events, use_report_reviews IN EXCLUSIVE MODE"))
        yield
    finally:
        conn.rollback()
        conn.close()


@pytest.mark.both_dbs  # store paths no store test reaches on PostgreSQL
def test_reads_do_not_wait_for_a_writer(app: Flask, clock: Any) -> None:  # noqa: F811
    number = post_json(app, "/api/v1/demands", {"title": "公交线路", "text": "线路走向",
                                                "department": "jtj"}).get_json()["number"]
    store: Store = app.extensions["portal_store"]
    items: ParticipationStore = app.extensions["portal_participation_store"]

    def missing_report() -> None:
        try:
            items.load_use_report("YH-20260921-0001.1")
        except RequestNotFound:
            pass

    reads: list[tuple[str, Callable[[], object]]] = [
        ("load", lambda: items.load(number)), ("for_review", lambda: items.for_review(None)),
        ("public", lambda: items.public(Kind.DEMAND)), ("open_items", lambda: items.open_items()),
        ("reuses_of", lambda: items.reuses_of("jtj-0001")), ("counts", lambda: items.counts()),
        ("statistics", lambda: items.statistics()), ("use_reports", lambda: items.use_reports()),
        ("use_reports_for_review", lambda: items.use_reports_for_review(None)),
        ("load_use_report", missing_report)]
    done: list[str] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            for name, read in reads:
                read()
                done.append(name)
        except BaseException as exc:  # reported by the assertion below
            failed.append(exc)

    with writer_holding_the_lock(store):
        reader = threading.Thread(target=run, daemon=True)
        reader.start()
        reader.join(timeout=10)
        waiting, finished = reader.is_alive(), list(done)
    reader.join(timeout=60)  # the lock is gone: a blocked reader ends now
    assert not waiting, f"a read waited for the writer; done before it: {finished}"
    assert failed == [] and done == [name for name, _ in reads]


def test_statistics_are_one_snapshot(app: Flask, clock: Any) -> None:  # noqa: F811
    """An item filed between the counts and the open items (here: for a
    department and kind not counted yet, its reply overdue) is in all of
    the statistics or in none; it used to raise KeyError (500)."""
    clock.set("2026-11-23")
    store: Store = app.extensions["portal_store"]
    items: ParticipationStore = app.extensions["portal_participation_store"]
    rules: Participation = app.extensions["portal_participation"]
    late = rules.receive(kind=Kind.SUGGESTION, number="JY-20260901-0001",
                         on=date(2026, 9, 1), title="增加字段说明", text="希望说明口径",
                         department="rsj")
    filed: list[bool] = []

    def file_meanwhile(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not filed and "GROUP BY" in statement and "participation" in statement:
            filed.append(True)
            items.add(late, submitter={"name": "", "contact": ""}, at=clock.now)

    event.listen(store.engine, "after_cursor_execute", file_meanwhile)
    try:
        answer = app.test_client().get("/api/v1/statistics/participation")
    finally:
        event.remove(store.engine, "after_cursor_execute", file_meanwhile)
    assert filed and answer.status_code == 200
    body = answer.get_json()
    assert body["totals"]["suggestion"]["received"] == body["totals"]["suggestion"]["overdue"] \
        == 0 and body["by_department"] == {}
    again = app.test_client().get("/api/v1/statistics/participation").get_json()
    assert again["by_department"]["rsj"]["suggestion"] == {
        "received": 1, "pending_moderation": 1, "rejected_in_moderation": 0, "answered": 0,
        "answered_in_time": 0, "overdue": 1}


def test_usage_reports_are_filtered_and_limited_in_sql(app: Flask, clock: Any) -> None:  # noqa: F811
    """The register and the moderation page read published (resp. pending
    plus the most recent) usage reports only, never every report ever made."""
    engine = app.extensions["portal_store"].engine
    authority = sign_in(app, "authority")
    pages = {"/register": app.test_client(), "/api/v1/register": app.test_client(),
             "/review/moderation/": authority}
    for path, client in pages.items():
        with statements(engine) as seen:
            assert client.get(path).status_code == 200
        reads = [s for s in seen if "use_report_reviews" in s]
        assert reads, path
        for statement in reads:
            assert "LIMIT" in statement.upper() and "use_report_reviews.status" in statement, \
                (path, statement)
    with statements(engine) as seen:
        app.test_client().get("/api/v1/statistics/participation")
    assert all("count(" in s for s in seen if "use_report_reviews" in s)
    items: ParticipationStore = app.extensions["portal_participation_store"]
    assert items.use_reports(statuses=[Status.PUBLISHED], limit=5, newest_first=True) == []


def test_an_approval_is_audited_with_the_public_title(app: Flask, clock: Any) -> None:  # noqa: F811
    number = file_form(app, "demands", title="公交实时位置MARKORIG", department="jtj",
                       text="每分钟更新", name="张先生", contact="zhang@example.org")
    moderate(sign_in(app, "jtj"), number, "approve", public_title="公交车辆实时位置",
             public_text="每分钟更新")
    store: Store = app.extensions["portal_store"]
    approval = [r for r in store.audit_records(number) if r.action == "participation.approve"]
    assert len(approval) == 1 and "公交车辆实时位置" in str(approval[0].detail)
    record = str(store.audit_records(number))
    for private in ("MARKORIG", "张先生", "zhang@example.org"):
        assert private not in record
    assert store.verify_audit() == []
