"""The notice parser (`portal calendar`): the 2024–2026 State Council notices,
typed in as fixtures (tests/data/notices/, each with its source line), give
exactly chinese-calendar's working days for every day of their year; broken
variants are refused with the sentence named, and nothing is written."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from click.testing import CliRunner

from domain.periods.calendar import DEFAULT_FOLDER, load_year_file
from domain.periods.notice import NoticeUnreadable, parse_notice
from portal.cli import main

NOTICES = Path(__file__).parent / "data" / "notices"
YEARS = (2024, 2025, 2026)


def _text(year: int) -> str:
    return (NOTICES / f"{year}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("year", YEARS)
def test_every_day_matches_chinese_calendar(year: int) -> None:
    parsed = parse_notice(_text(year), year)
    day, differ = date(year, 1, 1), []
    while day.year == year:
        ours = day in parsed.workdays or (day.weekday() < 5 and day not in parsed.holidays)
        if ours != chinese_calendar.is_workday(day):
            differ.append(day)
        day += timedelta(days=1)
    assert differ == []
    assert parsed.workdays == {d for d in chinese_calendar.workdays if d.year == year}
    assert all(chinese_calendar.is_holiday(d) for d in parsed.holidays)


@pytest.mark.parametrize("year", YEARS)
def test_source_names_the_notice_number_and_date(year: int) -> None:
    shipped = json.loads((DEFAULT_FOLDER / f"{year}.json").read_text(encoding="utf-8"))
    assert parse_notice(_text(year), year).source == shipped["source"]


def test_merged_block_and_one_day_forms() -> None:
    parsed = parse_notice(_text(2025), 2025)
    assert {date(2025, 10, d) for d in range(1, 9)} <= parsed.holidays  # 国庆节、中秋节
    assert date(2025, 1, 1) in parsed.holidays  # 放假1天，不调休
    parsed = parse_notice(_text(2024), 2024)
    assert date(2024, 6, 10) in parsed.holidays  # 与周末连休
    assert date(2024, 2, 9) not in parsed.holidays  # 除夕 only encouraged in 2024


def _broken(year: int, old: str, new: str) -> str:
    text = _text(year)
    assert old in text, old
    return text.replace(old, new, 1)


@pytest.mark.parametrize(("year", "old", "new", "message"), [
    (2026, "共7天", "共8天", "8 days written but the dates give 7"),
    (2025, "放假1天，不调休", "放假2天，不调休", "2 days written but the dates give 1"),
    (2026, "5月9日（周六）上班", "5月9日（周六）上午上班", "cannot read the make-up day"),
    (2026, "放假，共3天。\n　　四", "放假三天。\n　　四", "cannot read sentence"),
    (2026, "1月4日（周日）上班", "1月5日（周一）上班", "not a Saturday or Sunday"),
    (2026, "9月20日（周日）", "9月20日（周六）", "is not a 星期六"),
    (2024, "1月1日放假，与周末连休", "1月3日放假，与周末连休", "not a Monday or Friday"),
    (2025, "1月1日（周三）放假1天，不调休。", "1月1日（周三）放假1天，不调休。1月4日（周六）上班。",
     "says 不调休 but lists make-up working days"),
    (2026, "　　三、清明节：4月4日（周六）至6日（周一）放假，共3天。\n", "", "no block for 清明节"),
    (2026, "中秋节：", "重阳节：", "unknown holiday '重阳节'"),
    (2026, "10月10日（周六）上班。\n", "10月10日（周六）\n上班。\n", "cannot read sentence"),
    (2026, "上班。\n　　节假日期间", "上班。\n　　另：10月17日（周六）上班。\n　　节假日期间",
     "cannot read the line"),
    (2024, "2月10日至17日", "2月10日至7日", "ends before it starts"),
    (2026, "2月28日（周六）上班", "2月30日（周六）上班", "day is out of range"),
])
def test_broken_notices_are_refused_naming_the_sentence(year: int, old: str, new: str,
                                                        message: str) -> None:
    with pytest.raises(NoticeUnreadable, match=message):
        parse_notice(_broken(year, old, new), year)


def test_blocks_run_together_on_one_line_are_read_alike() -> None:
    text = _text(2025)
    one_line = text.replace("\n　　", "")
    assert one_line.count("\n") < text.count("\n") - 6
    assert parse_notice(one_line, 2025) == parse_notice(text, 2025)


def test_a_text_without_year_or_for_another_year_is_refused() -> None:
    body = "\n".join(line for line in _text(2026).splitlines()
                     if "2026年" not in line)
    with pytest.raises(NoticeUnreadable, match="names no year"):
        parse_notice(body, 2026)
    with pytest.raises(NoticeUnreadable, match="notice for 2026, not 2027"):
        parse_notice(_text(2026), 2027)


def test_cli_writes_a_file_the_calendar_loads(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["calendar", str(NOTICES / "2025.txt"), "--year", "2025",
                                       "--out", str(tmp_path / "calendars")])
    assert result.exit_code == 0, result.output
    loaded = load_year_file(tmp_path / "calendars" / "2025.json")
    assert loaded.source.startswith("国务院办公厅关于2025年部分节假日安排的通知")
    assert date(2025, 1, 26) in loaded.workdays
    assert sorted(p.name for p in (tmp_path / "calendars").iterdir()) == ["2025.json"]


def test_cli_refuses_an_unreadable_text_and_writes_nothing(tmp_path: Path) -> None:
    notice = tmp_path / "notice.txt"
    notice.write_text(_broken(2026, "共7天", "共6天"), encoding="utf-8")
    result = CliRunner().invoke(main, ["calendar", str(notice), "--year", "2026",
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "6 days written but the dates give 7" in result.output
    assert "共6天" in result.output and "nothing written" in result.output
    assert not (tmp_path / "out" / "2026.json").exists()


def test_cli_keeps_a_differing_file_unless_forced(tmp_path: Path) -> None:
    out = tmp_path / "calendars"
    out.mkdir()
    (out / "2026.json").write_text("{}", encoding="utf-8")
    args = ["calendar", str(NOTICES / "2026.txt"), "--year", "2026", "--out", str(out)]
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 1 and "--force" in refused.output
    assert CliRunner().invoke(main, [*args, "--force"]).exit_code == 0
    assert load_year_file(out / "2026.json").year == 2026
