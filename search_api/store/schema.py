"""The tables of the request store, as SQLAlchemy Core metadata.

The migrations in ``migrations/`` create exactly these tables (a test compares
them with alembic's autogenerate); change both together, through a new
revision. Every table, in one line each:

``requests``          one row per request: columns for queues and the public
                      register, the snapshot (:func:`domain.procedures.request_codec.request_to_dict`
                      without the personal fields), the personal fields apart
                      in ``personal`` (encrypted when a key is configured),
                      the access-code hash and the optimistic-lock ``version``.
``request_events``    append-only: the events of each request, numbered 1.. per request.
``audit_log``         append-only, hash-chained record of every operation (003 §34).
``audit_head``        one row: the last sequence number and hash of the audit chain;
                      serialises appends and lets a deleted tail be detected.
``outbox``            messages to send (e-mail or role addresses), with retry state
                      and an optional unique ``dedupe_key``.
``receipt_counters``  the last receipt number issued per prefix and day.
``users``             reviewers: argon2 password hash, role, department, active.
``links``             third-party and download links: only the token's hash,
                      expiry, and a use count (optionally capped).
``reports``           data error reports and catalogue corrections (issue #5).
``idempotency_keys``  replays of POST /api/v1/requests: the key's hash, a hash
                      of the body, the receipt number and the sealed answer.
``download_counts``   downloads per day, dataset and file; no address, no person.
``download_sources``  how far each web-server access log has been counted.
``participation``     data demands, suggestions and reuses (issue #5): the filed and
                      the moderated public text, sealed submitter, status, reply.
``participation_datasets``  the datasets a participation item names (reuses per dataset).
``use_report_reviews``  moderation of a usage report (a ``use_reported`` event of a
                      request): its approved public text, or why it is not public.
``sessions``          server-side sessions of the service's pages (issue #11): the
                      SHA-256 of the cookie's random id (never the id), the session's
                      data, the signed-in reviewer, and the times that end it.
``rate_hits``         rate-limit counters shared by every worker (issue #12): per
                      bucket and client key, the times of the counted events.
``catalogue_changes`` proposed catalogue entries (issue #16): dataset, the entry's
                      hash and content, kind of change, the authority's decision.
``catalogue_reviews`` the yearly full review of each department's catalogue (003 §9).

``outbox.claimed_by``/``claimed_until`` let one sender claim a message, so
two senders running at once never send it twice; ``outbox.reference`` names
the report or other record a message is about when it is not a request.

Timestamps are UTC: :class:`UTCDateTime` accepts only aware datetimes and
returns aware UTC datetimes on both databases.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

# JSON documents: JSONB on PostgreSQL (indexable, compact), JSON text on SQLite.
Json = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp in UTC. Binds only timezone-aware datetimes (a naive one
    raises ValueError: the store never guesses a time zone); SQLite keeps
    the naive UTC value, PostgreSQL a ``timestamptz``. Results are aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"timestamps must be timezone-aware (UTC), got {value!r}")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


NUMBER = 64  # length of a request number column

requests = Table(
    "requests", metadata,
    Column("number", String(NUMBER), primary_key=True),
    Column("dataset_id", String(200), nullable=False, index=True),
    Column("department", String(200), nullable=False, index=True),
    Column("state", String(32), nullable=False, index=True),
    Column("received", Date, nullable=False),
    Column("last_event_on", Date, nullable=False),
    Column("applicant_name", String(200), nullable=False),
    Column("identity_kind", String(16), nullable=False),
    Column("identity_masked", String(64), nullable=False),
    # {"identity_number", "phone", "email"}: "aesgcm1:<key id>:<base64>" or "plain:<json>".
    # Never selected by list queries.
    Column("personal", Text, nullable=False),
    Column("access_code_hash", String(255), nullable=True),
    Column("outcome", String(32), nullable=True),  # domain.procedures.request_states.Outcome
    Column("decided_on", Date, nullable=True),
    Column("answered_in_time", Boolean, nullable=True),  # the decision came within its period
    Column("version", Integer, nullable=False),
    Column("snapshot", Json, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("version >= 1", name="version_positive"),
)

request_events = Table(
    "request_events", metadata,
    Column("request_number", String(NUMBER), ForeignKey("requests.number"), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("kind", String(40), nullable=False),
    Column("actor_role", String(32), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("happened_on", Date, nullable=False),  # Event.on
    Column("data", Json, nullable=False),
    Column("notify", Json, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    CheckConstraint("seq >= 1", name="seq_positive"),
)

audit_log = Table(
    "audit_log", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor_role", String(32), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject", String(200), nullable=False, index=True),
    Column("detail", Text, nullable=False),  # canonical JSON text, hashed as stored
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

audit_head = Table(
    "audit_head", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)

outbox = Table(
    "outbox", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("kind", String(64), nullable=False),
    Column("recipient_role", String(32), nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("body", Text, nullable=False),
    Column("request_number", String(NUMBER), ForeignKey("requests.number"), nullable=True,
           index=True),
    Column("dedupe_key", String(200), nullable=True),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_attempt_at", UTCDateTime, nullable=True),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("claimed_by", String(100), nullable=True),
    Column("claimed_until", UTCDateTime, nullable=True),
    Column("reference", String(NUMBER), nullable=True, index=True),
    UniqueConstraint("dedupe_key"),
    CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status"),
    Index("ix_outbox_status_id", "status", "id"),
)

receipt_counters = Table(
    "receipt_counters", metadata,
    Column("prefix", String(16), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("last", Integer, nullable=False),
)

calendar_years = Table(
    # The years seen answered provisionally (no State Council notice loaded);
    # ``official_at`` is set when their notice was loaded and the open
    # deadlines were recomputed and the people whose dates moved were told.
    "calendar_years", metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("provisional_seen_at", UTCDateTime, nullable=False),
    Column("official_at", UTCDateTime, nullable=True),
    Column("official_source", Text, nullable=True),
)

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(100), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(32), nullable=False),
    Column("department", String(200), nullable=True),
    Column("active", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # Raised when the password changes or the account is disabled: a session
    # signed in under an older value is no longer accepted (issue #11).
    Column("session_epoch", Integer, nullable=False, server_default="0"),
    UniqueConstraint("username"),
)

links = Table(
    "links", metadata,
    Column("token_hash", String(128), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("request_number", String(NUMBER), ForeignKey("requests.number"), nullable=False,
           index=True),
    Column("party_key", String(100), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("uses", Integer, nullable=False),
    Column("max_uses", Integer, nullable=True),
    CheckConstraint("kind IN ('third_party', 'download')", name="kind"),
)

reports = Table(
    # Data error reports and catalogue corrections (domain.procedures.reports; issue #5).
    "reports", metadata,
    Column("number", String(NUMBER), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("dataset_id", String(200), nullable=False, index=True),
    Column("department", String(200), nullable=False, index=True),
    Column("received", Date, nullable=False),
    Column("due", Date, nullable=True),
    Column("description", Text, nullable=False),  # the reporter's words: never public
    Column("evidence", Text, nullable=True),  # what the reporter offers as proof: never public
    Column("field", String(200), nullable=False),
    Column("row", String(64), nullable=False),
    # {"name", "contact"} of the reporter, sealed like a request's personal fields.
    Column("reporter", Text, nullable=False),
    Column("clock", Json, nullable=False),
    Column("finding", String(16), nullable=True),
    Column("answer", Text, nullable=True),
    Column("answered_on", Date, nullable=True),
    Column("answered_in_time", Boolean, nullable=True),
    Column("version", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

idempotency_keys = Table(
    # A retried POST /api/v1/requests with the same Idempotency-Key answers
    # the first receipt again instead of filing twice (issue #6).
    "idempotency_keys", metadata,
    Column("key_hash", String(64), primary_key=True),  # SHA-256 of scope + key
    Column("body_hash", String(64), nullable=False),
    Column("request_number", String(NUMBER), ForeignKey("requests.number"), nullable=False),
    Column("response", Text, nullable=False),  # sealed like requests.personal
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False, index=True),
)

download_counts = Table(
    # Downloads per local day, dataset and file (000 §50, 004 §43): counters
    # only, never an address or anything else about who downloaded.
    "download_counts", metadata,
    Column("day", Date, primary_key=True),
    Column("dataset_id", String(200), primary_key=True),
    Column("file", String(200), primary_key=True),
    Column("count", Integer, nullable=False),
    CheckConstraint("count >= 0", name="count_non_negative"),
)

download_sources = Table(
    # One row per access log counted by `portal downloads count`: the log is
    # recognised by the hash of its first line (rotation gives a new file),
    # and counting resumes at ``offset`` so a line is never counted twice.
    "download_sources", metadata,
    Column("first_line_hash", String(64), primary_key=True),
    Column("path", String(1000), nullable=False),
    Column("offset", Integer, nullable=False),
    Column("lines", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

APPEND_ONLY = ("request_events", "audit_log")
"""Tables whose rows are never updated or deleted; the migrations add
triggers that refuse it (the hash chain detects it anyway, 003 §34)."""

GENESIS = "0" * 64
"""``prev_hash`` of the first audit record."""


def check_row(table: Table, values: dict[str, Any]) -> None:
    """Refuse, the same way on both databases, what PostgreSQL would refuse
    and SQLite would silently keep: a string longer than its column, and
    the NUL character (U+0000) anywhere, JSON documents included.

    Raises:
        ValueError: naming the table and column, never the value.
    """
    for name, value in values.items():
        column = table.c[name]
        if isinstance(value, str):
            length = getattr(column.type, "length", None)
            if length is not None and len(value) > length:
                raise ValueError(f"{table.name}.{name} is {len(value)} characters long; "
                                 f"at most {length} are stored")
            if "\x00" in value:
                raise ValueError(f"{table.name}.{name} contains a NUL character (U+0000), "
                                 "which the database cannot store")
        elif isinstance(value, dict | list) and has_nul(value):
            raise ValueError(f"{table.name}.{name} contains a NUL character (U+0000), "
                             "which the database cannot store")


def has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_nul(v) for v in value)
    return False


# --- public participation (issue #5; domain.procedures.participation) ----------------------------------

participation = Table(
    # Demands (XQ-), suggestions (JY-) and reuses (CG-). ``title``/``text`` as
    # filed are never public; ``public_*`` is what a reviewer approved.
    "participation", metadata,
    Column("number", String(NUMBER), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("department", String(200), nullable=True, index=True),  # NULL: the authority
    Column("received", Date, nullable=False),
    Column("title", String(200), nullable=False),
    Column("text", Text, nullable=False),
    Column("url", String(500), nullable=False),
    Column("public_title", String(200), nullable=True),
    Column("public_text", Text, nullable=True),
    # {"name", "contact"} of the submitter, sealed like a request's personal fields.
    Column("submitter", Text, nullable=False),
    Column("clock", Json, nullable=True),
    Column("moderated_by", String(100), nullable=True),
    Column("moderated_on", Date, nullable=True),
    Column("moderation_reason", Text, nullable=True),
    Column("reply_text", Text, nullable=True),
    Column("replied_by", String(100), nullable=True),
    Column("replied_on", Date, nullable=True),
    Column("replied_in_time", Boolean, nullable=True),
    Column("version", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("version >= 1", name="version_positive"),
    Index("ix_participation_kind_status", "kind", "status"),
)

participation_datasets = Table(
    "participation_datasets", metadata,
    Column("number", String(NUMBER), ForeignKey("participation.number"), primary_key=True),
    Column("dataset_id", String(200), primary_key=True, index=True),
)

use_report_reviews = Table(
    # A usage report stays an event of its request (000 §36(四), 002 §36);
    # without a row here it is pending moderation and never public.
    "use_report_reviews", metadata,
    Column("request_number", String(NUMBER), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("status", String(16), nullable=False),
    Column("public_text", Text, nullable=True),
    Column("reason", Text, nullable=True),
    Column("moderated_by", String(100), nullable=False),
    Column("moderated_on", Date, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    ForeignKeyConstraint(["request_number", "seq"],
                         ["request_events.request_number", "request_events.seq"]),
    CheckConstraint("status IN ('published', 'rejected', 'withdrawn')", name="status"),
)

sessions = Table(
    # A browser's session (issue #11): the cookie holds a random id, this row
    # its SHA-256. ``username`` is the signed-in reviewer (NULL: an applicant
    # or a visitor), so that all sessions of a user can be ended at once.
    "sessions", metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("username", String(100), nullable=True, index=True),
    Column("data", Json, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False, index=True),
)

rate_hits = Table(
    # Sliding-window rate limits shared by every worker process (issue #12):
    # the counted events of one client key in one bucket, as epoch seconds.
    "rate_hits", metadata,
    Column("bucket", String(32), primary_key=True),
    Column("client", String(64), primary_key=True),
    Column("hits", Json, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False, index=True),
)


# --- catalogue governance (issue #16; domain.catalogue.governance) ------------------------------------

catalogue_changes = Table(
    # One proposed catalogue entry: ``entry`` is domain.catalogue.governance.catalogue_entry
    # (no personal data: a catalogue entry is public once approved).
    "catalogue_changes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dataset_id", String(200), nullable=False, index=True),
    Column("department", String(200), nullable=False, index=True),
    Column("entry_hash", String(64), nullable=False),
    Column("entry", Json, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("changed", Json, nullable=False),
    Column("status", String(16), nullable=False),
    Column("proposed_by", String(100), nullable=False),
    Column("proposed_at", UTCDateTime, nullable=False),
    Column("decided_by", String(100), nullable=True),
    Column("decided_at", UTCDateTime, nullable=True),
    Column("reason", Text, nullable=True),
    Column("version", Integer, nullable=False),
    CheckConstraint("status IN ('pending', 'approved', 'rejected', 'superseded')",
                    name="status"),
    CheckConstraint("kind IN ('new', 'change', 'withdrawal')", name="kind"),
    Index("ix_catalogue_changes_status_hash", "status", "entry_hash"),
)

catalogue_reviews = Table(
    # The authority's yearly full review of a department's catalogue (003 §9).
    "catalogue_reviews", metadata,
    Column("department", String(200), primary_key=True),
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("reviewed_on", Date, nullable=False),
    Column("reviewed_by", String(100), nullable=False),
    Column("note", Text, nullable=True),
)
