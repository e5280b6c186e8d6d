"""What the outbox holds and when failed messages are tried again, for
``portal send-mail --status``.

The retry schedule: each run of ``portal send-mail`` (every 5 minutes from
deploy/'s timer or crontab) claims the pending messages; a message that
fails keeps its claim for :data:`~search_api.store.outbox_store.CLAIM_LEASE`
(10 minutes), so the first run after that tries it again. After
:data:`~search_api.store.MAX_ATTEMPTS` (5) failed attempts it is marked
failed and no longer sent; it stays listed here with its last error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from search_api.store import MAX_ATTEMPTS, Store
from search_api.store.outbox_store import CLAIM_LEASE
from search_api.store.schema import outbox


def schedule() -> str:
    """The retry schedule in one sentence."""
    minutes = int(CLAIM_LEASE.total_seconds() // 60)
    return (f"a message that fails is tried again by the first `portal send-mail` run at "
            f"least {minutes} minutes later, at most {MAX_ATTEMPTS} attempts in all; then it "
            "is marked failed and only shown here")


@dataclass(frozen=True)
class Waiting:
    id: int
    kind: str
    recipient_role: str
    attempts: int
    last_error: str
    retry_from: datetime | None  # None: the next run
    failed: bool


@dataclass(frozen=True)
class OutboxStatus:
    counts: dict[str, int]
    oldest_pending: datetime | None
    waiting: list[Waiting]  # pending after a failure, and failed for good


def outbox_status(store: Store, limit: int = 50) -> OutboxStatus:
    """Counts per status, the oldest pending message, and the messages that
    failed at least once (newest attempt first, at most ``limit``)."""
    o = outbox.c
    with store.engine.connect() as conn:
        counts = {str(status): int(n) for status, n in conn.execute(
            select(o.status, func.count()).group_by(o.status)).all()}
        oldest = conn.execute(select(func.min(o.created_at)).where(
            o.status == "pending")).scalar()
        rows = conn.execute(select(o.id, o.kind, o.recipient_role, o.attempts, o.last_error,
                                   o.claimed_until, o.status)
                            .where(o.attempts > 0, o.status != "sent")
                            .order_by(o.last_attempt_at.desc()).limit(limit)).all()
    waiting = [Waiting(id=r.id, kind=r.kind, recipient_role=r.recipient_role,
                       attempts=r.attempts, last_error=r.last_error or "",
                       retry_from=r.claimed_until, failed=r.status == "failed") for r in rows]
    return OutboxStatus({s: counts.get(s, 0) for s in ("pending", "sent", "failed")},
                        oldest, waiting)
