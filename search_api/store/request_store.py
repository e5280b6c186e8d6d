"""The requests part of the store: a request filed with its receipt number,
events, audit records, messages and idempotency key in one transaction;
saved under optimistic concurrency; loaded with its personal data opened.

Concurrency of a save: the row is read ``FOR UPDATE`` (PostgreSQL) and its
``version`` compared with the one the caller loaded; a mismatch raises
:class:`StaleRequest` (between reviewers). Lock order (PostgreSQL) is always
request row, then the audit head (:mod:`search_api.store.audit`): no deadlock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, literal_column, select, update
from sqlalchemy.exc import IntegrityError

from domain.procedures.identity import mask_identity
from domain.procedures.request_codec import (
    event_from_dict,
    join_personal,
    request_from_dict,
    request_to_dict,
    split_personal,
)
from domain.procedures.request_records import Actor, Event, Request
from search_api.store import audit, direct, idempotency
from search_api.store.core import StoreCore, aware
from search_api.store.errors import (
    DuplicateRequest,
    HistoryRewritten,
    RequestNotFound,
    StaleRequest,
)
from search_api.store.group_commit import Done
from search_api.store.idempotency import IdempotencyKey, Replay
from search_api.store.outbox_store import (
    check_messages,
)
from search_api.store.rate_store import HITS_OF, CountCheck
from search_api.store.receipts import Wanted, check_prefix
from search_api.store.records import OutboxMessage
from search_api.store.request_rows import (
    KnownTitle,
    SameTransaction,
    columns,
    insert_links,
    record,
)
from search_api.store.schema import check_row, request_events, requests

Count = Callable[[Connection, Wanted], str]
"""A rate-limit hit counted where a filing's receipt number is taken
(:meth:`RequestPart.file_request`): returns the number, raises to refuse."""


@dataclass(frozen=True)
class Filing:
    """What :meth:`Store.file_request`'s ``build`` makes of a receipt number:
    the request, the hash of its access code, if any its idempotency key and,
    when the caller holds it, its dataset's title for the messages (None:
    looked up through the store's ``names``, inside the write lock)."""

    request: Request
    access_code_hash: str
    idempotency_key: IdempotencyKey | None = None
    dataset_title: str | None = None


# Built once, values as parameters: neither rebuilt nor recompiled per filing (issue #17).
_LOAD = select(requests.c.snapshot, requests.c.personal, requests.c.version,
               requests.c.access_code_hash).where(requests.c.number == bindparam("number"))
# The same with a rate-limit count (CountCheck) in one statement: one row
# whether or not the request exists (its columns NULL when it does not).
_LOAD_CHECKED = select(HITS_OF.label("hits"), *_LOAD.selected_columns).select_from(
    select(literal_column("1").label("one")).subquery("one").outerjoin(
        requests, requests.c.number == bindparam("number")))
_CODE_HASH = select(requests.c.access_code_hash).where(requests.c.number == bindparam("number"))


def _duplicate(error: IntegrityError) -> bool:
    """Whether ``error`` is a new request's number found taken (not another row's conflict)."""
    diag = getattr(error.orig, "diag", None)  # psycopg2's
    if diag is not None:
        # In one statement with its events, either may be found first: a
        # new request's first event is taken only when its number is.
        return getattr(diag, "sqlstate", None) == "23505" \
            and getattr(diag, "table_name", None) in ("requests", "request_events")
    return "requests.number" in str(error.orig)


