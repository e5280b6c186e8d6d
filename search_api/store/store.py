"""The :class:`Store`: requests, their events, the audit log, the outbox,
receipt numbers, reviewers and links, on SQLite or PostgreSQL.

Every public method that writes is one transaction, committed (and on disk)
when it returns. Timestamps come from the caller (``at``, ``now``): the store
never reads the clock. Concurrency, per write:

- receipt numbers: ``INSERT ... ON CONFLICT DO UPDATE SET last = last + 1
  RETURNING last`` (a row lock on PostgreSQL; SQLite writers are serial under
  ``BEGIN IMMEDIATE``);
- saving a request: the row is read ``FOR UPDATE`` (PostgreSQL) and its
  ``version`` compared with the one the caller loaded; a mismatch raises
  :class:`StaleRequest` (optimistic concurrency between reviewers);
- the audit chain: see :mod:`search_api.store.audit`.

Lock order (PostgreSQL) is always request row, then the audit head: no deadlock.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from argon2 import PasswordHasher
from sqlalchemy import (
    URL,
    ColumnElement,
    Connection,
    Engine,
    case,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from domain.procedures.identity import mask_identity
from domain.procedures.request_codec import (
    CLEAR_PREFIX,
    event_from_dict,
    join_personal,
    request_from_dict,
    request_to_dict,
    split_personal,
)
from domain.procedures.request_records import Actor, Event, Request
from domain.procedures.request_states import UNDECIDED, EventKind, Outcome, Role, State
from search_api.store import audit, backup, idempotency, migrate, notify
from search_api.store.engine import READ, make_engine, parse_url
from search_api.store.errors import (
    DuplicateRequest,
    DuplicateUser,
    HistoryRewritten,
    PersonalDataRefused,
    RequestNotFound,
    StaleRequest,
    UserNotFound,
)
from search_api.store.idempotency import IdempotencyKey, Replay
from search_api.store.passwords import Passwords
from search_api.store.personal import PersonalCipher, pii_problems
from search_api.store.records import (
    MAX_ATTEMPTS,
    AuditRecord,
    Link,
    LinkKind,
    OutboxMessage,
    RegisterCounts,
    RequestSummary,
    User,
)
from search_api.store.schema import (
    audit_log,
    check_row,
    links,
    outbox,
    receipt_counters,
    request_events,
    requests,
    sessions,
    users,
)

DEFAULT_URL = "sqlite:///var/portal.sqlite3"
CLAIM_LEASE = timedelta(minutes=10)
"""How long a sender's claim on an outbox message lasts: far longer than a
batch of sends (SMTP times out after 30 s), short enough that a crashed
sender's messages go out on a later run."""

# The event that carries the decision, and its in-time flag.
_DECISION_EVENT = {
    Outcome.REJECTED: (EventKind.REJECTED, "review_in_time"),
    Outcome.APPROVED: (EventKind.APPROVED, "reply_in_time"),
    Outcome.DENIED: (EventKind.DENIED, "reply_in_time"),
    Outcome.NOT_PROCESSED: (EventKind.EXPLANATION_JUDGED, "reply_in_time"),
}


def _aware(at: datetime, name: str = "at") -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime (UTC), got {at!r}")
    return at


def _answered_in_time(req: Request) -> bool | None:
    if req.decision is None:
        return None
    kind, flag = _DECISION_EVENT[req.decision.outcome]
    for event in reversed(req.events):
        if event.kind is kind and flag in event.data:
            return bool(event.data[flag])
    return None


def _dialect_insert(conn: Connection, table: Any) -> Any:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def _check_prefix(prefix: str) -> None:
    if not (prefix.isascii() and prefix.isalnum() and 1 <= len(prefix) <= 16):
        raise ValueError(f"a receipt prefix is 1-16 ASCII letters or digits, not {prefix!r}")


def _take_number(conn: Connection, on: date, prefix: str) -> str:
    """The next receipt number of ``prefix`` and ``on`` in ``conn``'s
    transaction (the counter row stays locked until it ends)."""
    stmt = _dialect_insert(conn, receipt_counters).values(prefix=prefix, day=on, last=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[receipt_counters.c.prefix, receipt_counters.c.day],
        set_={"last": receipt_counters.c.last + 1},
    ).returning(receipt_counters.c.last)
    last = int(conn.execute(stmt).scalar_one())
    return f"{prefix}-{on:%Y%m%d}-{last:04d}"


