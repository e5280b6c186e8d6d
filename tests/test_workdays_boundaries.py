"""The boundary days of a period (domain.periods.workdays), one by one.

The calendar is the shipped 2025 file: the National Day holiday runs from
1 to 8 October 2025, and Sunday 28 September and Saturday 11 October are
make-up working days. A request received on Friday 26 September 2025 with
10 working days is due on Thursday 16 October: 9/28, 9/29, 9/30, 10/9,
10/10, 10/11, 10/13, 10/14, 10/15, 10/16.
"""

from __future__ import annotations

from datetime import date

import pytest

from domain.periods.calendar import WorkCalendar
from domain.periods.workdays import (
    DUE_SOON_WITHIN,
    Clock,
    ClockError,
    ClockStateError,
    Extension,
    ExtensionAlreadyUsed,
    ExtensionNotAllowed,
    Pause,
    due_date,
    is_provisional,
    workdays_between,
)

CAL = WorkCalendar(use_package=False, provisional=False)
RECEIVED = date(2025, 9, 26)
DUE = date(2025, 10, 16)


def clock() -> Clock:
    return Clock.start(RECEIVED, 10)


def test_the_example_period() -> None:
    assert due_date(RECEIVED, 10, CAL) == DUE
    assert clock().due(CAL) == DUE
    assert due_date(RECEIVED, 1, CAL) == date(2025, 9, 28)  # the make-up Sunday counts
    assert due_date(date(2025, 9, 30), 1, CAL) == date(2025, 10, 9)  # the holiday does not


def test_a_working_start_day_is_not_counted() -> None:
    assert due_date(date(2025, 10, 13), 1, CAL) == date(2025, 10, 14)
    assert due_date(date(2025, 10, 13), 3, CAL) == date(2025, 10, 16)


def test_workdays_between_counts_after_the_first_day_up_to_the_last() -> None:
    assert workdays_between(RECEIVED, DUE, CAL) == 10
    assert workdays_between(DUE, DUE, CAL) == 0
    assert workdays_between(DUE, RECEIVED, CAL) == -10
    assert workdays_between(date(2025, 10, 15), DUE, CAL) == 1
    assert workdays_between(date(2025, 10, 1), date(2025, 10, 8), CAL) == 0  # holiday


def test_remaining_and_status_on_the_last_days() -> None:
    c = clock()
    assert c.remaining(date(2025, 10, 13), CAL) == 3
    assert c.status(date(2025, 10, 13), CAL) == "running"
    assert c.remaining(date(2025, 10, 14), CAL) == DUE_SOON_WITHIN == 2
    assert c.status(date(2025, 10, 14), CAL) == "due_soon"
    # One working day left.
    assert c.remaining(date(2025, 10, 15), CAL) == 1
    assert c.status(date(2025, 10, 15), CAL) == "due_soon"
    # The due date itself: nothing left, not yet overdue.
    assert c.remaining(DUE, CAL) == 0
    assert c.status(DUE, CAL) == "due_soon"
    assert c.remaining(date(2025, 10, 17), CAL) == -1
    assert c.status(date(2025, 10, 17), CAL) == "overdue"


def test_extension_approved_on_its_due_date_counts() -> None:
    extended = clock().extend(5, "局长", DUE, max_days=15)
    assert extended.extension_counts(CAL)
    assert extended.due(CAL) == date(2025, 10, 23)  # 17, 20, 21, 22, 23
    assert extended.status(DUE, CAL) == "running"


def test_extension_approved_the_day_after_its_due_date_does_not_count() -> None:
    late = clock().extend(5, "局长", date(2025, 10, 17), max_days=15)
    assert not late.extension_counts(CAL)
    assert late.due(CAL) == DUE
    assert late.status(date(2025, 10, 17), CAL) == "overdue"


def test_no_extension_does_not_count() -> None:
    assert not clock().extension_counts(CAL)


