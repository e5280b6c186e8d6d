"""The tables of conditional-open requests: the requests, their append-only
events, receipt counters, idempotency keys of filing, and the third-party and
download links.
Each registers on the store's one ``metadata``
(:mod:`search_api.store.schema_types`); ``search_api.store.schema`` lists them all."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
)

from search_api.store.schema_types import NUMBER, Json, UTCDateTime, metadata

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

receipt_counters = Table(
    "receipt_counters", metadata,
    Column("prefix", String(16), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("last", Integer, nullable=False),
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
