"""Rate-limit counters in the store, shared by every worker process of a
deployment (issue #12): a sliding window of event times per bucket and
client key, one row each, of at most :data:`MAX_ENTRIES` entries whatever
the limit (a client allowed a million hits an hour has a row as small as
anyone's, issue #17).

Concurrency: the row is created if missing and read locked, in one upsert
(a row lock on PostgreSQL; SQLite writers are serial under ``BEGIN IMMEDIATE``), so two
workers counting the same client at once never both see room for one more.

Counts are written with :meth:`Store.volatile_write` (no fsync per hit,
issue #17): a machine that loses power may forget the last hits of a
window, never a filing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import (
    Connection,
    Dialect,
    Text,
    bindparam,
    cast,
    delete,
    select,
    type_coerce,
    update,
)
from sqlalchemy.types import TypeDecorator

from search_api.store import direct, receipts
from search_api.store.core import insert_for
from search_api.store.schema import rate_hits

if TYPE_CHECKING:  # the store's parts read counts too (request_store): no import cycle
    from search_api.store.store import Store

MAX_ENTRIES = 64
"""Most entries kept per row, whatever the limit (bounds a row's size and
a hit's cost, issue #17)."""

Entry = tuple[float, int]
"""Events counted together: (time of the latest of them, how many)."""


def _window(hits: object, now: float, window: float) -> list[Entry]:
    """The entries of ``hits`` still inside the window ending at ``now``.
    A row holds a list of ``[time, count]`` (a plain time, as rows written
    before counted entries held, counts one)."""
    if not isinstance(hits, list):
        return []
    low, high = now - window, now + window
    try:  # the row as this module writes it
        return [(float(t), n) for t, n in hits
                if low < t <= high and type(n) is int and n > 0]
    except (TypeError, ValueError):
        pass
    kept: list[Entry] = []
    for item in hits:
        if isinstance(item, int | float):
            t, n = float(item), 1
        elif isinstance(item, list) and len(item) == 2 and isinstance(item[0], int | float) \
                and isinstance(item[1], int) and item[1] > 0:
            t, n = float(item[0]), item[1]
        else:
            continue
        if low < t <= high:
            kept.append((t, n))
    return kept


def _added(entries: list[Entry], now: float) -> list[Entry]:
    """``entries`` with one event at ``now``; over :data:`MAX_ENTRIES`, the
    two neighbours closest in time become one entry with the later time
    (its events then leave the window a little late: never more than the
    limit in any window). Under a limit of at most MAX_ENTRIES no two
    events are ever merged: the window is exact, as it was with one time
    per event."""
    entries = sorted([*entries, (now, 1)])
    if len(entries) > MAX_ENTRIES:
        i = min(range(len(entries) - 1), key=lambda k: entries[k + 1][0] - entries[k][0])
        entries[i:i + 2] = [(entries[i + 1][0], entries[i][1] + entries[i + 1][1])]
    return entries


class _HitsText(TypeDecorator[Any]):
    """A row's hits as JSON text written and read with orjson: a full row
    (:data:`MAX_ENTRIES` times and counts) cost ≈ 0.2 ms a hit with the
    json module, most of a filing's count (issue #17). Text the json module
    wrote before is read alike; what orjson refuses goes through json."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        try:
            return orjson.dumps(value).decode()
        except TypeError:  # orjson.JSONEncodeError, e.g. an integer beyond 64 bits
            return json.dumps(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:  # e.g. NaN
            return json.loads(value)


# The hits as text (PostgreSQL: the JSONB document's text, parsed here), and
# as the parameter the document is written from (PostgreSQL casts the text).
_HITS = type_coerce(cast(rate_hits.c.hits, Text), _HitsText).label("hits")
_NEW_HITS = bindparam("hits", type_=_HitsText)

# The statements of a count and a hit, built once (values as parameters, issue #17).
_READ = select(_HITS).where(rate_hits.c.bucket == bindparam("the_bucket"),
                            rate_hits.c.client == bindparam("the_client"))
_WRITE = update(rate_hits).where(rate_hits.c.bucket == bindparam("the_bucket"),
                                 rate_hits.c.client == bindparam("the_client"),
                                 ).values(hits=_NEW_HITS)
# The hits of a bucket and client (parameters ``the_bucket``, ``the_client``)
# as a column of another read (NULL: no row), for :class:`CountCheck`.
HITS_OF = _READ.scalar_subquery()


@dataclass(frozen=True)
class CountCheck:
    """A count of ``client`` in ``bucket`` (as :meth:`StoreCounters.count`
    counts it) read in the statement of what it guards, e.g. a status
    read's failed attempts (one round trip, issue #17): the reader selects
    :data:`HITS_OF` with :meth:`params` and passes what it read to
    :meth:`judge`, whose ``refuse(count)`` raises to refuse."""

    bucket: str
    client: str
    now: float
    window: float
    refuse: Callable[[int], object]

    def params(self) -> dict[str, str]:
        return {"the_bucket": self.bucket, "the_client": self.client}

    def judge(self, hits: object) -> None:
        """Raises what ``refuse`` raises for the count in ``hits``."""
        self.refuse(sum(n for _, n in _window(hits, self.now, self.window)))


@lru_cache(maxsize=4)
def _lock_of(dialect: str) -> Any:
    """The upsert of :meth:`StoreCounters._locked` for ``dialect``."""
    stmt = insert_for(dialect, rate_hits).values(hits=_NEW_HITS)
    return stmt.on_conflict_do_update(
        index_elements=[rate_hits.c.bucket, rate_hits.c.client],
        set_={"bucket": stmt.excluded.bucket},
    ).returning(_HITS)


@lru_cache(maxsize=4)
def _lock_and_number_of(dialect: str) -> Any:
    """:func:`_lock_of` that also takes the next receipt number (PostgreSQL,
    :meth:`StoreCounters.hit_and_number_in`): one statement, one round trip."""
    number = receipts.counter_upsert(dialect, bound=True).cte("number")
    stmt = insert_for(dialect, rate_hits).values(hits=_NEW_HITS)
    return stmt.on_conflict_do_update(
        index_elements=[rate_hits.c.bucket, rate_hits.c.client],
        set_={"bucket": stmt.excluded.bucket},
    ).add_cte(number).returning(_HITS, select(number.c.last).scalar_subquery().label("last"))


class StoreCounters:
    """Counters in the ``rate_hits`` table of ``store``."""

    def __init__(self, store: Store):
        self.store = store

    def count(self, bucket: str, client: str, now: float, window: float) -> int:
        """Events counted for ``client`` in ``bucket`` within ``window`` seconds
        before ``now`` (epoch seconds)."""
        with self.store._read() as conn:  # SQLite: a deferred BEGIN, not the write lock
            return self.count_in(conn, bucket, client, now, window)

    @staticmethod
    def count_in(conn: Connection, bucket: str, client: str, now: float, window: float) -> int:
        """:meth:`count` in the caller's transaction ``conn`` (of this store),
        e.g. the read of what the count guards (issue #17)."""
        row = direct.one(conn, _READ, {"the_bucket": bucket, "the_client": client})
        hits = row[0] if row is not None else None
        return sum(n for _, n in _window(hits, now, window))

    def hit(self, bucket: str, client: str, now: float, window: float,
            limit: int | None = None) -> bool:
        """Count one event at ``now`` unless ``limit`` events are in the window
        already; returns whether it was counted (None: always counted)."""
        with self.store.volatile_write() as conn:
            return self.hit_in(conn, bucket, client, now, window, limit)

    def hit_in(self, conn: Connection, bucket: str, client: str, now: float, window: float,
               limit: int | None = None) -> bool:
        """:meth:`hit` in the caller's write transaction ``conn`` (of this
        store): the count is then kept or undone with what else it writes,
        and durable with it; the row stays locked until that transaction ends."""
        hits, _ = self._locked(conn, bucket, client, now, None)
        return self._counted(conn, bucket, client, now, window, limit, hits)

    def hit_and_number_in(self, conn: Connection, bucket: str, client: str, now: float,
                          window: float, limit: int | None,
                          number: receipts.Wanted) -> str | None:
        """:meth:`hit_in` that also takes the receipt ``number`` in ``conn``'s
        transaction (a filing's, issue #17): returns it, or None when the
        limit refused the hit. PostgreSQL takes it in the statement that locks
        the row (one round trip), before the limit is known: a caller refused
        must roll its transaction back, which undoes the number too. SQLite
        takes it by a statement of its own once the hit is counted."""
        hits, taken = self._locked(conn, bucket, client, now, number)
        if not self._counted(conn, bucket, client, now, window, limit, hits):
            return None
        return taken if taken is not None else number.take(conn)

    @staticmethod
    def _counted(conn: Connection, bucket: str, client: str, now: float, window: float,
                 limit: int | None, hits: object) -> bool:
        """Count one event at ``now`` in the locked row holding ``hits``
        unless ``limit`` events are in the window already; whether it was."""
        recent = _window(hits, now, window)
        if limit is not None and sum(n for _, n in recent) >= limit:
            return False
        kept = [[t, n] for t, n in _added(recent, now)]
        direct.rows(conn, _WRITE, {"the_bucket": bucket, "the_client": client, "hits": kept,
                                   "updated_at": datetime.fromtimestamp(now, UTC)})
        return True

    @staticmethod
    def _locked(conn: Connection, bucket: str, client: str, now: float,
                number: receipts.Wanted | None) -> tuple[object, str | None]:
        """The row's hits, the row created if missing and locked until the
        transaction ends: one statement (an upsert that changes nothing
        locks the row as ``FOR UPDATE`` would); on PostgreSQL the same
        statement takes ``number`` when given (None otherwise, and on SQLite,
        whose statements cannot nest an upsert)."""
        params: dict[str, Any] = {"bucket": bucket, "client": client, "hits": [],
                                  "updated_at": datetime.fromtimestamp(now, UTC)}
        dialect = conn.dialect.name
        if number is None or dialect != "postgresql":
            return direct.rows(conn, _lock_of(dialect), params)[0][0], None
        hits, last = direct.rows(conn, _lock_and_number_of(dialect),
                                 {**params, "prefix": number.prefix, "day": number.on,
                                  "last": 1})[0]
        return hits, receipts.number_of(number.prefix, number.on, int(last))

    def purge(self, before: float) -> int:
        """Delete rows with no event since ``before`` (epoch seconds)."""
        with self.store.volatile_write() as conn:
            return int(conn.execute(delete(rate_hits).where(
                rate_hits.c.updated_at < datetime.fromtimestamp(before, UTC))).rowcount)
