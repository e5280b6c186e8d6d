"""The statutory holidays behind provisional years (《全国年节及纪念日放假办法》),
checked against every announced holiday of 2004–2026 in ``chinese_calendar``.

The law changed over the years: 清明、端午、中秋 are holidays since 2008,
除夕 and 2 May since 2025; before 2008 劳动节 and 国庆 had three days. Each
check applies the rule in force in that year, computed with the same
lunar/solar-term functions that provisional years use.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from domain.periods import statutory
from domain.periods.calendar import CalendarYearMissing, WorkCalendar
from domain.periods.workdays import due_date


def _day_off(d: date) -> bool:
    # chinese_calendar's table leaves out some weekend days of a holiday
    # period (2012-06-23, 端午节 on a Saturday); is_holiday answers for them.
    return bool(chinese_calendar.is_holiday(d))


def _core_days(year: int) -> dict[date, str]:
    """The days every notice of ``year`` had to give, by the law then in force."""
    new_year = statutory._lunar(year, 1, 1)
    days = {date(year, 1, 1): "元旦", date(year, 5, 1): "劳动节",
            date(year, 10, 1): "国庆节", date(year, 10, 2): "国庆节", date(year, 10, 3): "国庆节"}
    for offset in range(3):
        days[new_year + timedelta(days=offset)] = "春节"
    if year >= 2008:
        days[statutory.qingming(year)] = "清明节"
        days[statutory._lunar(year, 5, 5)] = "端午节"
        days[statutory._lunar(year, 8, 15)] = "中秋节"
    if year >= 2025:
        days[new_year - timedelta(days=1)] = "春节（除夕）"
        days[date(year, 5, 2)] = "劳动节"
    return days


@pytest.mark.parametrize("year", range(2004, 2027))
def test_lunar_and_solar_term_days_match_every_announced_year(year: int) -> None:
    missing = {d: name for d, name in _core_days(year).items() if not _day_off(d)}
    assert missing == {}, f"{year}: computed holidays not announced by the notice"


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_revised_law_is_inside_every_notice_since_2025(year: int) -> None:
    computed = statutory.statutory_holidays(year)
    assert len(computed) >= 12  # 13 days, less one if 中秋 falls on 1-3 October
    assert all(_day_off(d) for d in computed)


def test_2027_statutory_days() -> None:
    days = statutory.statutory_holidays(2027)
    assert days[date(2027, 2, 5)] == "春节"  # 除夕; 春节 is 2027-02-06
    assert [d for d, n in days.items() if n == "春节"] == [
        date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8)]
    assert days[date(2027, 4, 5)] == "清明节"
    assert days[date(2027, 6, 9)] == "端午节"
    assert days[date(2027, 9, 15)] == "中秋节"
    assert len(days) == 13


def test_years_outside_the_law_are_refused() -> None:
    with pytest.raises(ValueError, match="2025–2100"):
        statutory.statutory_holidays(2024)
    with pytest.raises(ValueError):
        statutory.statutory_holidays(2101)


def test_a_provisional_year_answers_instead_of_raising() -> None:
    cal = WorkCalendar()
    assert cal.is_provisional(2027) and not cal.is_provisional(2026)
    assert cal.year(2027).provisional
    # 2027-01-01 is a Friday (元旦), then a weekend: the first working day is Monday.
    assert due_date(date(2026, 12, 31), 1, cal) == date(2027, 1, 4)
    # 春节 2027-02-05 (Fri) .. 02-08 (Mon): no make-up days in a provisional year.
    assert due_date(date(2027, 2, 4), 1, cal) == date(2027, 2, 9)
    assert cal.provisional_between(date(2026, 12, 20), date(2027, 1, 10))
    assert not cal.provisional_between(date(2026, 1, 1), date(2026, 12, 31))
    assert cal.provisional_years_for(date(2026, 12, 1), 60) == [2027]


def test_beyond_the_supported_years_the_year_is_still_missing() -> None:
    with pytest.raises(CalendarYearMissing):
        WorkCalendar().is_workday(date(2101, 1, 3))
    assert not WorkCalendar().is_provisional(2101)
    with pytest.raises(CalendarYearMissing):
        WorkCalendar(provisional=False).is_workday(date(2027, 1, 4))
