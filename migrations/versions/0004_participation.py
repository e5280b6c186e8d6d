"""Public participation: demands, suggestions, reuses, usage-report moderation (issue #5).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "participation",
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("department", sa.String(200), nullable=True),
        sa.Column("received", sa.Date(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("public_title", sa.String(200), nullable=True),
        sa.Column("public_text", sa.Text(), nullable=True),
        sa.Column("submitter", sa.Text(), nullable=False),
        sa.Column("clock", Json, nullable=True),
        sa.Column("moderated_by", sa.String(100), nullable=True),
        sa.Column("moderated_on", sa.Date(), nullable=True),
        sa.Column("moderation_reason", sa.Text(), nullable=True),
        sa.Column("reply_text", sa.Text(), nullable=True),
        sa.Column("replied_by", sa.String(100), nullable=True),
        sa.Column("replied_on", sa.Date(), nullable=True),
        sa.Column("replied_in_time", sa.Boolean(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.CheckConstraint("version >= 1", name="ck_participation_version_positive"),
        sa.PrimaryKeyConstraint("number", name="pk_participation"),
    )
    op.create_index("ix_participation_department", "participation", ["department"])
    op.create_index("ix_participation_kind_status", "participation", ["kind", "status"])

    op.create_table(
        "participation_datasets",
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("dataset_id", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(["number"], ["participation.number"],
                                name="fk_participation_datasets_number_participation"),
        sa.PrimaryKeyConstraint("number", "dataset_id", name="pk_participation_datasets"),
    )
    op.create_index("ix_participation_datasets_dataset_id", "participation_datasets",
                    ["dataset_id"])

    op.create_table(
        "use_report_reviews",
        sa.Column("request_number", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("public_text", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("moderated_by", sa.String(100), nullable=False),
        sa.Column("moderated_on", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.CheckConstraint("status IN ('published', 'rejected', 'withdrawn')",
                           name="ck_use_report_reviews_status"),
        sa.ForeignKeyConstraint(["request_number", "seq"],
                                ["request_events.request_number", "request_events.seq"],
                                name="fk_use_report_reviews_request_number_request_events"),
        sa.PrimaryKeyConstraint("request_number", "seq", name="pk_use_report_reviews"),
    )


def downgrade() -> None:
    op.drop_table("use_report_reviews")
    op.drop_table("participation_datasets")
    op.drop_table("participation")