def test_extension_of_exactly_the_maximum_is_allowed() -> None:
    extended = clock().extend(15, "  局长 ", date(2025, 10, 9), max_days=15)
    assert extended.extension == Extension(15, "局长", date(2025, 10, 9))
    assert extended.due(CAL) == due_date(DUE, 15, CAL)
    with pytest.raises(ExtensionNotAllowed, match="16 working days exceeds the maximum of 15"):
        clock().extend(16, "局长", date(2025, 10, 9), max_days=15)


def test_extension_on_the_day_of_receipt_is_allowed_and_before_it_refused() -> None:
    assert clock().extend(1, "局长", RECEIVED, max_days=5).due(CAL) == date(2025, 10, 17)
    with pytest.raises(ClockStateError, match="cannot extend on 2025-09-25: the request "
                                              "was received on 2025-09-26"):
        clock().extend(1, "局长", date(2025, 9, 25), max_days=5)


def test_a_second_extension_names_the_first() -> None:
    once = clock().extend(3, "局长", date(2025, 10, 9), max_days=15)
    with pytest.raises(ExtensionAlreadyUsed,
                       match="already extended by 3 working days on 2025-10-09"):
        once.extend(1, "局长", date(2025, 10, 10), max_days=15)


def test_pausing_on_the_day_of_receipt() -> None:
    paused = clock().pause(RECEIVED)
    assert paused.paused and paused.due(CAL) is None
    assert paused.remaining(date(2025, 10, 20), CAL) == 10  # nothing consumed
    assert paused.status(date(2030, 1, 1), CAL) == "paused"
    resumed = paused.resume(date(2025, 9, 30))
    # 10 working days counted after the resume day: 10/9 … 10/21.
    assert resumed.due(CAL) == date(2025, 10, 21)
    assert not resumed.paused


def test_pausing_on_a_working_day_consumes_it() -> None:
    paused = clock().pause(date(2025, 9, 29))  # 9/28 and 9/29 consumed
    assert paused.remaining(date(2025, 9, 29), CAL) == 8
    assert paused.resume(date(2025, 9, 29)).due(CAL) == due_date(date(2025, 9, 29), 8, CAL)


def test_pause_and_resume_on_the_same_day_changes_nothing() -> None:
    same = clock().pause(date(2025, 10, 10)).resume(date(2025, 10, 10))
    assert same.due(CAL) == DUE
    assert same.pauses == (Pause(date(2025, 10, 10), date(2025, 10, 10)),)
    # The clock may be paused again on the day it was resumed.
    assert same.pause(date(2025, 10, 10)).paused


def test_paused_on_the_last_day_is_due_on_the_resume_day_or_the_next_working_day() -> None:
    paused = clock().pause(DUE)
    assert paused.remaining(DUE, CAL) == 0
    assert paused.resume(date(2025, 10, 17)).due(CAL) == date(2025, 10, 17)  # a Friday
    assert paused.resume(date(2025, 10, 18)).due(CAL) == date(2025, 10, 20)  # Sat → Mon


def test_a_pause_after_the_due_date_does_not_revive_the_period() -> None:
    late = clock().pause(date(2025, 10, 20))
    assert late.due(CAL) == DUE
    assert late.remaining(date(2025, 10, 20), CAL) == -2
    assert late.status(date(2025, 10, 20), CAL) == "overdue"
    # Even resumed later, the period stays run out.
    assert late.resume(date(2025, 11, 3)).due(CAL) == DUE


def test_a_pause_on_the_due_date_still_stops_the_clock() -> None:
    assert clock().pause(DUE).due(CAL) is None


def test_two_pauses_add_up() -> None:
    c = (clock().pause(date(2025, 9, 29)).resume(date(2025, 10, 10))  # 8 left from 10/10
         .pause(date(2025, 10, 14)).resume(date(2025, 10, 15)))  # 10/11, 13, 14: 5 left
    assert c.due(CAL) == due_date(date(2025, 10, 15), 5, CAL) == date(2025, 10, 22)


