"""The table of authorised operation (授权运营, 000 §34–36; issue #16), on
the store's one ``metadata`` (migration ``0010``):

``operations``  one row per scenario application: state, providing department,
                the organisation's registered name (public once authorised),
                the term of the authorisation, the snapshot of the case
                (:func:`domain.procedures.operation_codec.encode`, without personal
                data), the personal part sealed like a request's (credit code,
                contact person, phone, e-mail), the access-code hash and the
                optimistic-lock ``version``.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Date, Integer, String, Table, Text

from search_api.store.schema_types import NUMBER, Json, UTCDateTime, metadata

STATES = ("filed", "first_reviewed", "authorised", "rejected", "withdrawn")

operations = Table(
    "operations", metadata,
    Column("number", String(NUMBER), primary_key=True),
    Column("state", String(16), nullable=False, index=True),
    Column("department", String(200), nullable=False, index=True),
    Column("organisation", String(100), nullable=False),
    Column("received", Date, nullable=False),
    Column("authorised_from", Date, nullable=True),
    Column("authorised_to", Date, nullable=True),
    Column("snapshot", Json, nullable=False),
    Column("personal", Text, nullable=False),
    Column("access_code_hash", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("state IN ('filed', 'first_reviewed', 'authorised', 'rejected', "
                    "'withdrawn')", name="state"),
)
