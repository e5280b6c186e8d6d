"""The store's record of provisional calendar years (table ``calendar_years``):
which years were answered provisionally (no State Council holiday notice
loaded), and when each one's notice was taken in. The recomputation of open
deadlines (:mod:`search_api.calendar_change`) uses it to know which years
have just become official.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update

from search_api.store.core import aware, dialect_insert
from search_api.store.schema import calendar_years
from search_api.store.store import Store


class CalendarYears:
    """Read and write ``calendar_years`` of ``store``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def seen_provisional(self, years: Iterable[int], at: datetime) -> None:
        """Record that ``years`` are answered provisionally now (idempotent;
        a year whose file was removed again becomes provisional again).

        Raises:
            ValueError: ``at`` is naive.
        """
        aware(at)
        c = calendar_years.c
        with self.store._write() as conn:
            for year in sorted(set(years)):
                stmt = dialect_insert(conn, calendar_years).values(
                    year=year, provisional_seen_at=at, official_at=None, official_source=None)
                conn.execute(stmt.on_conflict_do_nothing(index_elements=[c.year]))
                conn.execute(update(calendar_years).where(
                    c.year == year, c.official_at.is_not(None)).values(
                    provisional_seen_at=at, official_at=None, official_source=None))

    def waiting(self) -> list[int]:
        """Years seen provisional whose notice has not been taken in yet."""
        c = calendar_years.c
        with self.store._read() as conn:
            return list(conn.execute(select(c.year).where(c.official_at.is_(None))
                                     .order_by(c.year)).scalars())

    def official(self, year: int) -> tuple[datetime, str] | None:
        """When and from which notice ``year`` became official, or None."""
        c = calendar_years.c
        with self.store._read() as conn:
            row = conn.execute(select(c.official_at, c.official_source)
                               .where(c.year == year)).one_or_none()
        if row is None or row.official_at is None:
            return None
        return row.official_at, str(row.official_source or "")

    def mark_official(self, year: int, source: str, at: datetime) -> None:
        """Record that the notice of ``year`` (``source``) was taken in at ``at``.

        Raises:
            ValueError: ``at`` is naive.
        """
        aware(at)
        c = calendar_years.c
        with self.store._write() as conn:
            conn.execute(update(calendar_years).where(c.year == year, c.official_at.is_(None))
                         .values(official_at=at, official_source=source))
