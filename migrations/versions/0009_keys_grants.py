"""Approved use (period, fields, report schedule; delivery by API or sandbox): grants, API keys, usage per key and
minute, misuse records (issue #16).

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "grants",
        sa.Column("request_number", sa.String(64), nullable=False),
        sa.Column("dataset_id", sa.String(200), nullable=False),
        sa.Column("department", sa.String(200), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("fields", Json, nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("raw_rows", sa.Boolean(), nullable=False),
        sa.Column("report_every_months", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("applicant_seal", sa.String(64), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.CheckConstraint("status IN ('active', 'suspended', 'revoked')",
                           name="ck_grants_status"),
        sa.CheckConstraint("method IN ('download', 'api', 'sandbox')",
                           name="ck_grants_method"),
        sa.ForeignKeyConstraint(["request_number"], ["requests.number"],
                                name="fk_grants_request_number_requests"),
        sa.PrimaryKeyConstraint("request_number", name="pk_grants"),
    )
    op.create_index("ix_grants_dataset_id", "grants", ["dataset_id"])
    op.create_index("ix_grants_department", "grants", ["department"])
    op.create_index("ix_grants_applicant_seal", "grants", ["applicant_seal"])
    op.create_table(
        "api_keys",
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("request_number", sa.String(64), nullable=False),
        sa.Column("label", sa.String(16), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("revoked_at", _ts(), nullable=True),
        sa.ForeignKeyConstraint(["request_number"], ["grants.request_number"],
                                name="fk_api_keys_request_number_grants"),
        sa.PrimaryKeyConstraint("key_hash", name="pk_api_keys"),
    )
    op.create_index("ix_api_keys_request_number", "api_keys", ["request_number"])
    op.create_table(
        "key_usage",
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("minute", _ts(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("audited", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["key_hash"], ["api_keys.key_hash"],
                                name="fk_key_usage_key_hash_api_keys"),
        sa.PrimaryKeyConstraint("key_hash", "minute", name="pk_key_usage"),
    )
    op.create_table(
        "misuse_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("applicant_seal", sa.String(64), nullable=False),
        sa.Column("request_number", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", _ts(), nullable=False),
        sa.CheckConstraint("kind IN ('suspended', 'resumed', 'revoked', 'misuse')",
                           name="ck_misuse_records_kind"),
        sa.ForeignKeyConstraint(["request_number"], ["requests.number"],
                                name="fk_misuse_records_request_number_requests"),
        sa.PrimaryKeyConstraint("id", name="pk_misuse_records"),
    )
    op.create_index("ix_misuse_records_applicant_seal", "misuse_records", ["applicant_seal"])


def downgrade() -> None:
    op.drop_index("ix_misuse_records_applicant_seal", table_name="misuse_records")
    op.drop_table("misuse_records")
    op.drop_table("key_usage")
    op.drop_index("ix_api_keys_request_number", table_name="api_keys")
    op.drop_table("api_keys")
    op.drop_index("ix_grants_applicant_seal", table_name="grants")
    op.drop_index("ix_grants_department", table_name="grants")
    op.drop_index("ix_grants_dataset_id", table_name="grants")
    op.drop_table("grants")
