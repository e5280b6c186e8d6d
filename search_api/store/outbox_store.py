"""The outbox part of the store: messages queued in the transaction of the
change they announce, claimed by one sender at a time, marked sent or failed.

Personal data never goes into the outbox (SPEC §7): every message is checked
for clear ID, card and mobile numbers, and for the personal values of the
request it is about, before it is queued.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, case, select, update

from domain.procedures.request_codec import CLEAR_PREFIX
from search_api.store.core import StoreCore, aware, dialect_insert, insert_for
from search_api.store.errors import PersonalDataRefused
from search_api.store.personal import pii_problems
from search_api.store.records import MAX_ATTEMPTS, OutboxMessage
from search_api.store.schema import check_row, outbox

CLAIM_LEASE = timedelta(minutes=10)
"""How long a sender's claim on an outbox message lasts: far longer than a
batch of sends (SMTP times out after 30 s), short enough that a crashed
sender's messages go out on a later run."""

MIN_SECRET_CHARS = 6
"""Shortest personal value the outbox check looks for in messages."""


def message_secrets(personal: Mapping[str, str]) -> tuple[str, ...]:
    """The personal values of a request that a message must not contain."""
    # A very short one ("-", "1") is no identifier and would match the
    # messages' own words. The clear free texts (clear:purpose...) are prose,
    # not identifiers: the identifiers inside them are caught by the detector.
    return tuple(v for k, v in personal.items()
                 if not k.startswith(CLEAR_PREFIX) and k != "email"
                 and len(v.strip()) >= MIN_SECRET_CHARS)


def check_messages(messages: Iterable[OutboxMessage],
                   personal: Mapping[str, str] | None = None) -> None:
    """Refuse ``messages`` when one holds personal data.

    Raises:
        PersonalDataRefused: a message holds a clear ID, card or mobile
            number, or one of the values of ``personal`` (see :func:`message_secrets`).
    """
    secrets = message_secrets(personal or {})
    for m in messages:
        problems = pii_problems({"recipient": m.recipient, "subject": m.subject,
                                 "body": m.body, "kind": m.kind,
                                 "dedupe_key": m.dedupe_key}, also=secrets)
        if problems:
            raise PersonalDataRefused(
                f"message {m.kind!r} for {m.recipient_role} refused: {'; '.join(problems)} "
                "(personal data never goes into the outbox, SPEC §7)")


def _row(m: OutboxMessage, at: datetime) -> dict[str, Any]:
    row = dict(created_at=at, kind=m.kind, recipient_role=m.recipient_role,
               recipient=m.recipient, subject=m.subject, body=m.body,
               request_number=m.request_number, dedupe_key=m.dedupe_key,
               status="pending", attempts=0)
    check_row(outbox, row)
    return row


def message_rows(messages: Sequence[OutboxMessage], at: datetime) -> list[dict[str, Any]]:
    """The ``outbox`` rows of ``messages`` queued at ``at``, checked (see
    :func:`insert_messages`; a row whose ``dedupe_key`` exists is to be left out).

    Raises:
        ValueError: a value too long for its column, or text with NUL.
    """
    return [_row(m, at) for m in messages]


def insert_message(conn: Connection, m: OutboxMessage, at: datetime) -> bool:
    """Queue ``m`` in ``conn``'s transaction; False (nothing queued) when a
    message with its ``dedupe_key`` exists. Check it first (:func:`check_messages`).

    Raises:
        ValueError: a value too long for its column, or text with NUL.
    """
    stmt = dialect_insert(conn, outbox).values(**_row(m, at))
    if m.dedupe_key is not None:
        stmt = stmt.on_conflict_do_nothing(index_elements=[outbox.c.dedupe_key])
    return bool(conn.execute(stmt).rowcount == 1)


def insert_messages(conn: Connection, messages: Sequence[OutboxMessage], at: datetime) -> None:
    """Queue ``messages`` in one round trip of ``conn``'s transaction; one
    whose ``dedupe_key`` exists already is left out.

    Raises:
        ValueError: a value too long for its column, or text with NUL.
    """
    rows = message_rows(messages, at)
    if rows:
        # Rows as parameters, not ``values(rows)``: the statement is compiled
        # once (a multi-row VALUES is compiled at every call); PostgreSQL
        # still gets one INSERT with every row (psycopg2's "insertmanyvalues").
        conn.execute(_queue_of(conn.dialect.name), rows)


@lru_cache(maxsize=4)
def _queue_of(dialect: str) -> Any:
    """The INSERT of :func:`insert_messages` for ``dialect``, built once."""
    return insert_for(dialect, outbox).on_conflict_do_nothing(
        index_elements=[outbox.c.dedupe_key])


def message_of(row: Any) -> OutboxMessage:
    """The message of an ``outbox`` row."""
    return OutboxMessage(
        kind=row.kind, recipient_role=row.recipient_role, recipient=row.recipient,
        subject=row.subject, body=row.body, request_number=row.request_number,
        dedupe_key=row.dedupe_key, id=row.id, status=row.status, attempts=row.attempts,
        created_at=row.created_at, sent_at=row.sent_at, last_error=row.last_error)


class OutboxPart(StoreCore):
    """Queueing, claiming and marking outbox messages."""

    # For the other parts of the store that queue messages in their own
    # transactions (grants, reports): the checks above, by their old names.
    _check_messages = staticmethod(check_messages)
    _insert_message = staticmethod(insert_message)

    def add_message(self, msg: OutboxMessage, *, at: datetime) -> bool:
        """Queue ``msg``; False (and nothing added) when a message with the
        same ``dedupe_key`` exists.

        Raises:
            PersonalDataRefused: the message holds a clear ID or mobile number.
        """
        aware(at)
        check_messages([msg])
        with self._write() as conn:
            return insert_message(conn, msg, at)

    def pending_messages(self, limit: int = 100) -> list[OutboxMessage]:
        """Messages still to send, oldest first (failed ones are retried until
        :data:`MAX_ATTEMPTS`)."""
        with self._read() as conn:
            rows = conn.execute(select(outbox).where(outbox.c.status == "pending")
                                .order_by(outbox.c.id).limit(limit)).all()
        return [message_of(row) for row in rows]

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
        aware(now, "now")
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
        return sorted((message_of(row) for row in rows), key=lambda m: m.id or 0)

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
        return message_of(row) if row is not None else None

    def mark_sent(self, id: int, at: datetime) -> None:
        """Raises LookupError for an unknown message."""
        aware(at)
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
        aware(at)
        with self._write() as conn:
            done = conn.execute(update(outbox).where(outbox.c.id == id).values(
                attempts=outbox.c.attempts + 1, last_attempt_at=at, last_error=error[:2000],
                status=case((outbox.c.attempts + 1 >= MAX_ATTEMPTS, "failed"),
                            else_="pending")))
            if done.rowcount != 1:
                raise LookupError(f"no outbox message {id}")

