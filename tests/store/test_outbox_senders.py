"""`portal send-mail` run twice at once (two cron jobs, two hosts) sends each
message once: the senders claim messages atomically (issue #6). Both
databases; the SMTP server is the one mock (a true boundary)."""

from __future__ import annotations

import smtplib
import threading
import time
from collections import Counter
from datetime import timedelta
from email.message import EmailMessage

import pytest

from search_api.mail.mailer import send_pending
from search_api.store import OutboxMessage, Store
from tests.conftest import REPO
from tests.store.conftest import FAST_HASHER
from tests.store.store_helpers import T0, together

CONFIG = {"SMTP_HOST": "smtp.example.gov.cn", "SMTP_PORT": 25,
          "SMTP_FROM": "opendata@example.gov.cn", "CATALOG_DIR": str(REPO / "datasets")}


class FakeSMTP:
    """Records what it is asked to send; slow enough for senders to overlap."""

    sent: list[str] = []
    refuse: set[str] = set()
    lock = threading.Lock()

    def __init__(self, host: str, port: int, timeout: float) -> None:
        assert host == "smtp.example.gov.cn"

    def __enter__(self) -> FakeSMTP:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def send_message(self, mail: EmailMessage) -> None:
        time.sleep(0.005)
        if str(mail["Subject"]) in self.refuse:
            raise smtplib.SMTPRecipientsRefused({str(mail["To"]): (550, b"no such user")})
        with self.lock:
            self.sent.append(str(mail["Subject"]))


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> type[FakeSMTP]:
    FakeSMTP.sent, FakeSMTP.refuse = [], set()
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    return FakeSMTP


def queue(store: Store, n: int) -> None:
    for i in range(n):
        store.add_message(OutboxMessage(kind="test", recipient_role="authority_reviewer",
                                        recipient=f"reviewer{i}@example.gov.cn",
                                        subject=f"message {i}", body="正文"), at=T0)


def test_two_concurrent_senders_send_every_message_once(
        store: Store, url: str, smtp: type[FakeSMTP]) -> None:
    queue(store, 40)
    other = Store.open(url, password_hasher=FAST_HASHER)
    stores = [store, other]
    try:
        reports = together(2, lambda i: send_pending(stores[i], CONFIG, T0, batch=3))
    finally:
        other.close()
    assert Counter(smtp.sent) == Counter(f"message {i}" for i in range(40))
    assert sum(r.sent for r in reports) == 40 and all(r.sent for r in reports), reports
    assert store.pending_messages() == []


def test_a_refused_message_is_tried_once_per_run(store: Store, smtp: type[FakeSMTP]) -> None:
    queue(store, 3)
    smtp.refuse = {"message 1"}
    report = send_pending(store, CONFIG, T0)
    assert (report.sent, report.failed) == (2, 1)
    (left,) = store.pending_messages()
    assert left.subject == "message 1" and left.attempts == 1
    # The error names the server (issue 14), never the refused address.
    assert left.last_error == "SMTP server smtp.example.gov.cn:25: SMTPRecipientsRefused"
    assert report.errors == [left.last_error]
    # Within the claim's lease it is not tried again; after it, it is.
    assert send_pending(store, CONFIG, T0).failed == 0
    smtp.refuse = set()
    assert send_pending(store, CONFIG, T0 + timedelta(hours=1)).sent == 1
    assert store.pending_messages() == []


def test_an_unresolvable_recipient_does_not_stop_the_others(store: Store,
                                                            smtp: type[FakeSMTP]) -> None:
    # An applicant address whose request is gone raises when resolved: that
    # message fails, the rest are sent (one bad message never blocks the outbox).
    store.add_message(OutboxMessage(kind="test", recipient_role="applicant",
                                    recipient="applicant:YH-20260101-9999",
                                    subject="orphan", body="正文"), at=T0)
    queue(store, 3)
    report = send_pending(store, CONFIG, T0)
    assert (report.sent, report.failed) == (3, 1)
    (left,) = store.pending_messages()
    assert left.subject == "orphan" and "not resolved" in (left.last_error or "")


def test_an_unreachable_server_stops_the_run_and_frees_the_rest(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The SMTP boundary refuses the connection: one attempt is recorded, the
    other claimed messages are released at once for the next run."""
    connects: list[int] = []

    def refuse(host: str, port: int, timeout: float) -> None:
        connects.append(port)
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(smtplib, "SMTP", refuse)
    queue(store, 15)
    report = send_pending(store, dict(CONFIG, SMTP_TIMEOUT=3), T0, batch=10)
    assert connects == [25] and report.stopped and report.failed == 1
    assert report.waiting == 14
    assert report.errors == ["SMTP server smtp.example.gov.cn:25: ConnectionRefusedError: "
                             "Connection refused"]
    assert len(store.claim_messages("next run", T0 + timedelta(seconds=1), limit=100)) == 14
