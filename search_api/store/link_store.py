"""The links part of the store: third-party consultation and download
links of a request, kept by the hash of their token (never the token), with
an expiry and, for downloads, a number of uses counted atomically.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, insert, select, update

from search_api.store.core import StoreCore, aware
from search_api.store.errors import RequestNotFound
from search_api.store.records import Link, LinkKind
from search_api.store.schema import check_row, links, requests


class LinkPart(StoreCore):
    """Links by token hash: stored, found, used."""

    def add_link(self, kind: LinkKind, token_hash: str, number: str, party_key: str | None,
                 expires_at: datetime, *, at: datetime, max_uses: int | None = None) -> None:
        """Store a link by the hash of its token (never the token).

        Raises:
            ValueError: unknown kind, blank hash, naive times, expiry not after ``at``.
            RequestNotFound: no such request.
        """
        if kind not in ("third_party", "download"):
            raise ValueError(f"a link is third_party or download, not {kind!r}")
        if not token_hash:
            raise ValueError("a link needs its token's hash")
        if aware(expires_at, "expires_at") <= aware(at):
            raise ValueError("a link must expire after it is made")
        check_row(links, {"token_hash": token_hash, "party_key": party_key})
        with self._write() as conn:
            if conn.execute(select(requests.c.number).where(
                    requests.c.number == number)).first() is None:
                raise RequestNotFound(number)
            conn.execute(insert(links).values(
                token_hash=token_hash, kind=kind, request_number=number, party_key=party_key,
                created_at=at, expires_at=expires_at, uses=0, max_uses=max_uses))

    def find_link(self, kind: LinkKind, token_hash: str, now: datetime) -> Link | None:
        """The link when it exists, is of ``kind``, has not expired at
        ``now`` and has uses left; None otherwise."""
        aware(now, "now")
        with self._read() as conn:
            row = conn.execute(select(links).where(*self._usable(kind, token_hash, now))
                               ).one_or_none()
        return self._link(row) if row is not None else None

    def use_link(self, kind: LinkKind, token_hash: str, now: datetime) -> Link | None:
        """Like :meth:`find_link`, counting one use atomically (a download)."""
        aware(now, "now")
        with self._write() as conn:
            row = conn.execute(update(links).where(*self._usable(kind, token_hash, now))
                               .values(uses=links.c.uses + 1).returning(*links.c)).one_or_none()
        return self._link(row) if row is not None else None

    @staticmethod
    def _usable(kind: str, token_hash: str, now: datetime) -> list[ColumnElement[bool]]:
        return [links.c.token_hash == token_hash, links.c.kind == kind, links.c.expires_at > now,
                (links.c.max_uses.is_(None)) | (links.c.uses < links.c.max_uses)]

    @staticmethod
    def _link(row: Any) -> Link:
        return Link(kind=row.kind, token_hash=row.token_hash, request_number=row.request_number,
                    party_key=row.party_key, created_at=row.created_at,
                    expires_at=row.expires_at, uses=row.uses, max_uses=row.max_uses)

