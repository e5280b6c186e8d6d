"""The ``outbox`` of messages to send, with retry and claim state.
Each registers on the store's one ``metadata``
(:mod:`search_api.store.schema_types`); ``search_api.store.schema`` lists them all."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from search_api.store.schema_types import NUMBER, UTCDateTime, metadata

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
