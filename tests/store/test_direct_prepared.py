"""PostgreSQL: the driver-cursor statements (search_api.store.direct) are
prepared once per server session and then run by name (issue #17); what a
session has prepared survives a rollback and is forgotten with a lost
connection; a statement the server cannot prepare is sent as text without
failing its transaction."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import (
    Connection,
    String,
    bindparam,
    create_engine,
    insert,
    literal_column,
    select,
    text,
)
from sqlalchemy.pool import NullPool

from search_api.store import Store, direct, rate_store
from search_api.store.schema import rate_hits

AT = datetime(2026, 3, 2, 8, 30, 1, tzinfo=UTC)
READ = {"the_bucket": "b", "the_client": "c"}


@pytest.fixture
def pg(store: Store) -> Iterator[Store]:
    if store.backend != "postgresql":
        pytest.skip("SQLite has no server-side prepared statements")
    yield store


def prepared(conn: Connection) -> list[str]:
    """The statements prepared on ``conn``'s server session (their text)."""
    return list(conn.execute(text("SELECT statement FROM pg_prepared_statements")).scalars())


def test_a_statement_is_prepared_once_per_session_and_run_by_name(pg: Store) -> None:
    with pg.engine.connect() as conn:
        for _ in range(3):
            assert direct.one(conn, rate_store._READ, READ) is None
        statements = prepared(conn)
    assert len(statements) == 1
    assert "PREPARE portal_" in statements[0] and "rate_hits" in statements[0]
    assert "$1" in statements[0] and "$2" in statements[0]


def test_a_prepared_statement_outlives_a_rollback(pg: Store) -> None:
    row = {"bucket": "b", "client": "c", "hits": [], "updated_at": AT}
    with pg.engine.connect() as conn:
        with conn.begin():
            assert direct.one(conn, rate_store._READ, READ) is None
            conn.rollback()
        with conn.begin():  # the name is still known to the session: no error
            direct.rows(conn, insert(rate_hits), row)
            assert direct.one(conn, rate_store._READ, READ) == ([],)
    with pg.engine.connect() as conn:
        assert conn.execute(select(rate_hits.c.client)).scalars().all() == ["c"]


def test_a_new_session_prepares_again_after_a_lost_connection(pg: Store) -> None:
    with pg.engine.connect() as conn:
        assert direct.one(conn, rate_store._READ, READ) is None
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        conn.rollback()
    killer = create_engine(pg.url, poolclass=NullPool)  # the pooled session dies
    with killer.begin() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    killer.dispose()
    for _ in range(2):  # whichever pooled connection comes, dead or alive
        try:
            with pg.engine.connect() as conn:
                assert direct.one(conn, rate_store._READ, READ) is None
                assert len(prepared(conn)) == 1
        except Exception as error:  # the dead one, invalidated on its first use
            assert getattr(error, "connection_invalidated", False), error


def test_a_statement_the_server_cannot_prepare_goes_as_text(pg: Store) -> None:
    """``$1 IS NULL`` has no type the server can infer: its PREPARE fails in a
    savepoint, the statement is sent as text, the transaction goes on."""
    untyped = select(literal_column("1").label("one")).where(
        bindparam("value", type_=String).is_(None))
    row = {"bucket": "b", "client": "c", "hits": [], "updated_at": AT}
    with pg.engine.begin() as conn:
        direct.rows(conn, insert(rate_hits), row)
        assert direct.rows(conn, untyped, {"value": None}) == [(1,)]
        assert direct.rows(conn, untyped, {"value": "w"}) == []
        assert direct.one(conn, rate_store._READ, READ) == ([],)
    with pg.engine.connect() as conn:
        assert conn.execute(select(rate_hits.c.client)).scalars().all() == ["c"]
    plans = [plan for key, plan in direct._PLANS.items() if key[0] is untyped]
    assert plans and all(plan is not None and plan.prepare is None for plan in plans)


def test_without_prepare_statements_go_as_text(pg: Store,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(direct, "PREPARE", False)
    with pg.engine.connect() as conn:
        assert direct.one(conn, rate_store._READ, READ) is None
        assert prepared(conn) == []
