"""The hash-chained audit log (调度溯源, 003 §34; SPEC §6).

Each record's ``hash`` is the SHA-256 of a canonical JSON of the record
(time, actor, action, subject, detail) and the previous record's hash, so
that changing, removing or reordering a record breaks the chain:

- an altered record no longer matches its own hash;
- a deleted record leaves a gap in ``seq`` (or, at the end, a chain head
  ahead of the last record);
- reordered records (or renumbered ones that close a gap) no longer follow
  the hash of the record before them.

The sequence number is not hashed: order is what ``prev_hash`` proves, and
that lets :func:`verify` tell a reordering from an alteration.

Appends are serialised by an ``UPDATE`` of the single ``audit_head`` row
(a row lock on PostgreSQL; SQLite write transactions are serial anyway),
held until the transaction that appends commits. The store appends a
filing's or a save's records together (:func:`append_many`), as the last
statements before the commit, so the head is held as briefly as it can be;
a group commit (:mod:`search_api.store.group_commit`) checks each filing's
records with :func:`prepare` and chains the whole batch's at its end with
:func:`append_prepared` (issue #17).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    TextClause,
    bindparam,
    func,
    insert,
    select,
    text,
    update,
)

from search_api.store import direct
from search_api.store.personal import mask_pii
from search_api.store.schema import GENESIS, audit_head, audit_log, check_row

CTE_ROWS = 100
"""Most records appended in one statement with the new head (PostgreSQL)."""

# The statements of an append, built once (issue #17).
_TAKE_SEQS = (update(audit_head).where(audit_head.c.id == 1)
              .values(seq=audit_head.c.seq + bindparam("count", type_=Integer))
              .returning(audit_head.c.seq, audit_head.c.hash))
_ADD_RECORDS = insert(audit_log)
_MOVE_HEAD = update(audit_head).where(audit_head.c.id == 1).values(
    hash=bindparam("new_hash", type_=audit_head.c.hash.type))

_ROW_FIELDS = ("seq", "at", "actor_role", "actor", "action", "subject", "detail", "prev_hash",
               "hash")
"""The fields of an appended record, each a parameter per row (a group
commit appends the records of several filings, by several actors)."""


@lru_cache(maxsize=CTE_ROWS)
def _append_with_head(n: int) -> TextClause:
    """PostgreSQL: ``n`` records and the new chain head in one statement (a
    data-modifying WITH runs whether or not it is read). Built once per
    ``n`` as text with typed parameters, so SQLAlchemy compiles it once
    (a multi-row ``insert().values([...])`` is compiled at every call,
    issue #17). Parameters: ``head`` and ``<field>_<i>`` for each field of
    :data:`_ROW_FIELDS` and row ``i``."""
    values = ", ".join("(" + ", ".join(f":{name}_{i}" for name in _ROW_FIELDS) + ")"
                       for i in range(n))
    return text(
        "WITH appended AS (INSERT INTO audit_log (seq, at, actor_role, actor, action, "
        f"subject, detail, prev_hash, hash) VALUES {values}) "
        "UPDATE audit_head SET hash = :head WHERE audit_head.id = 1"
    ).bindparams(*[bindparam(f"at_{i}", type_=audit_log.c.at.type) for i in range(n)])


def canonical(value: Any) -> str:
    """The canonical JSON text of ``value``: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False)


def utc_iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def record_hash(*, at: datetime, actor_role: str, actor: str, action: str, subject: str,
                detail: str, prev_hash: str) -> str:
    body = canonical({
        "at": utc_iso(at), "actor_role": actor_role, "actor": actor, "action": action,
        "subject": subject, "detail": detail, "prev_hash": prev_hash,
    })
    return hashlib.sha256(body.encode()).hexdigest()


