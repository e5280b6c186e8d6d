"""Authorised operation (授权运营, 000 §34–36): scenario applications, their
first review, decision, authorisation and feedback reports (issue #16).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "operations",
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("department", sa.String(200), nullable=False),
        sa.Column("organisation", sa.String(100), nullable=False),
        sa.Column("received", sa.Date(), nullable=False),
        sa.Column("authorised_from", sa.Date(), nullable=True),
        sa.Column("authorised_to", sa.Date(), nullable=True),
        sa.Column("snapshot", Json, nullable=False),
        sa.Column("personal", sa.Text(), nullable=False),
        sa.Column("access_code_hash", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("state IN ('filed', 'first_reviewed', 'authorised', 'rejected', "
                           "'withdrawn')", name="ck_operations_state"),
        sa.PrimaryKeyConstraint("number", name="pk_operations"),
    )
    op.create_index("ix_operations_state", "operations", ["state"])
    op.create_index("ix_operations_department", "operations", ["department"])


def downgrade() -> None:
    op.drop_index("ix_operations_department", table_name="operations")
    op.drop_index("ix_operations_state", table_name="operations")
    op.drop_table("operations")