def test_stored_values_are_checked() -> None:
    with pytest.raises(ValueError, match="pause 0 begins 2025-09-25, before 2025-09-26"):
        Clock(RECEIVED, 10, pauses=(Pause(date(2025, 9, 25), date(2025, 9, 29)),))
    with pytest.raises(ValueError, match="pause 1 begins 2025-09-30, before 2025-10-09"):
        Clock(RECEIVED, 10, pauses=(Pause(date(2025, 9, 29), date(2025, 10, 9)),
                                    Pause(date(2025, 9, 30))))
    with pytest.raises(ValueError, match="pause 0 ends 2025-09-28, before it began 2025-09-29"):
        Clock(RECEIVED, 10, pauses=(Pause(date(2025, 9, 29), date(2025, 9, 28)),))
    with pytest.raises(ValueError, match="an extension is at least 1 working day, got 0"):
        Clock(RECEIVED, 10, extension=Extension(0, "局长", RECEIVED))
    with pytest.raises(ValueError,
                       match="^an extension cannot be approved before the request was received$"):
        Clock(RECEIVED, 10, extension=Extension(1, "局长", date(2025, 9, 25)))
    with pytest.raises(ValueError, match="at least 1 working day, got 0"):
        Clock(RECEIVED, 0)
    # The boundaries themselves are accepted.
    ok = Clock(RECEIVED, 1, pauses=(Pause(RECEIVED, RECEIVED), Pause(RECEIVED)),
               extension=Extension(1, "局长", RECEIVED))
    assert ok.paused and ok.period == 1


def test_a_clock_not_paused_after_a_closed_pause() -> None:
    c = Clock(RECEIVED, 10, pauses=(Pause(date(2025, 9, 29), date(2025, 9, 30)),))
    assert not c.paused
    assert not Clock(RECEIVED, 10).paused


def test_errors_carry_their_api_code_and_status() -> None:
    assert (ClockError.code, ClockError.status) == ("clock-error", 409)
    assert (ClockStateError.code, ClockStateError.status) == ("clock-state", 409)
    assert (ExtensionAlreadyUsed.code, ExtensionAlreadyUsed.status) == \
        ("extension-already-used", 409)
    assert (ExtensionNotAllowed.code, ExtensionNotAllowed.status) == \
        ("extension-not-allowed", 422)


def test_provisional_dates() -> None:
    lenient = WorkCalendar(use_package=False)  # years without a notice are provisional
    far = date(max(lenient.official_years()) + 1, 3, 2)
    assert not is_provisional(RECEIVED, DUE, lenient)
    assert is_provisional(RECEIVED, far, lenient)
    # Paused (no due date): only the start counts.
    assert not is_provisional(RECEIVED, None, lenient)
    assert is_provisional(far, None, lenient)


def test_one_working_day_left_after_a_pause_is_counted_after_the_resume_day() -> None:
    paused = clock().pause(date(2025, 10, 15))  # 9 consumed, 1 left
    assert paused.remaining(date(2025, 10, 15), CAL) == 1
    assert paused.resume(date(2025, 10, 17)).due(CAL) == date(2025, 10, 20)  # Fri → Mon


def test_refusals_say_exactly_why() -> None:
    def message(call: object) -> str:
        with pytest.raises(ValueError) as info:
            call()  # type: ignore[operator]
        return str(info.value)

    assert message(lambda: clock().extend(1, " ", DUE, max_days=5)) == \
        "an extension needs the name of the approving department head"
    assert message(lambda: clock().extend(1, "局长", DUE, max_days=0)) == \
        "this period cannot be extended under the current profile"
    assert message(lambda: clock().extend(0, "局长", DUE, max_days=5)) == \
        "an extension is at least 1 working day, got 0"
    assert message(lambda: due_date(RECEIVED, 0, CAL)) == \
        "a period is at least 1 working day, got 0"
    assert message(lambda: clock().resume(DUE)) == \
        "cannot resume on 2025-10-16: the clock is running, not paused"
    assert message(lambda: Clock(RECEIVED, 10, pauses=(Pause(date(2025, 9, 29)),
                                                        Pause(date(2025, 9, 30))))) == \
        "pause 0 is open but is not the last pause"
