"""The request store: requests, events, audit log, outbox, receipt counters,
users and links (search_api/store/schema.py).

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "requests",
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("dataset_id", sa.String(200), nullable=False),
        sa.Column("department", sa.String(200), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("received", sa.Date(), nullable=False),
        sa.Column("last_event_on", sa.Date(), nullable=False),
        sa.Column("applicant_name", sa.String(200), nullable=False),
        sa.Column("identity_kind", sa.String(16), nullable=False),
        sa.Column("identity_masked", sa.String(64), nullable=False),
        sa.Column("personal", sa.Text(), nullable=False),
        sa.Column("access_code_hash", sa.String(255), nullable=True),
        sa.Column("outcome", sa.String(32), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("answered_in_time", sa.Boolean(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("snapshot", Json, nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.CheckConstraint("version >= 1", name="ck_requests_version_positive"),
        sa.PrimaryKeyConstraint("number", name="pk_requests"),
    )
    op.create_index("ix_requests_dataset_id", "requests", ["dataset_id"])
    op.create_index("ix_requests_department", "requests", ["department"])
    op.create_index("ix_requests_state", "requests", ["state"])

    op.create_table(
        "request_events",
        sa.Column("request_number", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("actor_role", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("data", Json, nullable=False),
        sa.Column("notify", Json, nullable=False),
        sa.Column("recorded_at", _ts(), nullable=False),
        sa.CheckConstraint("seq >= 1", name="ck_request_events_seq_positive"),
        sa.ForeignKeyConstraint(["request_number"], ["requests.number"],
                                name="fk_request_events_request_number_requests"),
        sa.PrimaryKeyConstraint("request_number", "seq", name="pk_request_events"),
    )

    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", _ts(), nullable=False),
        sa.Column("actor_role", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_subject", "audit_log", ["subject"])

    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_audit_head_single_row"),
        sa.PrimaryKeyConstraint("id", name="pk_audit_head"),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": "0" * 64}])

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("recipient_role", sa.String(32), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("request_number", sa.String(64), nullable=True),
        sa.Column("dedupe_key", sa.String(200), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_attempt_at", _ts(), nullable=True),
        sa.Column("sent_at", _ts(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name="ck_outbox_status"),
        sa.ForeignKeyConstraint(["request_number"], ["requests.number"],
                                name="fk_outbox_request_number_requests"),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("dedupe_key", name="uq_outbox_dedupe_key"),
    )
    op.create_index("ix_outbox_request_number", "outbox", ["request_number"])
    op.create_index("ix_outbox_status_id", "outbox", ["status", "id"])

    op.create_table(
        "receipt_counters",
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", "day", name="pk_receipt_counters"),
    )

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("department", sa.String(200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )

    op.create_table(
        "links",
        sa.Column("token_hash", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("request_number", sa.String(64), nullable=False),
        sa.Column("party_key", sa.String(100), nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("expires_at", _ts(), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('third_party', 'download')", name="ck_links_kind"),
        sa.ForeignKeyConstraint(["request_number"], ["requests.number"],
                                name="fk_links_request_number_requests"),
        sa.PrimaryKeyConstraint("token_hash", name="pk_links"),
    )
    op.create_index("ix_links_request_number", "links", ["request_number"])

    _append_only_triggers()


def _append_only_triggers() -> None:
    """Refuse UPDATE and DELETE on the append-only tables (003 §34). The hash
    chain detects tampering anyway; the triggers stop accidents and casual edits."""
    tables = ("request_events", "audit_log")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION portal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only (003 §34)', TG_TABLE_NAME; END $$")
        for table in tables:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION portal_append_only()")
            op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION portal_append_only()")
    else:
        for table in tables:
            for what in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{what.lower()} BEFORE {what} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only (003 §34)'); END")


def downgrade() -> None:
    for table in ("links", "users", "receipt_counters", "outbox", "audit_head", "audit_log",
                  "request_events", "requests"):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS portal_append_only()")