def append(conn: Connection, *, at: datetime, actor_role: str, actor: str, action: str,
           subject: str, detail: Mapping[str, Any], secrets: tuple[str, ...] = ()) -> int:
    """Append one record in ``conn``'s transaction; returns its ``seq``.
    Clear ID, mobile and card numbers in ``detail`` (and ``secrets``) are masked.

    Raises:
        ValueError: ``at`` is naive, or ``detail`` is not JSON.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"audit timestamps must be timezone-aware (UTC), got {at!r}")
    text = canonical(mask_pii(dict(detail), secrets))
    check_row(audit_log, {"actor_role": actor_role, "actor": actor, "action": action,
                          "subject": subject, "detail": text})
    head = conn.execute(
        update(audit_head).where(audit_head.c.id == 1)
        .values(seq=audit_head.c.seq + 1)
        .returning(audit_head.c.seq, audit_head.c.hash)
    ).one()
    seq, prev = int(head.seq), str(head.hash)
    digest = record_hash(at=at, actor_role=actor_role, actor=actor, action=action,
                         subject=subject, detail=text, prev_hash=prev)
    conn.execute(insert(audit_log).values(
        seq=seq, at=at, actor_role=actor_role, actor=actor, action=action, subject=subject,
        detail=text, prev_hash=prev, hash=digest))
    conn.execute(update(audit_head).where(audit_head.c.id == 1).values(hash=digest))
    return seq


@dataclass(frozen=True)
class Pending:
    """An audit record checked and masked, ready to be chained (:func:`append_prepared`)."""

    at: datetime
    actor_role: str
    actor: str
    action: str
    subject: str
    detail: str


def prepare(*, at: datetime, actor_role: str, actor: str,
            events: Sequence[tuple[str, str, Mapping[str, Any]]],
            secrets: tuple[str, ...] = ()) -> list[Pending]:
    """One checked record per ``(action, subject, detail)``, its detail
    masked (clear ID, mobile and card numbers, ``secrets``) and as text.

    Raises:
        ValueError: ``at`` is naive, or a detail is not JSON or too long.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"audit timestamps must be timezone-aware (UTC), got {at!r}")
    pending = []
    for action, subject, detail in events:
        text = canonical(mask_pii(dict(detail), secrets))
        check_row(audit_log, {"actor_role": actor_role, "actor": actor, "action": action,
                              "subject": subject, "detail": text})
        pending.append(Pending(at, actor_role, actor, action, subject, text))
    return pending


def append_many(conn: Connection, *, at: datetime, actor_role: str, actor: str,
                events: Sequence[tuple[str, str, Mapping[str, Any]]],
                secrets: tuple[str, ...] = ()) -> list[int]:
    """Append one record per ``(action, subject, detail)`` in ``conn``'s
    transaction, like :func:`append` but with two or three statements for
    all of them (a build may publish thousands of datasets; a filing or a
    save holds the chain head for as short a time as it can); returns their ``seq``.

    Raises:
        ValueError: ``at`` is naive, or a detail is not JSON.
    """
    return append_prepared(conn, prepare(at=at, actor_role=actor_role, actor=actor,
                                         events=events, secrets=secrets))


def append_prepared(conn: Connection, pending: Sequence[Pending]) -> list[int]:
    """Chain and append ``pending`` in order in ``conn``'s transaction (the
    chain head is locked from here to the commit); returns their ``seq``."""
    if not pending:
        return []
    (seq, prev), = direct.rows(conn, _TAKE_SEQS, {"count": len(pending)})
    first, prev = int(seq) - len(pending) + 1, str(prev)
    rows = []
    for offset, p in enumerate(pending):
        digest = record_hash(at=p.at, actor_role=p.actor_role, actor=p.actor, action=p.action,
                             subject=p.subject, detail=p.detail, prev_hash=prev)
        rows.append({"seq": first + offset, "at": p.at, "actor_role": p.actor_role,
                     "actor": p.actor, "action": p.action, "subject": p.subject,
                     "detail": p.detail, "prev_hash": prev, "hash": digest})
        prev = digest
    if conn.dialect.name == "postgresql" and len(rows) <= CTE_ROWS:
        # The records and the new head in one statement: the head row stays
        # locked from the first UPDATE to the commit, so every round trip counts.
        params: dict[str, Any] = {"head": prev}
        for i, row in enumerate(rows):
            params.update((f"{name}_{i}", row[name]) for name in _ROW_FIELDS)
        direct.rows(conn, _append_with_head(len(rows)), params)
    else:
        direct.many(conn, _ADD_RECORDS, rows)
        direct.rows(conn, _MOVE_HEAD, {"new_hash": prev})
    return list(range(first, first + len(rows)))


