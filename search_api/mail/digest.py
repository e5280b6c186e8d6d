"""The data authority's daily digest (setting ``AUTHORITY_DIGEST``).

Without it the authority's reviewers get one e-mail per message (523
requests, 523 e-mails). With it, messages to ``authority`` wait in the
outbox; the first ``portal send-mail`` (or ``portal remind``) run after
``DIGEST_HOUR`` o'clock, Beijing time, queues one digest listing them all to
``AUTHORITY_EMAIL`` and marks them sent. The digest is an ordinary outbox
message (retried like any other) whose dedupe key holds the day, so two
senders running at once, or many runs a day, still queue one digest a day.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.procedures.roles import AUTHORITY
from search_api.store import OutboxMessage, Store

CHINA = ZoneInfo("Asia/Shanghai")


def enabled(config: Mapping[str, Any]) -> bool:
    value = config.get("AUTHORITY_DIGEST")
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def held_back(config: Mapping[str, Any], msg: OutboxMessage) -> bool:
    """A message that waits for the digest instead of going out alone."""
    return enabled(config) and msg.recipient == AUTHORITY


def queue_digest(store: Store, config: Mapping[str, Any], now: datetime) -> int:
    """Queue today's digest when it is due and messages wait; returns how
    many messages it gathered (0: none due, none waiting, or queued already)."""
    if not enabled(config) or not config.get("AUTHORITY_EMAIL"):
        return 0
    local = now.astimezone(CHINA)
    if local.hour < int(config.get("DIGEST_HOUR") or 0):
        return 0
    waiting = [m for m in store.pending_messages(limit=100_000) if m.recipient == AUTHORITY]
    if not waiting:
        return 0
    lines = [f"{i}. {m.subject}\n{m.body}\n" for i, m in enumerate(waiting, 1)]
    digest = OutboxMessage(
        kind="digest.authority", recipient_role="authority_reviewer",
        recipient=str(config["AUTHORITY_EMAIL"]),
        subject=f"【每日汇总】{local:%Y-%m-%d} 待办通知 {len(waiting)} 条",
        body=(f"截至 {local:%Y-%m-%d %H:%M}，共有 {len(waiting)} 条通知（逐条如下）。"
              "请登录审核工作台办理。\n\n" + "\n".join(lines)),
        dedupe_key=f"digest:authority:{local:%Y-%m-%d}")
    if not store.add_message(digest, at=now):
        return 0  # today's digest was queued already
    for msg in waiting:
        assert msg.id is not None
        store.mark_sent(msg.id, now)
    return len(waiting)
