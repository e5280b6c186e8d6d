"""The data authority can get one daily digest instead of one e-mail per
message (AUTHORITY_DIGEST): messages to it wait, the first run after
DIGEST_HOUR (Beijing) sends one digest listing them, once a day. Both
databases; the SMTP server is the one mock (a true boundary)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from search_api.mail.mailer import send_pending
from search_api.store import OutboxMessage, Store
from tests.store.test_outbox_senders import CONFIG, FakeSMTP, smtp  # noqa: F401

DIGEST = dict(CONFIG, AUTHORITY_DIGEST="true", DIGEST_HOUR=8,
              AUTHORITY_EMAIL="review@dsj.example.gov.cn")


def _beijing(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _queue(store: Store, recipient: str, subject: str, at: datetime) -> None:
    role = "authority_reviewer" if recipient == "authority" else "department_reviewer"
    store.add_message(OutboxMessage(kind="request.review", recipient_role=role,
                                    recipient=recipient, subject=subject, body="请审核"), at=at)


def test_one_digest_a_day_instead_of_one_mail_each(store: Store,
                                                   smtp: type[FakeSMTP]) -> None:  # noqa: F811
    for i in range(3):
        _queue(store, "authority", f"新申请 {i}", _beijing(23, 9))
    _queue(store, "department:jtj", "转办", _beijing(23, 9))
    early = send_pending(store, DIGEST, _beijing(24, 7))
    assert smtp.sent == ["转办"] and early.failed == 0
    send_pending(store, DIGEST, _beijing(24, 9))
    assert smtp.sent == ["转办", "【每日汇总】2026-11-24 待办通知 3 条"]
    assert store.pending_messages() == []
    _queue(store, "authority", "新申请 3", _beijing(24, 10))
    send_pending(store, DIGEST, _beijing(24, 23))  # today's digest went out already
    assert len(smtp.sent) == 2
    send_pending(store, DIGEST, _beijing(25, 8))
    assert smtp.sent[-1] == "【每日汇总】2026-11-25 待办通知 1 条"


def test_without_the_setting_each_message_goes_alone(store: Store,
                                                     smtp: type[FakeSMTP]) -> None:  # noqa: F811
    for i in range(2):
        _queue(store, "authority", f"新申请 {i}", _beijing(23, 9))
    send_pending(store, dict(CONFIG, AUTHORITY_EMAIL="review@dsj.example.gov.cn"),
                 _beijing(23, 9))
    assert sorted(smtp.sent) == ["新申请 0", "新申请 1"]
