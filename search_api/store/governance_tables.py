"""The tables of catalogue governance (issue #16): proposed catalogue entries
and the yearly review of each department's catalogue (003 §9).
Each registers on the store's one ``metadata``
(:mod:`search_api.store.schema_types`); ``search_api.store.schema`` lists them all."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from search_api.store.schema_types import Json, UTCDateTime, metadata

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
