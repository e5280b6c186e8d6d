"""Whether a dataset keeps its update promise (000 §33, 002 §39).

The update frequency is a promise: a monthly dataset last updated 50 days
ago is overdue. Most frequencies are calendar periods (每月, 每年) and count
calendar days (``max_age_days``). A frequency may instead count working
days (``max_age_working_days``, e.g. 每日 data updated on working days): a
weekend, the Spring Festival or the National Day week then does not make it
late, and a make-up working Saturday (调休) counts. Working days come from
the catalogue's calendar; for a year no calendar covers yet, Monday to
Friday are counted (a display status, not a legal deadline).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cache

from domain.catalogue.model import Dataset, Status
from domain.catalogue.vocabulary import Frequency, Vocabularies
from domain.periods.calendar import CalendarYearMissing, WorkCalendar

# Share of the promised age after which an update is "due soon".
DUE_SHARE = 0.8


class Freshness(StrEnum):
    CURRENT = "current"
    DUE = "due"
    OVERDUE = "overdue"
    UNSCHEDULED = "unscheduled"  # static or irregular: no promise to keep
    RETIRED = "retired"  # withdrawn or invalid: no longer maintained

    @property
    def label(self) -> str:
        return {
            "current": "按时更新",
            "due": "即将到期",
            "overdue": "更新逾期",
            "unscheduled": "不定期",
            "retired": "已停止更新",
        }[self.value]


@dataclass(frozen=True)
class UpdateStatus:
    freshness: Freshness
    age_days: int | None  # days since the last update
    next_due: date | None  # last day the promise still holds


def update_status(dataset: Dataset, vocab: Vocabularies, today: date) -> UpdateStatus:
    """The update status of ``dataset`` on ``today``.

    An unknown frequency code or a missing last-updated date counts as
    unscheduled here; ``portal check`` reports those separately.
    """
    if dataset.status is not Status.ACTIVE:
        return UpdateStatus(Freshness.RETIRED, None, None)
    frequency = vocab.frequency(dataset.update_frequency)
    if dataset.last_updated is None:
        return UpdateStatus(Freshness.UNSCHEDULED, None, None)
    age = (today - dataset.last_updated).days
    if frequency is None or not frequency.scheduled:
        return UpdateStatus(Freshness.UNSCHEDULED, age, None)
    if frequency.max_age_working_days is not None:
        return _working_day_status(dataset.last_updated, frequency, vocab, today, age)
    assert frequency.max_age_days is not None
    limit = frequency.max_age_days
    next_due = date.fromordinal(dataset.last_updated.toordinal() + limit)
    if age > limit:
        return UpdateStatus(Freshness.OVERDUE, age, next_due)
    if age > limit * DUE_SHARE:
        return UpdateStatus(Freshness.DUE, age, next_due)
    return UpdateStatus(Freshness.CURRENT, age, next_due)


def _working_day_status(last: date, frequency: Frequency, vocab: Vocabularies, today: date,
                        age: int) -> UpdateStatus:
    """Due on the n-th working day after the last update; overdue after it."""
    assert frequency.max_age_working_days is not None
    limit = frequency.max_age_working_days
    calendar = vocab.calendar or _shipped_calendar()
    next_due, counted, day = last, 0, last
    while counted < limit:
        day += timedelta(days=1)
        if _is_workday(calendar, day):
            counted += 1
            next_due = day
    if today > next_due:
        return UpdateStatus(Freshness.OVERDUE, age, next_due)
    elapsed = sum(_is_workday(calendar, last + timedelta(days=i))
                  for i in range(1, (today - last).days + 1))
    if elapsed > limit * DUE_SHARE or today == next_due:
        return UpdateStatus(Freshness.DUE, age, next_due)
    return UpdateStatus(Freshness.CURRENT, age, next_due)


def _is_workday(calendar: WorkCalendar, day: date) -> bool:
    try:
        return calendar.is_workday(day)
    except CalendarYearMissing:
        return day.weekday() < 5  # a year without its notice yet: weekdays


@cache
def _shipped_calendar() -> WorkCalendar:
    return WorkCalendar()
