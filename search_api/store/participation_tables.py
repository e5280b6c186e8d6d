"""The tables of public participation (issue #5): demands, suggestions and
reuses, the datasets they name, and the moderation of usage reports.
Each registers on the store's one ``metadata``
(:mod:`search_api.store.schema_types`); ``search_api.store.schema`` lists them all."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from search_api.store.schema_types import NUMBER, Json, UTCDateTime, metadata

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