class RequestPart(StoreCore):
    """Filing, saving and loading requests."""

    def add_request(self, req: Request, *, access_code_hash: str, actor: Actor,
                    at: datetime, idempotency_key: IdempotencyKey | None = None) -> None:
        """Store a new request (version 1) with its events, one audit record
        per event, an outbox message per ``notify`` target and, when given,
        its ``idempotency_key`` (live for 24 hours), in one transaction.

        Raises:
            DuplicateRequest: the number is taken.
            IdempotencyKeyTaken: a live key with the same hash exists (a
                concurrent retry stored it first); nothing is stored.
            ValueError: ``at`` is naive; CodecError: event data is not plain JSON.
        """
        aware(at)
        with self._write() as conn:
            if conn.execute(select(requests.c.number).where(
                    requests.c.number == req.number)).first() is not None:
                raise DuplicateRequest(req.number)
            audit.append_prepared(conn, self._insert_request(
                conn, req, access_code_hash=access_code_hash, actor=actor, at=at,
                idempotency_key=idempotency_key))

    def file_request(self, on: date, build: Callable[[str], Filing], *, actor: Actor,
                     at: datetime, prefix: str = "YH", count: Count | None = None) -> Request:
        """File a new request by group commit (issue #17,
        :mod:`search_api.store.group_commit`): in the writer's next
        transaction and a savepoint of its own, the next receipt number of
        ``on`` is taken, ``build(number)`` makes the request with its
        access-code hash and idempotency key, and it is stored as by
        :meth:`add_request`. Returns the stored request once the batch's
        commit is durable (one fsync for every filing of the batch).
        ``build`` runs in the writer thread (in this thread's context)
        while the write lock is held: it must be quick and must not use
        the store; it runs again when another filing of its batch failed
        (:mod:`search_api.store.group_commit`). When anything of this filing fails, nothing of it is
        stored and its number is not used; the other filings of the batch
        are not affected.

        ``count(conn, wanted)`` (a rate-limit hit) runs first, where the
        number is taken, in the filing's transaction (kept or undone with
        it): it counts and takes the number ``wanted``
        (:class:`search_api.store.receipts.Wanted`), together when it can,
        and returns it. What it raises refuses the filing: nothing stored,
        no number taken.

        Raises:
            ValueError: a bad ``prefix`` or naive ``at``.
            DuplicateRequest: the number was taken outside the counter.
            IdempotencyKeyTaken: a live key with the same hash exists.
            whatever ``build`` or ``count`` raises (nothing is stored).
        """
        aware(at)
        check_prefix(prefix)
        wanted = Wanted(on, prefix)

        def counted(conn: Connection) -> str:
            return wanted.take(conn) if count is None else count(conn, wanted)

        def work(conn: Connection) -> Done:
            # The number (and the count) in the batch's transaction, on both
            # databases. A transaction of its own before the batch (PostgreSQL,
            # to free the counter row before the batch's commit) cost a BEGIN
            # and a COMMIT more per filing, and more CPU per request than the
            # longer hold of the row saved (issue #17): the counter row is
            # now held to the batch's commit, as the audit chain's head is.
            filing = build(counted(conn))
            # Its audit records are chained with the whole batch's, at its end.
            return Done(filing.request, self._insert_request(
                conn, filing.request, access_code_hash=filing.access_code_hash, actor=actor,
                at=at, idempotency_key=filing.idempotency_key,
                dataset_title=filing.dataset_title))

        filed: Request = self.group_commit.run(work)
        return filed

    def _insert_request(self, conn: Connection, req: Request, *, access_code_hash: str,
                        actor: Actor, at: datetime,
                        idempotency_key: IdempotencyKey | None,
                        dataset_title: str | None = None) -> list[audit.Pending]:
        """The rows of a new request in ``conn``'s transaction (see
        :meth:`add_request`) but its audit records: checked and returned,
        for the caller to append (a group commit's, with the batch's)."""
        snapshot, personal = split_personal(request_to_dict(req))
        a = req.application
        row = dict(
            number=req.number,
            applicant_name=a.applicant_name,
            identity_kind=a.identity_kind.value,
            identity_masked=mask_identity(a.identity_kind, a.identity_number),
            personal=self._cipher.seal(req.number, personal),
            access_code_hash=access_code_hash or None,
            version=1,
            created_at=at,
            updated_at=at,
            **columns(req, snapshot),
        )
        check_row(requests, row)
        names = self.names
        if names is not None and dataset_title is not None:
            names = KnownTitle(names, req.dataset_id, dataset_title)
        try:
            # The request's row with its events and messages (one round trip
            # on PostgreSQL), then its idempotency key.
            pending = record(conn, req, list(enumerate(req.events, 1)), version=1, actor=actor,
                             at=at, personal=personal, action="request.added", names=names,
                             first=[(requests, [row], None)])
        except IntegrityError as error:
            if _duplicate(error):
                raise DuplicateRequest(req.number) from None
            raise
        if idempotency_key is not None:
            idempotency.store(conn, self._cipher, idempotency_key, req.number, at)
        return pending

    def idempotent_replay(self, key_hash: str, now: datetime) -> Replay | None:
        """The request filed under an idempotency key (see
        :mod:`search_api.store.idempotency`), if the key lives at ``now``.

        Raises:
            PersonalDataKeyError: the stored answer is sealed with another key.
        """
        aware(now, "now")
        with self._read() as conn:
            return idempotency.find(conn, self._cipher, key_hash, now)

    def save(self, req: Request, *, expected_version: int, actor: Actor, at: datetime,
             outbox: Sequence[OutboxMessage] = (),
             third_party_links: Sequence[tuple[str, str, datetime]] = (),
             also: SameTransaction | None = None) -> int:
        """Store the new state of a request loaded at ``expected_version``:
        its new events appended, the snapshot replaced, one audit record per
        new event, a message per ``notify`` target of the new events plus
        ``outbox``, ``third_party_links`` as (token hash, party key,
        expiry), and what ``also`` writes — all in one transaction, so a
        consultation never exists without its links, nor an approval without
        its grant; returns the new version.

        ``also`` is called with the transaction's connection once the request
        row is updated and before the audit chain is appended to (so its locks
        come before the chain head's); it returns the audit records of what it
        wrote, appended after the request's own, by the same ``actor``.

        Raises:
            RequestNotFound: no such request.
            StaleRequest: it was saved by someone else since it was loaded.
            HistoryRewritten: the application, receipt day or a recorded event differs.
            PersonalDataRefused: a message of ``outbox`` holds a clear ID or mobile number.
            whatever ``also`` raises (nothing is stored).
        """
        aware(at)
        snapshot, personal = split_personal(request_to_dict(req))
        check_row(requests, columns(req, snapshot))
        check_messages(outbox, personal)
        with self._write() as conn:
            row = conn.execute(
                select(requests.c.version, requests.c.snapshot, requests.c.personal)
                .where(requests.c.number == req.number).with_for_update()
            ).one_or_none()
            if row is None:
                raise RequestNotFound(req.number)
            if row.version != expected_version:
                raise StaleRequest(req.number, expected_version, row.version)
            stored: Mapping[str, Any] = row.snapshot
            recorded = len(stored["events"])
            if snapshot["application"] != stored["application"] \
                    or personal != self._cipher.open(req.number, row.personal):
                raise HistoryRewritten(f"the application of request {req.number} cannot change")
            if snapshot["received"] != stored["received"]:
                raise HistoryRewritten(f"the receipt day of request {req.number} cannot change")
            if snapshot["events"][:recorded] != stored["events"]:
                raise HistoryRewritten(
                    f"request {req.number} has {recorded} recorded event(s) that this save "
                    "would change or drop; events are only appended (003 §34)")
            version = expected_version + 1
            values: dict[str, Any] = dict(columns(req, snapshot), version=version,
                                          updated_at=at)
            if self._cipher.encrypts and row.personal.startswith("plain:"):
                values["personal"] = self._cipher.seal(req.number, personal)
            done = conn.execute(update(requests).where(
                requests.c.number == req.number, requests.c.version == expected_version,
            ).values(**values))
            if done.rowcount != 1:  # cannot happen under the row lock; be certain anyway
                raise StaleRequest(req.number, expected_version, -1)
            numbered = list(enumerate(req.events[recorded:], recorded + 1))
            insert_links(conn, req.number, third_party_links, at)
            more = list(also(conn)) if also is not None else []
            # Last: the audit chain's head stays locked until the commit.
            audit.append_prepared(conn, record(
                conn, req, numbered, version=version, actor=actor, at=at, personal=personal,
                action="request.saved", names=self.names, outbox=outbox, more_records=more))
        return version

    def load(self, number: str) -> tuple[Request, int]:
        """The request and its version (to pass to :meth:`save`).

        Raises:
            RequestNotFound: no such request.
            PersonalDataKeyError: its personal data is encrypted with another key.
        """
        with self._read() as conn:
            row = direct.one(conn, _LOAD, {"number": number})
        if row is None:
            raise RequestNotFound(number)
        snapshot, personal, version, _ = row
        return self._opened(number, snapshot, personal), int(version)

    def load_if(self, number: str, opens: Callable[[str | None], bool], *,
                check: CountCheck | None = None) -> tuple[Request, int] | None:
        """The request and its version when ``opens(stored access-code hash)``
        (None: no such request, or it has no code) says so, else None: one
        read for a status answer (issue #17); the personal data is opened only
        for a caller that passed. ``check`` (the client's failed attempts,
        counted in this store) is read in the same statement as the request
        (one round trip) and judged first.

        Raises:
            PersonalDataKeyError: its personal data is encrypted with another key.
            whatever ``check`` raises (``opens`` is not called, nothing is opened).
        """
        with self._read() as conn:
            if check is None:
                row = direct.one(conn, _LOAD, {"number": number})
            else:
                hits, *found = direct.rows(conn, _LOAD_CHECKED,
                                           {"number": number, **check.params()})[0]
                check.judge(hits)
                row = None if found[2] is None else tuple(found)  # version: NULL when no row
        if row is None:
            opens(None)
            return None
        snapshot, personal, version, code_hash = row
        if not opens(None if code_hash is None else str(code_hash)):
            return None
        return self._opened(number, snapshot, personal), int(version)

    def _opened(self, number: str, snapshot: Any, personal: str) -> Request:
        return request_from_dict(join_personal(snapshot, self._cipher.open(number, personal)))

    def events(self, number: str) -> list[Event]:
        """The events of a request as recorded in ``request_events``, in order."""
        with self._read() as conn:
            rows = conn.execute(select(request_events).where(
                request_events.c.request_number == number).order_by(request_events.c.seq)).all()
        return [event_from_dict({"kind": r.kind, "actor_role": r.actor_role, "actor": r.actor,
                                 "on": r.happened_on.isoformat(), "data": r.data,
                                 "notify": r.notify}, f"{number}#{r.seq}") for r in rows]

    def access_code_hash(self, number: str) -> str | None:
        """The stored hash of the request's access code; None when the request
        does not exist or has none (the caller cannot tell which)."""
        with self._read() as conn:
            value = conn.execute(_CODE_HASH, {"number": number}).scalar_one_or_none()
        return str(value) if value is not None else None
