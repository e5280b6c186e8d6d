"""Years answered provisionally (issue #12): when a year's State Council
holiday notice is loaded, open deadlines counted through it are recomputed
and whoever's date moved is told once.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("provisional_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("official_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("official_source", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_calendar_years")),
    )


def downgrade() -> None:
    op.drop_table("calendar_years")