def verify(conn: Connection) -> list[str]:
    """Every problem of the chain, in English; empty when intact."""
    problems: list[str] = []
    position = {row.hash: row.seq for row in conn.execute(
        select(audit_log.c.seq, audit_log.c.hash))}
    rows = conn.execution_options(yield_per=1000).execute(
        select(audit_log).order_by(audit_log.c.seq))
    expected, prev_hash, last_hash, last_seq = 1, GENESIS, GENESIS, 0
    for row in rows:
        gap = row.seq != expected
        if gap:
            missing = (f"record {expected} is" if row.seq == expected + 1
                       else f"records {expected} to {row.seq - 1} are")
            problems.append(f"{missing} missing: deleted from the audit log")
        digest = record_hash(at=row.at, actor_role=row.actor_role, actor=row.actor,
                             action=row.action, subject=row.subject, detail=row.detail,
                             prev_hash=row.prev_hash)
        if digest != row.hash:
            problems.append(f"record {row.seq} was altered: its content does not match its hash")
        if row.prev_hash != prev_hash and not gap:
            claimed = position.get(row.prev_hash)
            if claimed is not None:
                problems.append(
                    f"record {row.seq} is out of order: it follows record {claimed}, "
                    f"not record {row.seq - 1} (records reordered)")
            elif row.seq == 1:
                problems.append("record 1 does not start the chain (prev_hash mismatch)")
            else:
                problems.append(
                    f"record {row.seq} does not follow record {row.seq - 1} (prev_hash "
                    "mismatch): a record before it was removed, replaced or re-hashed")
        expected, prev_hash, last_seq, last_hash = row.seq + 1, row.hash, row.seq, row.hash
    head = conn.execute(select(audit_head.c.seq, audit_head.c.hash)).one_or_none()
    if head is None:
        problems.append("the chain head (audit_head) is missing")
    elif head.seq > last_seq:
        first = last_seq + 1
        which = f"record {first} is" if head.seq == first else f"records {first} to {head.seq} are"
        problems.append(f"{which} missing: deleted from the end of the audit log")
    elif head.seq < last_seq:
        problems.append(f"records after {head.seq} were added outside the store "
                        "(the chain head is behind the log)")
    elif head.hash != last_hash:
        problems.append(f"record {last_seq} does not match the chain head: it was altered "
                        "or replaced")
    return problems


def head(conn: Connection) -> tuple[int, str, int]:
    """``(head seq, head hash, last stored seq)``: what a checkpoint signs,
    and how far the records really go (0 when there are none)."""
    row = conn.execute(select(audit_head.c.seq, audit_head.c.hash)).one_or_none()
    last = conn.execute(select(func.max(audit_log.c.seq))).scalar_one_or_none()
    seq, digest = (int(row.seq), str(row.hash)) if row is not None else (0, GENESIS)
    return seq, digest, int(last or 0)


def hashes(conn: Connection, seqs: Iterable[int]) -> dict[int, str]:
    """The stored hash of each record of ``seqs`` that exists."""
    wanted = sorted(set(seqs))
    found: dict[int, str] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        found.update((int(r.seq), str(r.hash)) for r in conn.execute(
            select(audit_log.c.seq, audit_log.c.hash).where(audit_log.c.seq.in_(chunk))))
    return found
