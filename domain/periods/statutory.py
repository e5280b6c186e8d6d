"""The statutory public holidays of 《全国年节及纪念日放假办法》 (as revised in
2024, in force from 2025), for a year whose State Council holiday notice has
not been published yet: the basis of a *provisional* (暂定) working-day
calendar.

The law fixes the days of the holidays themselves (全体公民放假的节日):

- 元旦, 1 day: 1 January;
- 春节, 4 days: 除夕 (the last day of the 12th lunar month) to 正月初三;
- 清明节, 1 day: the day of the 清明 solar term;
- 劳动节, 2 days: 1 and 2 May;
- 端午节, 1 day: 五月初五;
- 中秋节, 1 day: 八月十五;
- 国庆节, 3 days: 1 to 3 October.

What the law does not fix, the yearly notice adds: days taken from the
surrounding weekends and make-up working Saturdays/Sundays (调休). A
provisional calendar has none of those: Monday to Friday, minus these days.

Lunar dates and the solar term are computed by the ``lunar_python`` library
(``tests/test_statutory.py`` checks them against every holiday of 2004–2026
in ``chinese_calendar``).
"""

from __future__ import annotations

from datetime import date, timedelta

from lunar_python import Lunar

FIRST_YEAR = 2025
"""The revised law (国务院令第795号) is in force from 1 January 2025; earlier
years had other holidays, and all of them have their notices."""

LAST_YEAR = 2100
"""The last year computed here; beyond it a year stays uncovered."""

_DAY = timedelta(days=1)


def supported(year: int) -> bool:
    """True if :func:`statutory_holidays` computes ``year``."""
    return FIRST_YEAR <= year <= LAST_YEAR


def _lunar(year: int, month: int, day: int) -> date:
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def qingming(year: int) -> date:
    """The day of the 清明 solar term in ``year`` (Beijing time)."""
    # The table of the lunar year that begins in January/February of ``year``
    # holds the 清明 of April of ``year``.
    solar = Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]
    found = date(solar.getYear(), solar.getMonth(), solar.getDay())
    if found.year != year:  # pragma: no cover - a library change, not a date
        raise ValueError(f"lunar_python gave {found} as 清明 of {year}")
    return found


def statutory_holidays(year: int) -> dict[date, str]:
    """Each day off fixed by 《全国年节及纪念日放假办法》 in ``year``, with the
    holiday's name (a day of 中秋 and 国庆 falling together keeps one name).

    Raises:
        ValueError: ``year`` is outside :data:`FIRST_YEAR`–:data:`LAST_YEAR`.
    """
    if not supported(year):
        raise ValueError(f"statutory holidays are computed for {FIRST_YEAR}–{LAST_YEAR}, "
                         f"not {year}")
    new_year = _lunar(year, 1, 1)
    days: dict[date, str] = {date(year, 1, 1): "元旦"}
    for offset in range(-1, 3):  # 除夕 to 初三
        days[new_year + offset * _DAY] = "春节"
    days[qingming(year)] = "清明节"
    days[date(year, 5, 1)] = days[date(year, 5, 2)] = "劳动节"
    days[_lunar(year, 5, 5)] = "端午节"
    days[_lunar(year, 8, 15)] = "中秋节"
    for day in (1, 2, 3):
        days.setdefault(date(year, 10, day), "国庆节")
    # 除夕 of the lunar new year of ``year`` may fall at the end of ``year - 1``
    # only in theory (the new year is never before 21 January); keep one year.
    return {d: name for d, name in sorted(days.items()) if d.year == year}
