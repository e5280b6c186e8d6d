"""`portal calendar --database-url` and `portal remind` recompute open
deadlines once a year's notice is loaded, and tell each person once.

The 2027 notice used is a test text (tests/data/notices/test-2027.txt), not
a guess at the real one: it gives 1–5 January 2027 off. A request received
on Mon 2026-12-28 under guizhou-regulation (15 WD for the provider from the
day of receipt, 003 §25; forwarding on 12-29 does not move it) is due
2027-01-19 provisionally (only 元旦 off) and 2027-01-21 with the test notice.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select

from domain.periods.calendar import WorkCalendar
from domain.periods.profiles import load_profile
from domain.procedures.requests import Procedure
from portal.cli import main
from search_api.calendar_change import Recompute
from search_api.store import Store
from search_api.store.calendar_years import CalendarYears
from search_api.store.schema import outbox
from tests.conftest import catalog_with_profile
from tests.store.store_helpers import APPLICANT, AUTHORITY, REVIEWER, application

NOTICE = Path(__file__).parent / "data" / "notices" / "test-2027.txt"
NOW = datetime(2026, 12, 29, 2, 0, tzinfo=UTC)


def test_calendar_then_remind_tell_once(tmp_path: Path) -> None:
    calendars = tmp_path / "calendars"
    calendars.mkdir()
    url = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    profile = load_profile("guizhou-regulation")
    provisional = WorkCalendar(folders=[calendars])
    proc = Procedure(profile, provisional)
    req = proc.submit(application(), number="YH-20261228-0001", on=date(2026, 12, 28),
                      actor=APPLICANT)
    req = proc.forward(req, actor=AUTHORITY, on=date(2026, 12, 29))
    (reply,) = proc.deadlines(req, date(2026, 12, 29))
    assert (reply.due, reply.provisional) == (date(2027, 1, 19), True)
    with Store.open(url) as store:
        store.migrate()
        store.add_request(req, access_code_hash="x" * 64, actor=APPLICANT, at=NOW)
        # The service ran while 2027 was provisional (as at its start).
        Recompute(store, provisional, profile, 15).run(date(2026, 12, 29), NOW)
        assert 2027 in CalendarYears(store).waiting()

    catalog = catalog_with_profile(tmp_path / "catalog", "guizhou-regulation")
    env = {"PORTAL_CALENDAR_DIRS": str(calendars), "PORTAL_CATALOG_DIR": str(catalog),
           "PORTAL_MAIL_LOG": str(tmp_path / "mail.log"),
           # remind exits 1 when a message cannot be sent: the authority has an address.
           "PORTAL_AUTHORITY_EMAIL": "sjj@example.gov.cn"}
    result = CliRunner().invoke(main, ["calendar", str(NOTICE), "--year", "2027",
                                       "--out", str(calendars), "--database-url", url], env=env)
    assert result.exit_code == 0, result.output
    assert "1 open case(s) with moved dates" in result.stderr
    with Store.open(url) as store:
        moved = [m for m in store.pending_messages(limit=100) if m.kind == "calendar.moved"]
        assert {m.recipient for m in moved} == {"department:省交通运输厅",
                                                "applicant:YH-20261228-0001"}
        assert all("2027-01-19（暂定）调整为 2027-01-21" in m.body for m in moved)
        assert 2027 not in CalendarYears(store).waiting()
        official = Procedure(profile, WorkCalendar(folders=[calendars]))
        (reply,) = official.deadlines(req, date(2026, 12, 29))
        assert (reply.due, reply.provisional) == (date(2027, 1, 21), False)

    reminded = CliRunner().invoke(main, ["remind"], env={**env, "PORTAL_DATABASE_URL": url})
    # The test application's department (省交通运输厅) is not in the sample
    # vocabulary, so its reminders have no address: remind says so and exits 1.
    unsent = [line for line in reminded.output.splitlines() if line.startswith("not sent:")]
    assert reminded.exit_code == 1 and unsent, reminded.output
    assert all("no e-mail address for department_reviewer" in line for line in unsent)
    assert "now official" not in reminded.stderr  # already told: nothing queued again
    with Store.open(url) as store, store.engine.connect() as conn:
        told = conn.execute(select(func.count()).select_from(outbox).where(
            outbox.c.kind == "calendar.moved")).scalar_one()
    assert told == 2


def test_a_third_party_whose_period_moved_is_told_in_writing(tmp_path: Path) -> None:
    """Consulted on Wed 2026-12-30 (15 WD): provisionally due 2027-01-21, with
    the test notice (1-5 January off) 2027-01-25. The provider's clock is
    paused, so its reply has no date to move; the applicant, the department
    and the third party are told."""
    calendars = tmp_path / "calendars"
    calendars.mkdir()
    profile = load_profile("guizhou-regulation")
    provisional = WorkCalendar(folders=[calendars])
    proc = Procedure(profile, provisional)
    req = proc.submit(application(), number="YH-20261228-0002", on=date(2026, 12, 28),
                      actor=APPLICANT)
    req = proc.forward(req, actor=AUTHORITY, on=date(2026, 12, 29))
    req = proc.start_consultation(req, actor=REVIEWER, on=date(2026, 12, 30),
                                  parties=[("a", "贵阳公交集团")])
    party = [d for d in proc.deadlines(req, date(2026, 12, 30)) if d.party == "a"]
    assert [(d.due, d.provisional) for d in party] == [(date(2027, 1, 21), True)]
    with Store.open(f"sqlite:///{tmp_path / 'portal.sqlite3'}") as store:
        store.migrate()
        store.add_request(req, access_code_hash="x" * 64, actor=APPLICANT, at=NOW)
        Recompute(store, provisional, profile, 15).run(date(2026, 12, 30), NOW)
        result = CliRunner().invoke(main, ["calendar", str(NOTICE), "--year", "2027",
                                           "--out", str(calendars)])
        assert result.exit_code == 0, result.output
        official = WorkCalendar(folders=[calendars])
        first = Recompute(store, official, profile, 15).run(date(2026, 12, 30), NOW)
        again = Recompute(store, official, profile, 15).run(date(2026, 12, 30), NOW)
        assert (first.years, first.moved, again.years) == ([2027], ["YH-20261228-0002"], [])
        moved = {m.recipient: m.body for m in store.pending_messages(limit=100)
                 if m.kind == "calendar.moved"}
    assert set(moved) == {"department:省交通运输厅", "applicant:YH-20261228-0002",
                          "third_party:YH-20261228-0002:a"}
    assert "2027-01-21（暂定）调整为 2027-01-25" in moved["third_party:YH-20261228-0002:a"]
