"""Server-side sessions in the store (issue #11), beside the requests.

A session is found by the SHA-256 of its cookie's random id: the database
never holds an id a browser could present. Timeouts are decided by the
caller (:mod:`search_api.web.sessions`); this module only stores, finds and
deletes. Every method is one short transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update

from search_api.store.engine import READ
from search_api.store.schema import check_row, sessions
from search_api.store.store import Store


@dataclass(frozen=True)
class SessionRecord:
    """What is kept of one session; ``username`` is the signed-in reviewer."""

    data: dict[str, Any]
    username: str | None
    created_at: datetime
    last_seen_at: datetime


class StoreSessions:
    """Sessions in the ``sessions`` table of ``store``."""

    def __init__(self, store: Store):
        self.store = store

    def load(self, id_hash: str) -> SessionRecord | None:
        """The session stored under ``id_hash``, or None."""
        with self.store.engine.connect() as conn:
            conn.execution_options(**READ)  # SQLite: a deferred BEGIN, not the write lock
            row = conn.execute(select(sessions).where(sessions.c.id_hash == id_hash)
                               ).one_or_none()
        if row is None:
            return None
        data = row.data if isinstance(row.data, dict) else {}
        return SessionRecord(data=data, username=row.username, created_at=row.created_at,
                             last_seen_at=row.last_seen_at)

    def save(self, id_hash: str, record: SessionRecord) -> None:
        """Insert or replace the session under ``id_hash``.

        Raises:
            ValueError: a username longer than its column, or text with NUL.
        """
        values = {"username": record.username, "data": record.data,
                  "created_at": record.created_at, "last_seen_at": record.last_seen_at}
        check_row(sessions, {"id_hash": id_hash, "username": record.username,
                             "data": record.data})
        with self.store.engine.begin() as conn:
            if conn.execute(update(sessions).where(sessions.c.id_hash == id_hash)
                            .values(**values)).rowcount == 0:
                conn.execute(sessions.insert().values(id_hash=id_hash, **values))

    def touch(self, id_hash: str, at: datetime) -> None:
        """Record activity of the session at ``at`` (its idle time restarts)."""
        with self.store.engine.begin() as conn:
            conn.execute(update(sessions).where(sessions.c.id_hash == id_hash)
                         .values(last_seen_at=at))

    def delete(self, id_hash: str) -> None:
        with self.store.engine.begin() as conn:
            conn.execute(delete(sessions).where(sessions.c.id_hash == id_hash))

    def delete_user(self, username: str) -> int:
        """End every session of ``username``; returns how many there were."""
        with self.store.engine.begin() as conn:
            return int(conn.execute(delete(sessions).where(sessions.c.username == username)
                                    ).rowcount)

    def purge(self, *, idle_before: datetime, created_before: datetime) -> int:
        """Delete sessions idle since before ``idle_before`` or started before
        ``created_before`` (they can no longer be used); returns how many."""
        with self.store.engine.begin() as conn:
            return int(conn.execute(delete(sessions).where(or_(
                sessions.c.last_seen_at < idle_before,
                sessions.c.created_at < created_before))).rowcount)
