"""Rate-limit counters in the store, shared by every worker process of a
deployment (issue #12): a sliding window of event times per bucket and
client key, one row each.

Concurrency: the row is created if missing and read locked, in one upsert
(a row lock on PostgreSQL; SQLite writers are serial under ``BEGIN IMMEDIATE``), so two
workers counting the same client at once never both see room for one more.

Counts are written with :meth:`Store.volatile_write` (no fsync per hit,
issue #17): a machine that loses power may forget the last hits of a
window, never a filing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select, update

from search_api.store.core import insert_for
from search_api.store.engine import READ
from search_api.store.schema import rate_hits
from search_api.store.store import Store

MAX_KEPT = 1000
"""Most event times kept per row, whatever the limit (bounds a row's size)."""


def _window(hits: object, now: float, window: float) -> list[float]:
    """The event times of ``hits`` still inside the window ending at ``now``."""
    if not isinstance(hits, list):
        return []
    return [float(t) for t in hits
            if isinstance(t, int | float) and now - window < float(t) <= now + window]


# The statements of a hit, built once (values as parameters, issue #17).
_WRITE = update(rate_hits).where(rate_hits.c.bucket == bindparam("the_bucket"),
                                 rate_hits.c.client == bindparam("the_client"))


@lru_cache(maxsize=4)
def _lock_of(dialect: str) -> Any:
    """The upsert of :meth:`StoreCounters._locked` for ``dialect``."""
    stmt = insert_for(dialect, rate_hits)
    return stmt.on_conflict_do_update(
        index_elements=[rate_hits.c.bucket, rate_hits.c.client],
        set_={"bucket": stmt.excluded.bucket},
    ).returning(rate_hits.c.hits)


class StoreCounters:
    """Counters in the ``rate_hits`` table of ``store``."""

    def __init__(self, store: Store):
        self.store = store

    def count(self, bucket: str, client: str, now: float, window: float) -> int:
        """Events counted for ``client`` in ``bucket`` within ``window`` seconds
        before ``now`` (epoch seconds)."""
        with self.store.engine.connect() as conn:
            conn.execution_options(**READ)  # SQLite: a deferred BEGIN, not the write lock
            hits = conn.execute(select(rate_hits.c.hits).where(
                rate_hits.c.bucket == bucket, rate_hits.c.client == client)).scalar()
        return len(_window(hits, now, window))

    def hit(self, bucket: str, client: str, now: float, window: float,
            limit: int | None = None) -> bool:
        """Count one event at ``now`` unless ``limit`` events are in the window
        already; returns whether it was counted (None: always counted)."""
        with self.store.volatile_write() as conn:
            hits = self._locked(conn, bucket, client, now)
            recent = _window(hits, now, window)
            if limit is not None and len(recent) >= limit:
                return False
            recent = (recent + [now])[-MAX_KEPT:]
            conn.execute(_WRITE, {"the_bucket": bucket, "the_client": client, "hits": recent,
                                  "updated_at": datetime.fromtimestamp(now, UTC)})
            return True

    @staticmethod
    def _locked(conn: Connection, bucket: str, client: str, now: float) -> object:
        """The row's hits, the row created if missing and locked until the
        transaction ends: one statement (an upsert that changes nothing
        locks the row as ``FOR UPDATE`` would)."""
        return conn.execute(_lock_of(conn.dialect.name), {
            "bucket": bucket, "client": client, "hits": [],
            "updated_at": datetime.fromtimestamp(now, UTC)}).scalar()

    def purge(self, before: float) -> int:
        """Delete rows with no event since ``before`` (epoch seconds)."""
        with self.store.volatile_write() as conn:
            return int(conn.execute(delete(rate_hits).where(
                rate_hits.c.updated_at < datetime.fromtimestamp(before, UTC))).rowcount)
