"""Update status around weekends and public holidays (issue #5; 000 §33,
002 §39): a frequency promised in working days is not late over a weekend,
the Spring Festival or the National Day week, and a make-up working Saturday
(调休) counts. Dates checked by hand against the 2026 State Council notice
(国办发明电〔2025〕7号): Spring Festival 02-15..02-23 off, make-up days Sat
02-14 and Sat 02-28; National Day 10-01..10-07 off, make-up Sun 09-20 and
Sat 10-10."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from domain.catalogue.catalog import load_catalog, load_vocabularies
from domain.catalogue.freshness import update_status
from domain.catalogue.model import Dataset
from domain.catalogue.vocabulary import Vocabularies, vocabularies_from_mapping
from tests.conftest import MINIMAL

D = date.fromisoformat
DAILY = {"update_frequencies": [
    {"code": "daily", "name": "每日", "max_age_working_days": 2},
    {"code": "monthly", "name": "每月", "max_age_days": 35}]}


@pytest.fixture(scope="module")
def bus() -> Dataset:
    catalog, _ = load_catalog(MINIMAL)
    return catalog.by_id()["jtj-0001"]


def status(bus: Dataset, frequency: str, last: str, today: str,
           vocab: Vocabularies | None = None) -> tuple[str, str | None]:
    dataset = replace(bus, update_frequency=frequency, last_updated=D(last))
    result = update_status(dataset, vocab or vocabularies_from_mapping(DAILY), D(today))
    return result.freshness.value, result.next_due.isoformat() if result.next_due else None


CASES = [
    # last update, today, freshness, last day the promise holds
    ("2026-11-20", "2026-11-21", "current", "2026-11-24"),  # Fri → Mon 1, Tue 2
    ("2026-11-20", "2026-11-23", "current", "2026-11-24"),  # Monday: a weekend is not late
    ("2026-11-20", "2026-11-24", "due", "2026-11-24"),      # the last day
    ("2026-11-20", "2026-11-25", "overdue", "2026-11-24"),
    ("2026-09-30", "2026-10-07", "current", "2026-10-09"),  # National Day week off
    ("2026-09-30", "2026-10-09", "due", "2026-10-09"),      # 10-08 is 1, 10-09 is 2
    ("2026-09-30", "2026-10-10", "overdue", "2026-10-09"),  # make-up Saturday: already late
    ("2026-10-09", "2026-10-10", "current", "2026-10-12"),  # Sat 10-10 works: it counts 1
    ("2026-02-13", "2026-02-20", "current", "2026-02-24"),  # Sat 02-14 works (1), then 02-24 (2)
    ("2026-02-13", "2026-02-24", "due", "2026-02-24"),
    ("2026-02-13", "2026-02-25", "overdue", "2026-02-24"),
]


@pytest.mark.parametrize(("last", "today", "freshness", "due"), CASES)
def test_daily_counts_working_days(bus: Dataset, last: str, today: str, freshness: str,
                                   due: str) -> None:
    assert status(bus, "daily", last, today) == (freshness, due)


def test_make_up_saturday_counts_as_a_working_day(bus: Dataset) -> None:
    # Thu 02-26 → Fri 02-27 is 1, make-up Sat 02-28 is 2: due that Saturday.
    assert status(bus, "daily", "2026-02-26", "2026-02-28") == ("due", "2026-02-28")
    assert status(bus, "daily", "2026-02-26", "2026-03-02") == ("overdue", "2026-02-28")


def test_calendar_day_frequencies_ignore_holidays(bus: Dataset) -> None:
    # 每月 is a calendar promise: 35 days whatever the holidays.
    assert status(bus, "monthly", "2026-09-01", "2026-10-06") == ("due", "2026-10-06")
    assert status(bus, "monthly", "2026-09-01", "2026-10-07") == ("overdue", "2026-10-06")


def test_a_year_without_a_calendar_counts_weekdays(bus: Dataset) -> None:
    # No notice for 2031 anywhere: Monday to Friday (a display status only).
    assert status(bus, "daily", "2031-01-03", "2031-01-06") == ("current", "2031-01-07")


def test_catalogue_calendar_file_is_used_and_a_bad_one_reported(tmp_path: Path,
                                                                  bus: Dataset) -> None:
    root = tmp_path / "catalog"
    (root / "calendars").mkdir(parents=True)
    (root / "vocabularies.yaml").write_text(
        "update_frequencies:\n  - {code: daily, name: 每日, max_age_working_days: 2}\n",
        encoding="utf-8")
    # A made-up 2031 notice: Mon 01-06 is a holiday.
    (root / "calendars" / "2031.json").write_text(
        '{"year": 2031, "source": "test notice", "holidays": ["2031-01-06"], "workdays": []}',
        encoding="utf-8")
    found: list[object] = []
    vocab = load_vocabularies(root, found)  # type: ignore[arg-type]
    assert found == []
    # Fri 01-03 → (Mon 01-06 off) Tue 01-07 is 1, Wed 01-08 is 2.
    assert status(bus, "daily", "2031-01-03", "2031-01-07", vocab) == ("current", "2031-01-08")
    assert status(bus, "daily", "2031-01-03", "2031-01-08", vocab) == ("due", "2031-01-08")
    (root / "calendars" / "2031.json").write_text('{"year": 2030}', encoding="utf-8")
    problems: list[object] = []
    load_vocabularies(root, problems)  # type: ignore[arg-type]
    assert [p.code for p in problems] == ["calendar-invalid"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("entry", [
    {"code": "x", "name": "x", "max_age_days": 2, "max_age_working_days": 2},
    {"code": "x", "name": "x", "max_age_working_days": 0},
    {"code": "x", "name": "x", "max_age_working_days": True},
])
def test_bad_frequency_promises_are_refused(entry: dict[str, object]) -> None:
    from domain.catalogue.vocabulary import VocabularyError

    with pytest.raises(VocabularyError, match="update_frequencies\\[0\\] \\(x\\)"):
        vocabularies_from_mapping({"update_frequencies": [entry]})
