"""The values the store hands out besides requests: outbox messages, request
summaries for queues, counts for the public register, users and links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from domain.procedures.request_states import Outcome, State

LinkKind = Literal["third_party", "download"]
MessageStatus = Literal["pending", "sent", "failed"]

MAX_ATTEMPTS = 5
"""A message that failed this many times is ``failed`` and no longer offered."""


@dataclass(frozen=True)
class OutboxMessage:
    """A message to send. ``recipient`` is an e-mail address or a role address
    that the mailer resolves when sending: ``applicant:<request number>``
    (the applicant's contacts, read from the request), ``department:<name>``,
    ``authority``, ``third_party:<request number>:<party key>``. Keeping the
    applicant's address out of the outbox keeps personal data in one place.

    ``dedupe_key``: a second message with the same key is not added (so a
    reminder job run twice sends once). The fields after it are set by the
    store and ignored when adding.
    """

    kind: str
    recipient_role: str
    recipient: str
    subject: str
    body: str
    request_number: str | None = None
    dedupe_key: str | None = None
    id: int | None = None
    status: MessageStatus = "pending"
    attempts: int = 0
    created_at: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = None


@dataclass(frozen=True)
class RequestSummary:
    """One line of a reviewer's queue: no name, no contact, the identity masked."""

    number: str
    dataset_id: str
    department: str
    state: State
    received: date
    last_event_on: date
    identity_kind: str
    identity_masked: str
    outcome: Outcome | None
    decided_on: date | None
    version: int


@dataclass(frozen=True)
class RegisterCounts:
    """Counts of requests for the public register (000 §50, 004 §43): no personal data.

    ``pending``: not yet decided (submitted or with the provider);
    ``answered``: decided (approved, denied, rejected or not processed);
    ``answered_in_time``: of those, decided within the period then running;
    ``approved`` includes delivered requests; ``withdrawn`` by the applicant.
    """

    received: int = 0
    pending: int = 0
    answered: int = 0
    answered_in_time: int = 0
    approved: int = 0
    denied: int = 0
    rejected: int = 0
    not_processed: int = 0
    withdrawn: int = 0


@dataclass(frozen=True)
class User:
    """A reviewer account; never carries the password hash."""

    username: str
    role: str
    department: str | None
    active: bool
    created_at: datetime
    # Raised by a password change or a disabling: sessions signed in under an
    # older epoch are refused (issue #11).
    session_epoch: int = 0


@dataclass(frozen=True)
class Link:
    """A third-party or download link, found by the hash of its token."""

    kind: LinkKind
    token_hash: str
    request_number: str
    party_key: str | None
    created_at: datetime
    expires_at: datetime
    uses: int
    max_uses: int | None


@dataclass(frozen=True)
class AuditRecord:
    """One record of the audit log, as stored (``detail`` is canonical JSON text)."""

    seq: int
    at: datetime
    actor_role: str
    actor: str
    action: str
    subject: str
    detail: str
    prev_hash: str
    hash: str
