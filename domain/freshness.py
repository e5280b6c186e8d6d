"""Whether a dataset keeps its update promise (000 §33, 002 §39).

The update frequency is a promise: a monthly dataset last updated 50 days
ago is overdue. Calendar days are used (not working days) because the
frequencies themselves are calendar periods (每日, 每月).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.model import Dataset, Status
from domain.vocabulary import Vocabularies

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
    if frequency is None or frequency.max_age_days is None:
        return UpdateStatus(Freshness.UNSCHEDULED, age, None)
    limit = frequency.max_age_days
    next_due = date.fromordinal(dataset.last_updated.toordinal() + limit)
    if age > limit:
        return UpdateStatus(Freshness.OVERDUE, age, next_due)
    if age > limit * DUE_SHARE:
        return UpdateStatus(Freshness.DUE, age, next_due)
    return UpdateStatus(Freshness.CURRENT, age, next_due)
