"""The table of data error reports and catalogue corrections (issue #5).
Each registers on the store's one ``metadata``
(:mod:`search_api.store.schema_types`); ``search_api.store.schema`` lists them all."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Integer,
    String,
    Table,
    Text,
)

from search_api.store.schema_types import NUMBER, Json, UTCDateTime, metadata

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