@dataclass(frozen=True)
class Filing:
    """What :meth:`Store.file_request`'s ``build`` makes of a receipt number:
    the request, the hash of its access code and, if any, its idempotency key."""

    request: Request
    access_code_hash: str
    idempotency_key: IdempotencyKey | None = None


MIN_SECRET_CHARS = 6
"""Shortest personal value the outbox check looks for in messages."""


class Store:
    """The storage of the request service; open with :meth:`open`.

    Args (of :meth:`open`):
        url: ``sqlite:///path`` (default ``sqlite:///var/portal.sqlite3``) or
            ``postgresql://user[:password]@host[:port]/db`` (psycopg2); a
            ``?options=-csearch_path%3Dschema`` query selects a schema.
        personal_key: URL-safe base64 of 32 bytes (:func:`new_key`); when
            given, identity numbers and contacts are AES-GCM encrypted at rest.
        password_hasher: argon2 parameters for reviewers' passwords (tests
            use cheap ones); argon2-cffi's defaults otherwise.
    """

    def __init__(self, engine: Engine, url: URL, cipher: PersonalCipher,
                 passwords: Passwords) -> None:
        self._engine = engine
        # The engine of volatile writes (no connection until one is used).
        self._volatile = make_engine(url, durable=False)
        self.url = url
        self._cipher = cipher
        self._passwords = passwords
        # How messages name datasets and link to pages; the service sets it
        # (search_api.service.install), other users keep the codes.
        self.names: notify.Names | None = None

    @classmethod
    def open(cls, url: str = DEFAULT_URL, *, personal_key: str | None = None,
             password_hasher: PasswordHasher | None = None) -> Store:
        u = parse_url(url)
        return cls(make_engine(u), u, PersonalCipher(personal_key), Passwords(password_hasher))

    @property
    def backend(self) -> Literal["sqlite", "postgresql"]:
        return "sqlite" if self.url.get_backend_name() == "sqlite" else "postgresql"

    @property
    def engine(self) -> Engine:
        return self._engine

    def close(self) -> None:
        self._engine.dispose()
        self._volatile.dispose()

    def after_fork(self) -> None:
        """Call in a child process (e.g. gunicorn's ``post_fork`` with
        ``--preload``): drops the connections inherited from the parent
        without closing them under the parent's feet."""
        self._engine.dispose(close=False)
        self._volatile.dispose(close=False)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def migrate(self) -> None:
        """Upgrade the schema to the latest revision (alembic ``upgrade head``);
        a no-op when it is there; safe when several processes start at once."""
        migrate.upgrade(self._engine)

    # --- transactions --------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._engine.begin() as conn:
            yield conn

    @contextmanager
    def volatile_write(self) -> Iterator[Connection]:
        """A write transaction whose commit does not wait for the disk, for
        state that may lose its last changes when the machine (not the
        process) fails: rate-limit counters. Nothing acknowledged to a user
        may be written here. Atomic and consistent like any transaction, and
        ordered with the durable ones: a later durable commit carries it to
        disk. A second engine: SQLite with ``synchronous=NORMAL`` (WAL mode),
        PostgreSQL with ``synchronous_commit=off``. Saves an fsync per public
        write (issue #17)."""
        with self._volatile.begin() as conn:
            yield conn

    @contextmanager
    def _read(self, *, snapshot: bool = False) -> Iterator[Connection]:
        """A read transaction; with ``snapshot``, every statement in it sees
        the same data (PostgreSQL REPEATABLE READ; an SQLite read
        transaction is a snapshot already)."""
        with self._engine.connect() as conn:
            conn.execution_options(**READ)
            if snapshot and self.backend == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    # --- receipt numbers -------------------------------------------------------------------

    def next_receipt_number(self, on: date, prefix: str = "YH") -> str:
        """The next receipt number of ``on``: ``YH-20261123-0001``, ``-0002``...
        (at least four digits), in its own transaction. Unique across threads
        and processes. A new request takes its number in the transaction that
        stores it instead (:meth:`file_request`).

        Raises:
            ValueError: ``prefix`` is not 1 to 16 ASCII letters or digits.
        """
        _check_prefix(prefix)
        with self._write() as conn:
            return _take_number(conn, on, prefix)

    # --- requests --------------------------------------------------------------------------

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
        _aware(at)
        with self._write() as conn:
            if conn.execute(select(requests.c.number).where(
                    requests.c.number == req.number)).first() is not None:
                raise DuplicateRequest(req.number)
            self._insert_request(conn, req, access_code_hash=access_code_hash, actor=actor,
                                 at=at, idempotency_key=idempotency_key)

    def file_request(self, on: date, build: Callable[[str], Filing], *, actor: Actor,
                     at: datetime, prefix: str = "YH") -> Request:
        """File a new request with one fsync (issue #17): the next receipt
        number of ``on`` is taken, ``build(number)`` makes the request with
        its access-code hash and idempotency key, and it is stored as by
        :meth:`add_request`. Returns the stored request once its commit is
        durable. ``build`` runs while the write lock is held: it must be
        quick and must not use the store. When anything fails, nothing is
        stored. SQLite: one transaction, the number is not used either.
        PostgreSQL: the number is taken just before, in a transaction that
        does not wait for the disk (a failed filing leaves a gap).

        Raises:
            ValueError: a bad ``prefix`` or naive ``at``.
            DuplicateRequest: the number was taken outside the counter.
            IdempotencyKeyTaken: a live key with the same hash exists.
            whatever ``build`` raises (nothing is stored).
        """
        _aware(at)
        _check_prefix(prefix)
        number = None
        if self.backend == "postgresql":
            # The counter row would stay locked until the filing commits and
            # serialise every writer: the number is taken in a transaction of
            # its own that does not wait for the disk. The filing's commit
            # comes later in the WAL, so when the filing is durable its number
            # is too; a failed filing leaves a gap (as a sequence would).
            with self.volatile_write() as conn:
                number = _take_number(conn, on, prefix)
        with self._write() as conn:
            filing = build(number or _take_number(conn, on, prefix))
            self._insert_request(conn, filing.request, access_code_hash=filing.access_code_hash,
                                 actor=actor, at=at, idempotency_key=filing.idempotency_key)
        return filing.request

    def _insert_request(self, conn: Connection, req: Request, *, access_code_hash: str,
                        actor: Actor, at: datetime,
                        idempotency_key: IdempotencyKey | None) -> None:
        """The rows of a new request in ``conn``'s transaction (see :meth:`add_request`)."""
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
            **self._columns(req, snapshot),
        )
        check_row(requests, row)
        try:
            conn.execute(insert(requests).values(**row))
        except IntegrityError:
            raise DuplicateRequest(req.number) from None
        if idempotency_key is not None:
            idempotency.store(conn, self._cipher, idempotency_key, req.number, at)
        self._record(conn, req, list(enumerate(req.events, 1)), version=1, actor=actor, at=at,
                     personal=personal, action="request.added")

    def idempotent_replay(self, key_hash: str, now: datetime) -> Replay | None:
        """The request filed under an idempotency key (see
        :mod:`search_api.store.idempotency`), if the key lives at ``now``.

        Raises:
            PersonalDataKeyError: the stored answer is sealed with another key.
        """
        _aware(now, "now")
        with self._read() as conn:
            return idempotency.find(conn, self._cipher, key_hash, now)

    def save(self, req: Request, *, expected_version: int, actor: Actor, at: datetime,
             outbox: Sequence[OutboxMessage] = (),
             third_party_links: Sequence[tuple[str, str, datetime]] = ()) -> int:
        """Store the new state of a request loaded at ``expected_version``:
        its new events appended, the snapshot replaced, one audit record per
        new event, a message per ``notify`` target of the new events plus
        ``outbox``, and ``third_party_links`` as (token hash, party key,
        expiry) — all in one transaction, so a consultation never exists
        without its links; returns the new version.

        Raises:
            RequestNotFound: no such request.
            StaleRequest: it was saved by someone else since it was loaded.
            HistoryRewritten: the application, receipt day or a recorded event differs.
            PersonalDataRefused: a message of ``outbox`` holds a clear ID or mobile number.
        """
        _aware(at)
        snapshot, personal = split_personal(request_to_dict(req))
        check_row(requests, self._columns(req, snapshot))
        self._check_messages(outbox, personal)
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
            values: dict[str, Any] = dict(self._columns(req, snapshot), version=version,
                                          updated_at=at)
            if self._cipher.encrypts and row.personal.startswith("plain:"):
                values["personal"] = self._cipher.seal(req.number, personal)
            done = conn.execute(update(requests).where(
                requests.c.number == req.number, requests.c.version == expected_version,
            ).values(**values))
            if done.rowcount != 1:  # cannot happen under the row lock; be certain anyway
                raise StaleRequest(req.number, expected_version, -1)
            numbered = list(enumerate(req.events[recorded:], recorded + 1))
            for token_hash, party_key, expires_at in third_party_links:
                if not token_hash or _aware(expires_at, "expires_at") <= at:
                    raise ValueError("a link needs its token's hash and an expiry after now")
                check_row(links, {"token_hash": token_hash, "party_key": party_key})
                conn.execute(insert(links).values(
                    token_hash=token_hash, kind="third_party", request_number=req.number,
                    party_key=party_key, created_at=at, expires_at=expires_at, uses=0,
                    max_uses=None))
            # Last: the audit chain's head stays locked until the commit.
            self._record(conn, req, numbered, version=version, actor=actor, at=at,
                         personal=personal, action="request.saved", outbox=outbox)
        return version

    def load(self, number: str) -> tuple[Request, int]:
        """The request and its version (to pass to :meth:`save`).

        Raises:
            RequestNotFound: no such request.
            PersonalDataKeyError: its personal data is encrypted with another key.
        """
        with self._read() as conn:
            row = conn.execute(
                select(requests.c.snapshot, requests.c.personal, requests.c.version)
                .where(requests.c.number == number)
            ).one_or_none()
        if row is None:
            raise RequestNotFound(number)
        personal = self._cipher.open(number, row.personal)
        return request_from_dict(join_personal(row.snapshot, personal)), int(row.version)

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
            value = conn.execute(select(requests.c.access_code_hash).where(
                requests.c.number == number)).scalar_one_or_none()
        return str(value) if value is not None else None

    def list_requests(self, *, department: str | None = None,
                      states: Collection[State] | None = None,
                      limit: int = 500) -> list[RequestSummary]:
        """Requests oldest first, for queues: no name, no contact, the identity masked."""
        r = requests.c
        query = select(r.number, r.dataset_id, r.department, r.state, r.received,
                       r.last_event_on, r.identity_kind, r.identity_masked, r.outcome,
                       r.decided_on, r.version)
        if department is not None:
            query = query.where(r.department == department)
        if states is not None:
            query = query.where(r.state.in_([State(s).value for s in states]))
        query = query.order_by(r.received, r.number).limit(limit)
        with self._read() as conn:
            rows = conn.execute(query).all()
        return [RequestSummary(
            number=row.number, dataset_id=row.dataset_id, department=row.department,
            state=State(row.state), received=row.received, last_event_on=row.last_event_on,
            identity_kind=row.identity_kind, identity_masked=row.identity_masked,
            outcome=Outcome(row.outcome) if row.outcome else None, decided_on=row.decided_on,
            version=row.version) for row in rows]

    def counts_by_dataset(self, *, received_from: date | None = None,
                          received_to: date | None = None) -> dict[str, RegisterCounts]:
        """Register counts per dataset, for requests received in the range (inclusive)."""
        return self._counts(requests.c.dataset_id, received_from, received_to)

    def counts_by_department(self, *, received_from: date | None = None,
                             received_to: date | None = None) -> dict[str, RegisterCounts]:
        """Register counts per providing department (000 §50, 004 §43)."""
        return self._counts(requests.c.department, received_from, received_to)

    def _counts(self, key: Any, received_from: date | None,
                received_to: date | None) -> dict[str, RegisterCounts]:
        r = requests.c

        def n(condition: ColumnElement[bool]) -> Any:
            return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

        query = select(
            key, func.count(),
            n(r.state.in_([s.value for s in UNDECIDED])),
            n(r.outcome.is_not(None)),
            n(r.answered_in_time.is_(True)),
            n(r.outcome == Outcome.APPROVED.value),
            n(r.outcome == Outcome.DENIED.value),
            n(r.outcome == Outcome.REJECTED.value),
            n(r.outcome == Outcome.NOT_PROCESSED.value),
            n(r.state == State.WITHDRAWN.value),
        ).group_by(key).order_by(key)
        if received_from is not None:
            query = query.where(r.received >= received_from)
        if received_to is not None:
            query = query.where(r.received <= received_to)
        with self._read() as conn:
            rows = conn.execute(query).all()
        return {row[0]: RegisterCounts(*(int(v) for v in row[1:])) for row in rows}

    # --- internals of requests -----------------------------------------------------------

    @staticmethod
    def _columns(req: Request, snapshot: dict[str, Any]) -> dict[str, Any]:
        decision = req.decision
        return dict(
            dataset_id=req.dataset_id, department=req.department, state=req.state.value,
            received=req.received, last_event_on=req.last_event_on,
            outcome=decision.outcome.value if decision else None,
            decided_on=decision.on if decision else None,
            answered_in_time=_answered_in_time(req), snapshot=snapshot,
        )

    @staticmethod
    def _secrets(personal: Mapping[str, str]) -> tuple[str, ...]:
        # Values a message must not contain. A very short one ("-", "1") is
        # no identifier and would match the messages' own words.
        # The clear free texts (clear:purpose...) are prose, not identifiers:
        # the identifiers inside them are caught by the detector itself.
        return tuple(v for k, v in personal.items()
                     if not k.startswith(CLEAR_PREFIX) and k != "email"
                     and len(v.strip()) >= MIN_SECRET_CHARS)

    def _record(self, conn: Connection, req: Request, numbered: Sequence[tuple[int, Event]], *,
                version: int, actor: Actor, at: datetime, personal: Mapping[str, str],
                action: str, outbox: Sequence[OutboxMessage] = ()) -> None:
        """Events, messages (the events' own, then ``outbox``) and audit
        records of one add or save."""
        rows = [{
            "request_number": req.number, "seq": seq, "kind": e.kind.value,
            "actor_role": e.actor_role.value, "actor": e.actor, "happened_on": e.on,
            "data": dict(e.data), "notify": list(e.notify), "recorded_at": at,
        } for seq, e in numbered]
        for row in rows:
            check_row(request_events, row)
        if rows:
            conn.execute(insert(request_events), rows)
        # The messages first: on PostgreSQL the chain head stays locked from
        # the audit append to the commit, so that is the last thing done.
        self._insert_messages(conn, notify.event_messages(req, numbered, self.names), at)
        for message in outbox:
            self._insert_message(conn, message, at)
        secrets = self._secrets(personal)
        records: list[tuple[str, str, Mapping[str, Any]]] = [
            (f"request.{e.kind}", req.number,
             {"seq": seq, "on": e.on.isoformat(), "by": {"role": e.actor_role.value,
                                                         "name": e.actor},
              "state": req.state.value, "version": version, "data": dict(e.data)})
            for seq, e in numbered]
        if not numbered:
            records = [(action, req.number, {"state": req.state.value, "version": version})]
        audit.append_many(conn, at=at, actor_role=actor.role.value, actor=actor.name,
                          events=records, secrets=secrets)

    # --- outbox ----------------------------------------------------------------------------

    def _check_messages(self, messages: Iterable[OutboxMessage],
                        personal: Mapping[str, str] | None = None) -> None:
        secrets = self._secrets(personal or {})
        for m in messages:
            problems = pii_problems({"recipient": m.recipient, "subject": m.subject,
                                     "body": m.body, "kind": m.kind,
                                     "dedupe_key": m.dedupe_key}, also=secrets)
            if problems:
                raise PersonalDataRefused(
                    f"message {m.kind!r} for {m.recipient_role} refused: {'; '.join(problems)} "
                    "(personal data never goes into the outbox, SPEC §7)")

    @staticmethod
    def _insert_message(conn: Connection, m: OutboxMessage, at: datetime) -> bool:
        values = dict(created_at=at, kind=m.kind, recipient_role=m.recipient_role,
                      recipient=m.recipient, subject=m.subject, body=m.body,
                      request_number=m.request_number, dedupe_key=m.dedupe_key,
                      status="pending", attempts=0)
        check_row(outbox, values)
        stmt = _dialect_insert(conn, outbox).values(**values)
        if m.dedupe_key is not None:
            stmt = stmt.on_conflict_do_nothing(index_elements=[outbox.c.dedupe_key])
        return bool(conn.execute(stmt).rowcount == 1)

    @staticmethod
    def _insert_messages(conn: Connection, messages: Sequence[OutboxMessage],
                         at: datetime) -> None:
        """Queue ``messages`` in one statement; one whose ``dedupe_key``
        exists already is left out."""
        rows = [dict(created_at=at, kind=m.kind, recipient_role=m.recipient_role,
                     recipient=m.recipient, subject=m.subject, body=m.body,
                     request_number=m.request_number, dedupe_key=m.dedupe_key,
                     status="pending", attempts=0) for m in messages]
        if not rows:
            return
        for row in rows:
            check_row(outbox, row)
        conn.execute(_dialect_insert(conn, outbox).values(rows).on_conflict_do_nothing(
            index_elements=[outbox.c.dedupe_key]))

    def add_message(self, msg: OutboxMessage, *, at: datetime) -> bool:
        """Queue ``msg``; False (and nothing added) when a message with the
        same ``dedupe_key`` exists.

        Raises:
            PersonalDataRefused: the message holds a clear ID or mobile number.
        """
        _aware(at)
        self._check_messages([msg])
        with self._write() as conn:
            return self._insert_message(conn, msg, at)

    def pending_messages(self, limit: int = 100) -> list[OutboxMessage]:
        """Messages still to send, oldest first (failed ones are retried until
        :data:`MAX_ATTEMPTS`)."""
        with self._read() as conn:
            rows = conn.execute(select(outbox).where(outbox.c.status == "pending")
                                .order_by(outbox.c.id).limit(limit)).all()
        return [self._message(row) for row in rows]

    def claim_messages(self, claimer: str, now: datetime, *, limit: int = 10,
                       lease: timedelta = CLAIM_LEASE) -> list[OutboxMessage]:
        """Claim up to ``limit`` pending messages, oldest first, for
        ``claimer`` until ``now + lease``: one atomic UPDATE of the messages
        that are pending and unclaimed (or whose claim has run out), in one
        transaction, so two senders never claim the same message
        (PostgreSQL: the rows are read ``FOR UPDATE SKIP LOCKED``, so a
        second sender takes the next ones instead of waiting; SQLite:
        writers are serial). A claim ends with
        :meth:`mark_sent`, or runs out after a :meth:`mark_failed`, so a
        failed message is retried on a later run, not in this one.

        Raises:
            ValueError: ``now`` is naive, ``claimer`` blank or too long.
        """
        _aware(now, "now")
        if not claimer.strip():
            raise ValueError("a claim names its sender")
        check_row(outbox, {"claimed_by": claimer})
        o = outbox.c
        free = (o.status == "pending") & (o.claimed_until.is_(None) | (o.claimed_until < now))
        with self._write() as conn:
            # Two statements, not UPDATE ... WHERE id IN (SELECT ... LIMIT): on
            # PostgreSQL such a subquery may run again per row and claim more
            # than ``limit``. The rows read here stay locked until the commit.
            ids = list(conn.execute(select(o.id).where(free).order_by(o.id).limit(limit)
                                    .with_for_update(skip_locked=True)).scalars())
            if not ids:
                return []
            rows = conn.execute(update(outbox).where(o.id.in_(ids), free).values(
                claimed_by=claimer, claimed_until=now + lease).returning(*outbox.c)).all()
        return sorted((self._message(row) for row in rows), key=lambda m: m.id or 0)

    def release_messages(self, claimer: str, ids: list[int]) -> None:
        """End ``claimer``'s claim on the messages ``ids`` it has not tried
        (a run that stops early): the next run may take them at once."""
        if not ids:
            return
        o = outbox.c
        with self._write() as conn:
            conn.execute(update(outbox).where(o.id.in_(ids), o.claimed_by == claimer,
                                              o.status == "pending")
                         .values(claimed_until=None))

    def message(self, id: int) -> OutboxMessage | None:
        with self._read() as conn:
            row = conn.execute(select(outbox).where(outbox.c.id == id)).one_or_none()
        return self._message(row) if row is not None else None

    @staticmethod
    def _message(row: Any) -> OutboxMessage:
        return OutboxMessage(
            kind=row.kind, recipient_role=row.recipient_role, recipient=row.recipient,
            subject=row.subject, body=row.body, request_number=row.request_number,
            dedupe_key=row.dedupe_key, id=row.id, status=row.status, attempts=row.attempts,
            created_at=row.created_at, sent_at=row.sent_at, last_error=row.last_error)

    def mark_sent(self, id: int, at: datetime) -> None:
        """Raises LookupError for an unknown message."""
        _aware(at)
        with self._write() as conn:
            done = conn.execute(update(outbox).where(outbox.c.id == id).values(
                status="sent", sent_at=at, last_attempt_at=at, attempts=outbox.c.attempts + 1,
                last_error=None, claimed_until=None))
            if done.rowcount != 1:
                raise LookupError(f"no outbox message {id}")

    def mark_failed(self, id: int, error: str, at: datetime) -> None:
        """Record a failed attempt; after :data:`MAX_ATTEMPTS` the message is
        ``failed`` and no longer pending. ``error`` should be the mail
        server's answer, without personal data. A claim on the message is
        kept until it runs out (no retry within the same run). Raises
        LookupError for an unknown id."""
        _aware(at)
        with self._write() as conn:
            done = conn.execute(update(outbox).where(outbox.c.id == id).values(
                attempts=outbox.c.attempts + 1, last_attempt_at=at, last_error=error[:2000],
                status=case((outbox.c.attempts + 1 >= MAX_ATTEMPTS, "failed"),
                            else_="pending")))
            if done.rowcount != 1:
                raise LookupError(f"no outbox message {id}")

    # --- audit -----------------------------------------------------------------------------

    def append_audit(self, *, actor: Actor, action: str, subject: str,
                     detail: Mapping[str, Any], at: datetime) -> int:
        """Append an audit record (e.g. a sign-in, a download, a configuration
        change); returns its sequence number. Clear ID, mobile and card numbers
        in ``detail`` are masked."""
        with self._write() as conn:
            return audit.append(conn, at=at, actor_role=actor.role.value, actor=actor.name,
                                action=action, subject=subject, detail=detail)

    def record_publication(self, events: Sequence[tuple[str, str, Mapping[str, Any]]], *,
                           actor: str, at: datetime) -> list[int]:
        """Append one audit record per ``(action, dataset id, detail)`` of a
        build, by the ``system`` role as ``actor``, all in one transaction;
        returns their sequence numbers."""
        _aware(at)
        with self._write() as conn:
            return audit.append_many(conn, at=at, actor_role=Role.SYSTEM.value, actor=actor,
                                     events=events)

    def verify_audit(self) -> list[str]:
        """Problems of the audit chain in English (altered, deleted, reordered
        records); empty when intact."""
        with self._read(snapshot=True) as conn:
            return audit.verify(conn)

    def audit_head(self) -> tuple[int, str, int]:
        """``(head seq, head hash, last stored seq)`` of the audit chain."""
        with self._read(snapshot=True) as conn:
            return audit.head(conn)

    def audit_hashes(self, seqs: Iterable[int]) -> dict[int, str]:
        """The stored hash of each audit record of ``seqs`` that exists."""
        with self._read() as conn:
            return audit.hashes(conn, seqs)

    def audit_records(self, subject: str | None = None, *, limit: int = 1000) -> list[AuditRecord]:
        """Audit records, oldest first, all or those about ``subject``."""
        query = select(audit_log).order_by(audit_log.c.seq).limit(limit)
        if subject is not None:
            query = query.where(audit_log.c.subject == subject)
        with self._read() as conn:
            rows = conn.execute(query).all()
        return [AuditRecord(seq=r.seq, at=r.at, actor_role=r.actor_role, actor=r.actor,
                            action=r.action, subject=r.subject, detail=r.detail,
                            prev_hash=r.prev_hash, hash=r.hash) for r in rows]

    # --- users -----------------------------------------------------------------------------

    def add_user(self, username: str, password: str, role: str,
                 department: str | None = None, *, at: datetime) -> None:
        """Add an active reviewer with an argon2 password hash.

        Raises:
            DuplicateUser: the name is taken. ValueError: blank name or role,
                or a password shorter than 10 characters.
        """
        _aware(at)
        name = username.strip()
        if not name or not str(role).strip():
            raise ValueError("a user needs a name and a role")
        check_row(users, {"username": name, "role": str(role), "department": department})
        hashed = self._passwords.hash(password)
        try:
            with self._write() as conn:
                if conn.execute(select(users.c.id).where(users.c.username == name)).first():
                    raise DuplicateUser(name)
                conn.execute(insert(users).values(
                    username=name, password_hash=hashed, role=str(role),
                    department=department, active=True, created_at=at))
        except IntegrityError:
            raise DuplicateUser(name) from None

    def get_user(self, username: str) -> User | None:
        with self._read() as conn:
            row = conn.execute(select(users).where(users.c.username == username)).one_or_none()
        return self._user(row) if row is not None else None

    def list_users(self) -> list[User]:
        with self._read() as conn:
            rows = conn.execute(select(users).order_by(users.c.username)).all()
        return [self._user(row) for row in rows]

    @staticmethod
    def _user(row: Any) -> User:
        return User(username=row.username, role=row.role, department=row.department,
                    active=bool(row.active), created_at=row.created_at,
                    session_epoch=int(row.session_epoch))

    def check_password(self, username: str, password: str) -> User | None:
        """The user when the password is right and the account active; else
        None (as slow for an unknown name). A hash made with older argon2
        parameters is redone."""
        with self._read() as conn:
            row = conn.execute(select(users).where(users.c.username == username)).one_or_none()
        stored = row.password_hash if row is not None else None
        if not self._passwords.verify(stored, password) or row is None:
            return None
        if not row.active:
            return None
        if self._passwords.needs_rehash(row.password_hash):
            with self._write() as conn:
                conn.execute(update(users).where(
                    users.c.id == row.id, users.c.password_hash == row.password_hash,
                ).values(password_hash=self._passwords.hasher.hash(password)))
        return self._user(row)

    def set_user_active(self, username: str, active: bool) -> None:
        """Enable or disable a reviewer. Disabling ends every session of the
        user at once: their stored sessions are deleted and the session epoch
        raised (so a session kept elsewhere, e.g. in Redis, is refused too).

        Raises:
            UserNotFound: no such user.
        """
        values: dict[str, Any] = {"active": active}
        if not active:
            values["session_epoch"] = users.c.session_epoch + 1
        with self._write() as conn:
            if conn.execute(update(users).where(users.c.username == username)
                            .values(**values)).rowcount != 1:
                raise UserNotFound(username)
            if not active:
                conn.execute(delete(sessions).where(sessions.c.username == username))

    def set_password(self, username: str, password: str) -> None:
        """Change or reset a reviewer's password; every session of the user
        ends (deleted, and the session epoch raised).

        Raises:
            UserNotFound: no such user. ValueError: a short password.
        """
        hashed = self._passwords.hash(password)
        with self._write() as conn:
            if conn.execute(update(users).where(users.c.username == username).values(
                    password_hash=hashed,
                    session_epoch=users.c.session_epoch + 1)).rowcount != 1:
                raise UserNotFound(username)
            conn.execute(delete(sessions).where(sessions.c.username == username))

    # --- links -----------------------------------------------------------------------------

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
        if _aware(expires_at, "expires_at") <= _aware(at):
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
        _aware(now, "now")
        with self._read() as conn:
            row = conn.execute(select(links).where(*self._usable(kind, token_hash, now))
                               ).one_or_none()
        return self._link(row) if row is not None else None

    def use_link(self, kind: LinkKind, token_hash: str, now: datetime) -> Link | None:
        """Like :meth:`find_link`, counting one use atomically (a download)."""
        _aware(now, "now")
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

    # --- backup ----------------------------------------------------------------------------

    def backup(self, target: Path) -> None:
        """A consistent backup to ``target`` while the service runs (SQLite:
        online backup API; PostgreSQL: ``pg_dump --format=custom``).

        Raises:
            BackupError: pg_dump missing or failing; the backup failed its check.
        """
        if self.backend == "sqlite":
            backup.sqlite_backup(self._engine, Path(target))
        else:
            backup.pg_backup(self.url, Path(target))

    @classmethod
    def restore(cls, url: str, source: Path) -> None:
        """Replace the database at ``url`` with the backup ``source``; for a
        stopped service. Open and :meth:`migrate` afterwards as usual.

        Raises:
            BackupError: no such file, not a backup, pg_restore missing or failing.
        """
        u = parse_url(url)
        if u.get_backend_name() == "sqlite":
            assert u.database is not None
            backup.sqlite_restore(u.database, Path(source))
        else:
            backup.pg_restore(u, Path(source))
