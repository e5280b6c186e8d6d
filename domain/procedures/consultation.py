"""Third-party consultation of a conditional-open request.

When the requested data touches a third party's lawful rights, the provider
asks the third party in writing; the third party answers within
``third_party_period`` working days of the day it *received* the letter
(自收到征求意见书之日起, the pre-revision article 25 of 003, adopted as
bureau policy; 002 §38 under a consent profile). The provider records that
day: on paper the date on the receipt, electronically the day of delivery
(bureau policy). Meanwhile the provider's period stands still (003 §25
para 3 征求第三方意见所需时间不计算在前款规定的期限内; bureau policy
elsewhere). The article each error cites is the profile's, passed in as
``article`` (empty: bureau policy).

A consultation ends when every third party has answered or its period has
passed, whichever comes last for each. The provider's clock resumes on the
day it ended, not on the day the provider gets round to recording it: time
the provider lets pass afterwards is its own.

Pure functions over :class:`~domain.procedures.request_states.ThirdParty` values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date

from domain.periods.calendar import WorkCalendar
from domain.periods.workdays import Clock, due_date
from domain.procedures.request_records import ThirdParty
from domain.procedures.request_states import Answer, RuleViolation


def party_clock(party: ThirdParty, period: int) -> Clock:
    """The clock of ``party``'s period: ``period`` working days from the day
    it received the consultation.

    Raises:
        ValueError: ``period`` is less than 1.
    """
    return Clock.start(party.received_on, period)


def party_due(party: ThirdParty, period: int, cal: WorkCalendar) -> date:
    """The last day on which ``party`` may answer.

    Raises:
        CalendarYearMissing: the count runs into a year no calendar covers.
    """
    return due_date(party.received_on, period, cal)


def consultation_end(
    parties: Iterable[ThirdParty], period: int, cal: WorkCalendar, today: date
) -> date | None:
    """The day the consultation of ``parties`` ended, as seen on ``today``:
    the latest of each party's answer day or, for a party that did not
    answer, the last day of its period. None while a party that has not
    answered may still answer (its due date is ``today`` or later).

    Raises:
        CalendarYearMissing: the count runs into a year no calendar covers.
    """
    ends: list[date] = []
    for p in parties:
        if p.answered_on is not None:
            ends.append(p.answered_on)
            continue
        due = party_due(p, period, cal)
        if due >= today:
            return None
        ends.append(due)
    return max(ends, default=None)


def waiting_for(
    parties: Iterable[ThirdParty], period: int, cal: WorkCalendar, today: date
) -> list[tuple[ThirdParty, date]]:
    """The parties that have not answered and may still do so on ``today``,
    each with its due date.

    Raises:
        CalendarYearMissing: the count runs into a year no calendar covers.
    """
    out: list[tuple[ThirdParty, date]] = []
    for p in parties:
        if p.answered_on is None:
            due = party_due(p, period, cal)
            if due >= today:
                out.append((p, due))
    return out


def new_parties(
    pairs: Sequence[tuple[str, str]], existing: Iterable[ThirdParty], on: date, consultation: int,
    *, article: str = "",
) -> tuple[ThirdParty, ...]:
    """The third parties of a new consultation, who received the letter on ``on``.

    Raises:
        RuleViolation: no party, a blank key or name, or a key used twice
            (within ``pairs`` or by an earlier consultation of the request).
    """
    if not pairs:
        raise RuleViolation("a consultation names at least one third party", article,
                            code="consultation-no-party")
    seen = {p.key for p in existing}
    out: list[ThirdParty] = []
    for key, name in pairs:
        if not key.strip() or not name.strip():
            raise RuleViolation(f"third party {key!r}: a consultation needs a key and a name", article,
                                code="third-party-name-missing", party=key)
        if key in seen:
            raise RuleViolation(f"third party {key!r} is already consulted on this request", article,
                                code="third-party-already-consulted", party=key)
        seen.add(key)
        out.append(ThirdParty(key=key, name=name.strip(), received_on=on,
                              consultation=consultation))
    return tuple(out)


def record_answer(
    party: ThirdParty, answer: str, on: date, reasons: str, period: int, cal: WorkCalendar,
    *, grounds_required: bool = True, article: str = "",
) -> ThirdParty:
    """``party`` with its answer, given (or, on paper, received) on ``on``, recorded.

    ``grounds_required``: an objection must state its grounds (003 §25
    不同意开放且有合理理由); False where the party's disagreement alone
    forbids opening (002 §38 当事人不同意开放的，不得提供), which asks for no
    reasons.

    Raises:
        RuleViolation: the party already answered; the answer is neither
            ``"agree"`` nor ``"object"``; an objection gives no grounds when
            they are required; the answer comes after the party's period
            (逾期), or before it received the consultation.
        CalendarYearMissing: the count runs into a year no calendar covers.
    """
    if party.answer is not None:
        raise RuleViolation(
            f"third party {party.key!r} already answered {party.answer!r} on {party.answered_on}; "
            "an answer is recorded once", article, code="third-party-already-answered",
            party=party.key, answered_on=party.answered_on or on)
    if on < party.received_on:
        raise RuleViolation(
            f"third party {party.key!r} cannot answer on {on}: it received the consultation on "
            f"{party.received_on}", article, code="third-party-answer-before-consultation",
            party=party.key, on=on, received_on=party.received_on)
    checked: Answer
    if answer == "agree":
        checked = "agree"
    elif answer == "object":
        checked = "object"
        if grounds_required and not reasons.strip():
            raise RuleViolation(
                f"third party {party.key!r}: an objection must state its grounds "
                "(不同意开放且有合理理由)", article, code="objection-grounds-missing", party=party.key)
    else:
        raise RuleViolation(f"a third party answers 'agree' or 'object', not {answer!r}", article,
                            code="third-party-answer-invalid")
    due = party_due(party, period, cal)
    if on > due:
        raise RuleViolation(
            f"third party {party.key!r} answered on {on}, after its period of {period} working "
            f"days ended on {due}; a late answer (逾期) is not recorded", article,
            code="third-party-answer-late", party=party.key, on=on, due=due, period=period)
    return replace(party, answer=checked, answered_on=on, reasons=reasons.strip())
