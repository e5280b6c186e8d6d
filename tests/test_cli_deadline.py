"""`portal deadline START N`: operators check a due date by hand (day of
receipt not counted; Chinese official working days)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from portal.cli import main


@pytest.mark.parametrize(("start", "days", "due"), [
    # 2026: Mid-Autumn 09-25 off, National Day 10-01..07 off, Sat 10-10 worked.
    ("2026-09-22", 15, "2026-10-20"),
    # Received on a Saturday: counting starts with the next working day.
    ("2026-11-21", 1, "2026-11-23"),
    ("2026-09-30", 1, "2026-10-08"),
])
def test_due_dates(start: str, days: int, due: str) -> None:
    result = CliRunner().invoke(main, ["deadline", start, str(days)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == due


def test_a_year_without_notice_gives_a_provisional_date() -> None:
    # 2026-12-20 is a Sunday; 2027: 元旦 Fri 1 Jan off, no make-up days known.
    result = CliRunner().invoke(main, ["deadline", "2026-12-20", "15"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "2027-01-11 暂定"
    assert "provisional" in result.stderr and "2027" in result.stderr


def test_a_year_file_makes_the_date_official(tmp_path: Path) -> None:
    body = {"year": 2027, "source": "test notice", "holidays": ["2027-01-01", "2027-01-04"],
            "workdays": []}
    (tmp_path / "2027.json").write_text(json.dumps(body), encoding="utf-8")
    result = CliRunner().invoke(main, ["deadline", "2026-12-20", "15",
                                       "--calendars", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "2027-01-12"
