"""The download counters: downloads per day, dataset and file, and how far each
access log has been counted.
Each registers on the store's one ``metadata``
(:mod:`search_api.store.schema_types`); ``search_api.store.schema`` lists them all."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    Integer,
    String,
    Table,
)

from search_api.store.schema_types import UTCDateTime, metadata

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
