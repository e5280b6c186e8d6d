"""Download counters, idempotency keys, outbox claims (issues #5, #6).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    # Plain ADD COLUMN works on both databases without rebuilding the table.
    op.add_column("outbox", sa.Column("claimed_by", sa.String(100), nullable=True))
    op.add_column("outbox", sa.Column("claimed_until", _ts(), nullable=True))
    op.add_column("outbox", sa.Column("reference", sa.String(64), nullable=True))
    op.create_index("ix_outbox_reference", "outbox", ["reference"])

    op.create_table(
        "idempotency_keys",
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("body_hash", sa.String(64), nullable=False),
        sa.Column("request_number", sa.String(64), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("expires_at", _ts(), nullable=False),
        sa.ForeignKeyConstraint(["request_number"], ["requests.number"],
                                name="fk_idempotency_keys_request_number_requests"),
        sa.PrimaryKeyConstraint("key_hash", name="pk_idempotency_keys"),
    )
    op.create_index("ix_idempotency_keys_expires_at", "idempotency_keys", ["expires_at"])

    op.create_table(
        "download_counts",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("dataset_id", sa.String(200), nullable=False),
        sa.Column("file", sa.String(200), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.CheckConstraint("count >= 0", name="ck_download_counts_count_non_negative"),
        sa.PrimaryKeyConstraint("day", "dataset_id", "file", name="pk_download_counts"),
    )
    op.create_table(
        "download_sources",
        sa.Column("first_line_hash", sa.String(64), nullable=False),
        sa.Column("path", sa.String(1000), nullable=False),
        sa.Column("offset", sa.Integer(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("first_line_hash", name="pk_download_sources"),
    )


def downgrade() -> None:
    op.drop_table("download_sources")
    op.drop_table("download_counts")
    op.drop_table("idempotency_keys")
    op.drop_index("ix_outbox_reference", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("reference")
        batch.drop_column("claimed_until")
        batch.drop_column("claimed_by")
