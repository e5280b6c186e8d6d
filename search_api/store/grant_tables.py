"""The tables of approved use by API or sandbox (issue #16), on the store's
metadata (migration ``0009``):

``grants``          one row per approved request: the delivery method, the approved
                    fields and period, whether raw rows may leave, the report
                    schedule, the status (active, suspended, revoked) and why; the
                    applicant's identity as a keyed hash only (``applicant_seal``),
                    to find earlier misuse of the same applicant.
``api_keys``        the SHA-256 of each key (a 256-bit random token; never the key),
                    its request, and when it was revoked.
``key_usage``       accesses per key and minute (no address, no person); the day's
                    sum is the quota; ``audited`` marks minutes written to the audit log.
``misuse_records``  suspensions, revocations and misuse notes, by applicant seal.
"""

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

grants = Table(
    "grants", metadata,
    Column("request_number", String(NUMBER), ForeignKey("requests.number"), primary_key=True),
    Column("dataset_id", String(200), nullable=False, index=True),
    Column("department", String(200), nullable=False, index=True),
    Column("method", String(16), nullable=False),
    Column("fields", Json, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date, nullable=False),
    Column("raw_rows", Boolean, nullable=False),
    Column("report_every_months", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("status_reason", Text, nullable=True),
    Column("applicant_seal", String(64), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("status IN ('active', 'suspended', 'revoked')", name="status"),
    CheckConstraint("method IN ('download', 'api', 'sandbox')", name="method"),
)

api_keys = Table(
    "api_keys", metadata,
    Column("key_hash", String(64), primary_key=True),
    Column("request_number", String(NUMBER), ForeignKey("grants.request_number"),
           nullable=False, index=True),
    Column("label", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
)

key_usage = Table(
    "key_usage", metadata,
    Column("key_hash", String(64), ForeignKey("api_keys.key_hash"), primary_key=True),
    Column("minute", UTCDateTime, primary_key=True),
    Column("hits", Integer, nullable=False),
    Column("audited", Boolean, nullable=False),
)

misuse_records = Table(
    "misuse_records", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("applicant_seal", String(64), nullable=False, index=True),
    Column("request_number", String(NUMBER), ForeignKey("requests.number"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("recorded_by", String(100), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    CheckConstraint("kind IN ('suspended', 'resumed', 'revoked', 'misuse')", name="kind"),
)
