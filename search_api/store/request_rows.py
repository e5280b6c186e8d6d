"""The rows of a request's add or save besides its own row (issue #17: out
of :mod:`search_api.store.request_store` to keep it small): its columns, events,
messages, audit records and consultation links.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert

from domain.procedures.request_records import Actor, Event, Request
from domain.procedures.request_states import EventKind, Outcome
from search_api.store import audit, notify
from search_api.store.core import aware
from search_api.store.outbox_store import insert_message, message_rows, message_secrets
from search_api.store.records import OutboxMessage
from search_api.store.schema import check_row, links, request_events
from search_api.store.schema import outbox as outbox_table
from search_api.store.together import Rows, insert_together

# The event that carries the decision, and its in-time flag.
_DECISION_EVENT = {
    Outcome.REJECTED: (EventKind.REJECTED, "review_in_time"),
    Outcome.APPROVED: (EventKind.APPROVED, "reply_in_time"),
    Outcome.DENIED: (EventKind.DENIED, "reply_in_time"),
    Outcome.NOT_PROCESSED: (EventKind.EXPLANATION_JUDGED, "reply_in_time"),
}


def answered_in_time(req: Request) -> bool | None:
    """Whether the request's decision came in time (None: undecided, or not recorded)."""
    if req.decision is None:
        return None
    kind, flag = _DECISION_EVENT[req.decision.outcome]
    for event in reversed(req.events):
        if event.kind is kind and flag in event.data:
            return bool(event.data[flag])
    return None


AuditEvent = tuple[str, str, Mapping[str, Any]]
"""An audit record to append: (action, subject, detail)."""

SameTransaction = Callable[[Connection], Sequence[AuditEvent]]
"""More rows of a change to a request, written in the transaction of its
save (see :meth:`~search_api.store.request_store.RequestPart.save`); returns their audit records."""


def insert_links(conn: Connection, number: str,
                  third_party_links: Sequence[tuple[str, str, datetime]], at: datetime) -> None:
    """The consultation links (token hash, party key, expiry) of request ``number``.

    Raises:
        ValueError: a blank hash, an expiry not after ``at``, a value too long.
    """
    for token_hash, party_key, expires_at in third_party_links:
        if not token_hash or aware(expires_at, "expires_at") <= at:
            raise ValueError("a link needs its token's hash and an expiry after now")
        check_row(links, {"token_hash": token_hash, "party_key": party_key})
        conn.execute(insert(links).values(
            token_hash=token_hash, kind="third_party", request_number=number,
            party_key=party_key, created_at=at, expires_at=expires_at, uses=0,
            max_uses=None))


def columns(req: Request, snapshot: dict[str, Any]) -> dict[str, Any]:
    """The ``requests`` columns kept for queries, besides the number and personal data."""
    decision = req.decision
    return dict(
        dataset_id=req.dataset_id, department=req.department, state=req.state.value,
        received=req.received, last_event_on=req.last_event_on,
        outcome=decision.outcome.value if decision else None,
        decided_on=decision.on if decision else None,
        answered_in_time=answered_in_time(req), snapshot=snapshot,
    )


class KnownTitle:
    """:class:`~search_api.store.notify.Names` with one dataset's title
    known already (a filing's caller holds the record: no second lookup,
    and none inside the write lock)."""

    def __init__(self, names: notify.Names, identifier: str, title: str) -> None:
        self._names, self._identifier, self._title = names, identifier, title

    def dataset(self, identifier: str) -> str:
        return self._title if identifier == self._identifier else self._names.dataset(identifier)

    def department(self, code: str) -> str:
        return self._names.department(code)

    def link(self, path: str) -> str:
        return self._names.link(path)


def record(conn: Connection, req: Request, numbered: Sequence[tuple[int, Event]], *,
           version: int, actor: Actor, at: datetime, personal: Mapping[str, str],
           action: str, names: notify.Names | None, outbox: Sequence[OutboxMessage] = (),
           more_records: Sequence[AuditEvent] = (),
           first: Sequence[Rows] = ()) -> list[audit.Pending]:
    """The rows of ``first`` (a new request's own), events and messages (the events' own, then ``outbox``; datasets and
    departments named by ``names``) of one add or save; returns its audit
    records (the events', then ``more_records``) checked, for the caller to
    append last."""
    rows = [{
        "request_number": req.number, "seq": seq, "kind": e.kind.value,
        "actor_role": e.actor_role.value, "actor": e.actor, "happened_on": e.on,
        "data": dict(e.data), "notify": list(e.notify), "recorded_at": at,
    } for seq, e in numbered]
    for row in rows:
        check_row(request_events, row)
    # The rows first: on PostgreSQL the chain head stays locked from the
    # audit append to the commit, so that is the last thing done. The rows
    # of ``first``, the events and their messages in one round trip.
    insert_together(conn, [*first, (request_events, rows, None), (
        outbox_table, message_rows(notify.event_messages(req, numbered, names), at),
        "dedupe_key")])
    for message in outbox:
        insert_message(conn, message, at)
    secrets = message_secrets(personal)
    records: list[AuditEvent] = [
        (f"request.{e.kind}", req.number,
         {"seq": seq, "on": e.on.isoformat(), "by": {"role": e.actor_role.value,
                                                     "name": e.actor},
          "state": req.state.value, "version": version, "data": dict(e.data)})
        for seq, e in numbered]
    if not numbered:
        records = [(action, req.number, {"state": req.state.value, "version": version})]
    records.extend(more_records)
    return audit.prepare(at=at, actor_role=actor.role.value, actor=actor.name,
                         events=records, secrets=secrets)
