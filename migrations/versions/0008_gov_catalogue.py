"""Catalogue governance: proposed catalogue entries and the yearly full
review of each department's catalogue (issue #16).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "catalogue_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dataset_id", sa.String(200), nullable=False),
        sa.Column("department", sa.String(200), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.Column("entry", Json, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("changed", Json, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("proposed_by", sa.String(100), nullable=False),
        sa.Column("proposed_at", _ts(), nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", _ts(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('pending', 'approved', 'rejected', 'superseded')",
                           name="ck_catalogue_changes_status"),
        sa.CheckConstraint("kind IN ('new', 'change', 'withdrawal')",
                           name="ck_catalogue_changes_kind"),
        sa.PrimaryKeyConstraint("id", name="pk_catalogue_changes"),
    )
    op.create_index("ix_catalogue_changes_dataset_id", "catalogue_changes", ["dataset_id"])
    op.create_index("ix_catalogue_changes_department", "catalogue_changes", ["department"])
    op.create_index("ix_catalogue_changes_status_hash", "catalogue_changes",
                    ["status", "entry_hash"])
    op.create_table(
        "catalogue_reviews",
        sa.Column("department", sa.String(200), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("reviewed_by", sa.String(100), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("department", "year", name="pk_catalogue_reviews"),
    )


def downgrade() -> None:
    op.drop_table("catalogue_reviews")
    op.drop_index("ix_catalogue_changes_status_hash", table_name="catalogue_changes")
    op.drop_index("ix_catalogue_changes_department", table_name="catalogue_changes")
    op.drop_index("ix_catalogue_changes_dataset_id", table_name="catalogue_changes")
    op.drop_table("catalogue_changes")
