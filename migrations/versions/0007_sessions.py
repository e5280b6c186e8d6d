"""Server-side sessions, shared rate-limit counters and a session epoch per
reviewer (issues #11 and #12).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("users", sa.Column("session_epoch", sa.Integer(), nullable=False,
                                     server_default="0"))
    op.create_table(
        "sessions",
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column("username", sa.String(100), nullable=True),
        sa.Column("data", Json, nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("last_seen_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id_hash", name="pk_sessions"),
    )
    op.create_index("ix_sessions_username", "sessions", ["username"])
    op.create_index("ix_sessions_last_seen_at", "sessions", ["last_seen_at"])
    op.create_table(
        "rate_hits",
        sa.Column("bucket", sa.String(32), nullable=False),
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("hits", Json, nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "client", name="pk_rate_hits"),
    )
    op.create_index("ix_rate_hits_updated_at", "rate_hits", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_rate_hits_updated_at", table_name="rate_hits")
    op.drop_table("rate_hits")
    op.drop_index("ix_sessions_last_seen_at", table_name="sessions")
    op.drop_index("ix_sessions_username", table_name="sessions")
    op.drop_table("sessions")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_epoch")
