"""Statements sent on the driver's cursor (search_api.store.direct, issue
#17) bind, return and fail as SQLAlchemy's own execution does, on both
databases; with a listener on the connection they go through SQLAlchemy."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import create_engine, event, exc, insert, select, text
from sqlalchemy.pool import NullPool

from search_api.store import Store, direct, rate_store, receipts
from search_api.store.schema import rate_hits

AT = datetime(2026, 3, 2, 8, 30, 1, 250_000, tzinfo=UTC)
HITS = [[1_772_440_201.25, 1], [1_772_440_202.5, 3]]


def test_binds_and_results_match_sqlalchemy(store: Store) -> None:
    with store.engine.begin() as conn:
        sent = direct.rows(conn, insert(rate_hits), {
            "bucket": "b", "client": "c", "hits": HITS, "updated_at": AT})
        assert sent == []
        wanted = select(rate_hits.c.hits, rate_hits.c.updated_at, rate_store._HITS.label("t"))
        assert direct.rows(conn, wanted, {}) == [tuple(conn.execute(wanted).one())]
        hits, updated_at, as_text = direct.one(conn, wanted, {}) or ()
        assert hits == HITS and as_text == HITS
        assert updated_at == AT and updated_at.tzinfo is not None
        assert direct.one(conn, rate_store._READ, {"the_bucket": "b", "the_client": "x"}) \
            is None


def test_an_upsert_returns_what_sqlalchemy_returns(store: Store) -> None:
    upsert = receipts._next_of(store.backend)
    params = {"prefix": "YH", "day": date(2026, 3, 2), "last": 1}
    with store.engine.begin() as conn:
        assert direct.rows(conn, upsert, params) == [(1,)]
        assert conn.execute(upsert, params).scalar_one() == 2
        assert direct.rows(conn, upsert, params) == [(3,)]


def test_a_naive_timestamp_is_refused_by_its_column_type(store: Store) -> None:
    with store.engine.begin() as conn, pytest.raises(ValueError, match="timezone-aware"):
        direct.rows(conn, insert(rate_hits), {"bucket": "b", "client": "c", "hits": [],
                                              "updated_at": datetime(2026, 3, 2)})


def test_a_missing_parameter_is_refused(store: Store) -> None:
    with store.engine.begin() as conn, pytest.raises(KeyError, match="the_client"):
        direct.rows(conn, rate_store._READ, {"the_bucket": "b"})


def test_a_constraint_error_is_sqlalchemys(store: Store) -> None:
    row = {"bucket": "b", "client": "c", "hits": [], "updated_at": AT}
    with store.engine.begin() as conn:
        direct.rows(conn, insert(rate_hits), row)
    with pytest.raises(exc.IntegrityError) as raised, store.engine.begin() as conn:
        direct.rows(conn, insert(rate_hits), row)
    assert raised.value.orig is not None
    with store.engine.connect() as conn:  # the failed transaction was rolled back
        assert conn.execute(select(rate_hits.c.client)).scalars().all() == ["c"]


def test_a_listened_connection_goes_through_sqlalchemy(store: Store) -> None:
    seen: list[Any] = []

    def record(conn: Any, cursor: Any, sql: str, params: Any, context: Any,
               many: bool) -> None:
        if "rate_hits" in sql:
            seen.append(context.compiled is not None)

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        with store.engine.begin() as conn:
            direct.rows(conn, insert(rate_hits), {"bucket": "b", "client": "c", "hits": [],
                                                  "updated_at": AT})
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    assert seen == [True]


def test_a_lost_postgresql_connection_is_invalidated(store: Store) -> None:
    if store.backend != "postgresql":
        pytest.skip("SQLite has no server connection to lose")
    with store.engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        conn.rollback()
        killer = create_engine(store.url, poolclass=NullPool)
        with killer.begin() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        killer.dispose()
        with pytest.raises(exc.OperationalError) as raised:
            direct.rows(conn, rate_store._READ, {"the_bucket": "b", "the_client": "c"})
        assert raised.value.connection_invalidated
    with store.engine.connect() as conn:  # the pool hands out a live one
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid


def test_many_rows_are_inserted_as_sqlalchemy_inserts_them(store: Store) -> None:
    rows = [{"bucket": "b", "client": f"c{i}", "hits": HITS[:i], "updated_at": AT}
            for i in range(3)]
    with store.engine.begin() as conn:
        direct.many(conn, insert(rate_hits), rows)
        direct.many(conn, insert(rate_hits), [])
        found = direct.rows(conn, select(rate_hits.c.client, rate_hits.c.hits,
                                         rate_hits.c.updated_at).order_by(rate_hits.c.client), {})
    assert found == [(f"c{i}", HITS[:i], AT) for i in range(3)]
    with pytest.raises(exc.IntegrityError), store.engine.begin() as conn:
        direct.many(conn, insert(rate_hits), rows[1:])


def test_a_statement_needing_sqlalchemys_execution_goes_through_it(store: Store) -> None:
    """Expanding parameters (an IN list, rendered at execution) are left to
    SQLAlchemy."""
    with store.engine.begin() as conn:
        direct.rows(conn, insert(rate_hits), {"bucket": "b", "client": "c", "hits": [],
                                              "updated_at": AT})
        wanted = select(rate_hits.c.client).where(rate_hits.c.client.in_(["c", "d"]))
        assert direct.rows(conn, wanted, {}) == [("c",)]
    assert [plan for key, plan in direct._PLANS.items() if key[0] is wanted] == [None]
