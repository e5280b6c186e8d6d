"""Operations around the procedure: the audit log's tamper evidence through
`portal audit verify`, reminders queued once however often cron runs them
(000 §43), the outbox sent to the mail log, and no applicant ID number or
phone in clear in any log line, message or public answer."""

from __future__ import annotations

import logging
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import text

from domain.procedures.request_states import State
from portal.cli import main
from search_api.mail.mailer import remind, send_pending
from tests.api.test_applicant_flow import ID_NUMBER, PHONE

# The procedure app (profile guizhou-regulation, reviewers, a settable clock).
from tests.api.test_review_flow import act, app, clock, file, sign_in  # noqa: F401


def test_audit_verify_detects_an_altered_record(app: Flask, clock: Any,  # noqa: F811
                                                app_config: dict[str, Any]) -> None:
    _, number = file(app)
    clock.set("2026-09-22")
    act(sign_in(app, "authority"), number, "forward")
    env = {"PORTAL_DATABASE_URL": app_config["DATABASE_URL"]}
    runner = CliRunner()
    intact = runner.invoke(main, ["audit", "verify"], env=env)
    assert intact.exit_code == 0, intact.output
    store = app.extensions["portal_store"]
    # The append-only triggers stop casual edits; someone with the owner's
    # rights can drop them, and the hash chain still tells.
    with store.engine.begin() as conn:
        if store.backend == "sqlite":
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
        else:
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        conn.execute(text("UPDATE audit_log SET actor = 'someone-else' WHERE seq = "
                          "(SELECT max(seq) FROM audit_log)"))
    tampered = runner.invoke(main, ["audit", "verify"], env=env)
    assert tampered.exit_code == 1
    assert "audit log intact" not in tampered.output


def test_reminders_are_queued_once_and_sent_without_personal_data(
        app: Flask, clock: Any, app_config: dict[str, Any], caplog: Any) -> None:  # noqa: F811
    caplog.set_level(logging.DEBUG)
    # Filed Mon 2026-09-21 under 003: the provider's 15 WD run from receipt,
    # due 2026-10-19, while the platform has not yet forwarded it.
    _, number = file(app)
    store = app.extensions["portal_store"]
    procedure = app.extensions["portal_procedure"]
    late = datetime(2026, 10, 20, 2, 0, tzinfo=clock.now.tzinfo)
    first = remind(store, procedure, date(2026, 10, 20), late)
    again = remind(store, procedure, date(2026, 10, 20), late)
    assert first >= 1 and again == 0
    report = send_pending(store, {**app_config, "AUTHORITY_EMAIL": "review@dsj.example"}, late)
    assert report.sent >= 1
    mail_log = Path(app_config["MAIL_LOG"]).read_text(encoding="utf-8")
    assert f"申请 {number} 数据提供部门答复已超期" in mail_log
    assert "（《贵州省政府数据共享开放条例》第二十五条第二款）" in mail_log
    assert "督办依据：本局规定" in mail_log
    for text_ in (mail_log, *(r.getMessage() for r in caplog.records)):
        assert ID_NUMBER not in text_ and PHONE not in text_
        assert "liming@example.com" not in text_


@pytest.mark.both_dbs  # store paths no store test reaches on PostgreSQL
def test_no_clear_personal_data_anywhere_after_a_full_procedure(
        app: Flask, clock: Any, app_config: dict[str, Any], caplog: Any) -> None:  # noqa: F811
    caplog.set_level(logging.DEBUG)
    _, number = file(app)
    clock.set("2026-09-22")
    act(sign_in(app, "authority"), number, "forward")
    rsj = sign_in(app, "rsj")
    clock.set("2026-09-24")
    act(rsj, number, "deny", reasons="涉及个人信息", legal_basis="《个人信息保护法》第十三条")
    store = app.extensions["portal_store"]
    assert store.load(number)[0].state is State.DENIED
    send_pending(store, app_config, clock.now)
    public = app.test_client()
    # Every public page and statistics export the procedure feeds (000 §50).
    answers = [public.get(path).get_data(as_text=True) for path in (
        "/register", "/api/v1/register", "/api/v1/search?q=社会保险",
        "/api/v1/datasets/rsj-0003", "/api/v1/statistics/yearly?year=2026",
        "/api/v1/statistics/yearly?year=2026&format=csv", "/api/v1/statistics/reports",
        "/api/v1/statistics/downloads?format=csv", "/api/v1/statistics/participation")]
    assert "rsj" in answers[4]  # the request is counted in the yearly report
    with store.engine.connect() as conn:
        rows = [str(row) for table in ("audit_log", "outbox", "request_events")
                for row in conn.execute(text(f"SELECT * FROM {table}"))]
    texts = [*answers, *rows, *(r.getMessage() for r in caplog.records)]
    mail_log = Path(app_config["MAIL_LOG"])
    if mail_log.exists():
        texts.append(mail_log.read_text(encoding="utf-8"))
    for text_ in texts:
        assert ID_NUMBER not in text_ and PHONE not in text_


def test_overdue_reminders_reach_department_head_data_officer_and_authority(
        app: Flask, clock: Any) -> None:  # noqa: F811
    _, number = file(app)
    clock.set("2026-09-22")
    act(sign_in(app, "authority"), number, "forward")
    store = app.extensions["portal_store"]
    procedure = app.extensions["portal_procedure"]
    late = datetime(2026, 10, 20, 2, 0, tzinfo=clock.now.tzinfo)
    assert remind(store, procedure, date(2026, 10, 20), late) == 4
    sent = {(m.recipient_role, m.recipient) for m in store.pending_messages()
            if m.kind == "reminder.overdue"}
    assert sent == {("department_reviewer", "department:rsj"),
                    ("department_head", "department_head:rsj"),
                    ("data_officer", "data_officer:rsj"),
                    ("authority_reviewer", "authority")}
    for m in store.pending_messages():
        if m.kind == "reminder.overdue":
            # Each names its basis; nothing of another jurisdiction, no codes.
            assert "督办依据：本局规定" in m.body and "§" not in m.body
