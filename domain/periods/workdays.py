"""Periods counted in working days, and the clock of one running period.

Counting rule (期间开始之日不计算在内, the day a period starts is not counted;
《民法典》第二百零一条): a period of n working days that starts on day S ends
on the n-th working day strictly after S, whatever day S is. A request
received on a Saturday, a holiday or a make-up working Sunday is treated
alike: counting starts with the next working day.

The :class:`Clock` of a period can be paused while the provider waits for a
third party (003 §25: the consultation time is not counted in the provider's
period) or for the applicant's explanation of an excessive request (003 §26),
and extended once with the department head's approval (003 §25, 004 §31).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal, NamedTuple

from domain.periods.calendar import WorkCalendar

Status = Literal["running", "due_soon", "overdue", "paused"]
DUE_SOON_WITHIN = 2  # working days left at which a period is flagged (超期督办, 000 §43)

_DAY = timedelta(days=1)


def due_date(start: date, n: int, cal: WorkCalendar) -> date:
    """The last day of a period of ``n`` working days starting on ``start``:
    the n-th working day strictly after ``start`` (the start day itself is
    never counted, even when it is a working day).

    Raises:
        ValueError: ``n`` is less than 1.
        CalendarYearMissing: the count runs into a year no calendar covers.
    """
    if n < 1:
        raise ValueError(f"a period is at least 1 working day, got {n}")
    d = start
    counted = 0
    while counted < n:
        d += _DAY
        if cal.is_workday(d):
            counted += 1
    return d


def is_provisional(start: date, due: date | None, cal: WorkCalendar) -> bool:
    """True if a date counted from ``start`` to ``due`` is provisional (暂定):
    some day between them falls in a year no State Council notice covers yet
    (:meth:`WorkCalendar.is_provisional`). False while paused (``due`` None)
    unless ``start`` itself is in such a year.
    """
    return cal.provisional_between(start, due if due is not None else start)


def workdays_between(a: date, b: date, cal: WorkCalendar) -> int:
    """The number of working days in (a, b]: after ``a``, up to and including ``b``.

    When ``b`` is before ``a`` the result is negative, the count of (b, a]
    with a minus sign, so that ``workdays_between(today, due)`` reads as
    "working days left" and turns negative once a period is overdue.

    Raises:
        CalendarYearMissing: a day in the range is in a year no calendar covers.
    """
    if b < a:
        return -workdays_between(b, a, cal)
    count = 0
    d = a
    while d < b:
        d += _DAY
        if cal.is_workday(d):
            count += 1
    return count


def _end_of(segment_start: date, left: int, cal: WorkCalendar) -> date:
    """Last day of a (re)started segment with ``left`` working days to run."""
    if left > 0:
        return due_date(segment_start, left, cal)
    # Nothing left (the clock was paused on its last day): the decision is
    # due on the resume day, moved to the next working day when that day is
    # not one, as a period ending on a holiday ends after it (《民法典》第二百零三条).
    if cal.is_workday(segment_start):
        return segment_start
    return due_date(segment_start, 1, cal)


class ClockError(ValueError):
    """An operation the state of a :class:`Clock` does not allow."""

    code = "clock-error"
    status = 409


class ClockStateError(ClockError):
    """Pause while paused, resume while running, or an event dated out of order."""

    code = "clock-state"


class ExtensionAlreadyUsed(ClockError):
    """A period may be extended once only: the texts grant one extension of at
    most N working days (003 §25, 004 §17/§30/§31), not a series of them."""

    code = "extension-already-used"


class ExtensionNotAllowed(ClockError):
    """The extension is longer than the profile allows, or none is allowed."""

    code = "extension-not-allowed"
    status = 422


@dataclass(frozen=True)
class Pause:
    """The clock stood still from ``began`` (counted as a working day of the
    period) to ``ended`` (not counted); ``ended`` is None while it stands."""

    began: date
    ended: date | None = None


@dataclass(frozen=True)
class Extension:
    """An extension of ``days`` working days approved by ``approved_by`` on ``approved_on``."""

    days: int
    approved_by: str
    approved_on: date


class _State(NamedTuple):
    due: date | None  # None while an effective pause stands
    left: int  # working days left when the clock was paused


@dataclass(frozen=True)
class Clock:
    """The clock of one running period, e.g. a provider's reply (003 §25).

    A Clock stores what happened (receipt, pauses, extension) and computes
    dates only when asked with a calendar, so it can be stored as plain
    values and replayed when a calendar file is corrected.

    Counting with pauses, precisely:

    - days consumed before a pause = working days in (segment start, pause day];
      the first segment starts on the day of receipt, so the pause day itself
      counts when it is a working day (the provider worked on it);
    - on resume, the days left (period + extension - consumed) are counted
      from the resume day, the resume day itself not counted;
    - hence the due date moves later by exactly the working days in
      (pause day, resume day].

    Two guards keep the clock honest for overdue supervision (000 §43):
    a pause that begins after the due date does not stop a period that has
    already run out, and an extension approved after the unextended due date
    is not counted (an expired period cannot be extended).

    Raises:
        ValueError: on construction, when the values are inconsistent
            (period < 1, pauses out of order, an open pause not last...).
    """

    received: date
    period: int
    pauses: tuple[Pause, ...] = ()
    extension: Extension | None = None

    def __post_init__(self) -> None:
        if self.period < 1:
            raise ValueError(f"a period is at least 1 working day, got {self.period}")
        previous = self.received
        for i, p in enumerate(self.pauses):
            if p.began < previous:
                raise ValueError(f"pause {i} begins {p.began}, before {previous}")
            if p.ended is None:
                if i != len(self.pauses) - 1:
                    raise ValueError(f"pause {i} is open but is not the last pause")
            elif p.ended < p.began:
                raise ValueError(f"pause {i} ends {p.ended}, before it began {p.began}")
            previous = p.ended if p.ended is not None else p.began
        if self.extension is not None:
            if self.extension.days < 1:
                raise ValueError(f"an extension is at least 1 working day, got {self.extension.days}")
            if self.extension.approved_on < self.received:
                raise ValueError("an extension cannot be approved before the request was received")

    @classmethod
    def start(cls, received: date, n: int) -> Clock:
        """A running clock for a period of ``n`` working days from ``received``.

        Raises:
            ValueError: ``n`` is less than 1.
        """
        return cls(received=received, period=n)

    @property
    def paused(self) -> bool:
        """True while a pause has begun and not ended."""
        return bool(self.pauses) and self.pauses[-1].ended is None

    def pause(self, on: date) -> Clock:
        """The clock stopped on ``on`` (third-party consultation, 003 §25, or a
        demand for explanation of an excessive request, 003 §26).

        Raises:
            ClockStateError: the clock is already paused, or ``on`` is before
                the receipt or the last resume.
        """
        if self.paused:
            raise ClockStateError(
                f"cannot pause on {on}: the clock has been paused since "
                f"{self.pauses[-1].began}; resume it first"
            )
        last = self.pauses[-1].ended if self.pauses else self.received
        assert last is not None  # not paused, so the last pause has ended
        if on < last:
            raise ClockStateError(f"cannot pause on {on}: the clock was (re)started on {last}")
        return replace(self, pauses=(*self.pauses, Pause(on)))

    def resume(self, on: date) -> Clock:
        """The clock runs again from ``on`` (the third party answered or its
        15 working days ran out; the applicant explained).

        Raises:
            ClockStateError: the clock is running, or ``on`` is before the pause began.
        """
        if not self.paused:
            raise ClockStateError(f"cannot resume on {on}: the clock is running, not paused")
        current = self.pauses[-1]
        if on < current.began:
            raise ClockStateError(
                f"cannot resume on {on}: the clock was paused on {current.began}"
            )
        return replace(self, pauses=(*self.pauses[:-1], Pause(current.began, on)))

    def extend(self, by: int, approved_by: str, on: date, *, max_days: int | None) -> Clock:
        """The period extended by ``by`` working days, approved by ``approved_by``
        (the department head, 003 §25 / 004 §31) on ``on``.

        ``max_days`` is the profile's maximum (e.g. ``Profile.provider_extension_max``)
        and must be passed: None or 0 means the jurisdiction allows no extension.

        Raises:
            ValueError: ``by`` is less than 1 or ``approved_by`` is blank.
            ExtensionAlreadyUsed: the period was already extended once.
            ExtensionNotAllowed: ``by`` exceeds ``max_days`` or none is allowed.
            ClockStateError: ``on`` is before the receipt.
        """
        if self.extension is not None:
            raise ExtensionAlreadyUsed(
                f"the period was already extended by {self.extension.days} working days on "
                f"{self.extension.approved_on}; it can be extended once only"
            )
        if by < 1:
            raise ValueError(f"an extension is at least 1 working day, got {by}")
        if not approved_by.strip():
            raise ValueError("an extension needs the name of the approving department head")
        if not max_days:
            raise ExtensionNotAllowed("this period cannot be extended under the current profile")
        if by > max_days:
            raise ExtensionNotAllowed(
                f"an extension of {by} working days exceeds the maximum of {max_days}"
            )
        if on < self.received:
            raise ClockStateError(f"cannot extend on {on}: the request was received on {self.received}")
        return replace(self, extension=Extension(by, approved_by.strip(), on))

    def extension_counts(self, cal: WorkCalendar) -> bool:
        """True if there is an extension and it was approved in time, i.e. on or
        before the due date of the unextended period (or while it was paused).

        Raises:
            CalendarYearMissing: the count runs into an uncovered year.
        """
        if self.extension is None:
            return False
        unextended = self._replay(self.period, cal).due
        return unextended is None or self.extension.approved_on <= unextended

    def due(self, cal: WorkCalendar) -> date | None:
        """The last day of the period, or None while the clock is paused.

        Raises:
            CalendarYearMissing: the count runs into an uncovered year.
        """
        return self._state(cal).due

    def remaining(self, today: date, cal: WorkCalendar) -> int:
        """Working days left after ``today`` up to and including the due date:
        0 on the due date, negative once overdue (``workdays_between``).
        While paused, the working days that will be left when the clock resumes.

        Raises:
            CalendarYearMissing: the count runs into an uncovered year.
        """
        state = self._state(cal)
        if state.due is None:
            return state.left
        return workdays_between(today, state.due, cal)

    def status(
        self, today: date, cal: WorkCalendar, *, due_soon_within: int = DUE_SOON_WITHIN
    ) -> Status:
        """``paused``; ``overdue`` once ``today`` is after the due date;
        ``due_soon`` when at most ``due_soon_within`` working days are left
        (the due date itself included); otherwise ``running``.

        Raises:
            CalendarYearMissing: the count runs into an uncovered year.
        """
        state = self._state(cal)
        if state.due is None:
            return "paused"
        if today > state.due:
            return "overdue"
        if workdays_between(today, state.due, cal) <= due_soon_within:
            return "due_soon"
        return "running"

    def _state(self, cal: WorkCalendar) -> _State:
        total = self.period
        if self.extension_counts(cal):
            assert self.extension is not None
            total += self.extension.days
        return self._replay(total, cal)

    def _replay(self, total: int, cal: WorkCalendar) -> _State:
        left = total
        segment_start = self.received
        for p in self.pauses:
            end = _end_of(segment_start, left, cal)
            if p.began > end:
                # The period had run out before this pause began; pausing
                # now cannot revive it, and later events change nothing.
                return _State(end, 0)
            left -= workdays_between(segment_start, p.began, cal)
            if p.ended is None:
                return _State(None, left)
            segment_start = p.ended
        return _State(_end_of(segment_start, left, cal), left)
