"""The tables of the service itself: reviewers (``users``), server-side
``sessions``, shared rate-limit counters (``rate_hits``) and the calendar
years answered provisionally (``calendar_years``).
Each registers on the store's one ``metadata``
(:mod:`search_api.store.schema_types`); ``search_api.store.schema`` lists them all."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from search_api.store.schema_types import Json, UTCDateTime, metadata

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
