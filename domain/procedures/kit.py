"""The procedure kit: what every kind of case on the clock shares.

A *case* (a conditional-open request, a data error report, a demand or
suggestion, an authorised-operation application) has a state, a
table of which actor role may do which action in which state, an append-only
list of dated events, and periods counted in working days. This module holds
the generic parts, so that a new kind of case is a module of states,
transitions and periods, not a copy of another procedure:

- :class:`Transitions`, the guard over a transitions table (``action ->
  (states where possible, roles that may)``): what a UI offers and what the
  procedure accepts read the same table;
- :func:`append_event` and :func:`check_order`, the event log kept in date
  order (003 §34: the record of a case is complete and in order);
- :class:`Deadline` and :func:`deadline_of`, one running period as queues,
  status pages and reminders show it;
- the errors every procedure raises (:class:`ProcedureError` and kin).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, Protocol, TypeVar

from domain.periods.calendar import WorkCalendar
from domain.periods.workdays import Clock, Status

# --- errors -----------------------------------------------------------------------


class ProcedureError(ValueError):
    """Base of the errors of a procedure; ``code`` and ``status`` feed the
    service's JSON error shape, as in :mod:`domain.periods.workdays`."""

    code = "procedure-error"
    status = 409


class IllegalTransition(ProcedureError):
    """The operation is not possible in the case's current state; the
    message names the state and the operations that are."""

    code = "illegal-transition"


class RoleNotAllowed(IllegalTransition):
    """The actor's role may not perform the operation (separate duties, no
    over-reach of rights: 002 §42, §44); the message names the roles that may."""

    code = "role-not-allowed"
    status = 403


class EventOutOfOrder(ProcedureError):
    """An operation dated before the case's last recorded event: the record
    of a case is kept in date order (003 §34)."""

    code = "event-out-of-order"
    status = 422


# --- the guard --------------------------------------------------------------------

A = TypeVar("A", bound=Hashable)
S = TypeVar("S", bound=Hashable)
R = TypeVar("R", bound=Hashable)


@dataclass(frozen=True)
class Transitions(Generic[A, S, R]):
    """A transitions table and the guard that reads it.

    Args:
        table: action -> (states in which it is possible, roles that may do it).
        kind: what a case is called in messages ("request", "report", ...).
    """

    table: Mapping[A, tuple[frozenset[S], frozenset[R]]]
    kind: str = "case"

    def possible_in(self, state: S) -> list[A]:
        """Actions possible in ``state`` by some role, in table order."""
        return [action for action, (states, _) in self.table.items() if state in states]

    def possible(self, action: A, state: S) -> bool:
        return state in self.table[action][0]

    def may(self, action: A, role: R) -> bool:
        """Whether ``role`` may ever do ``action`` (whatever the state)."""
        return role in self.table[action][1]

    def allowed(self, state: S, role: R) -> set[A]:
        """What ``role`` may do in ``state`` according to the table alone
        (a procedure adds its own preconditions)."""
        return {action for action, (states, roles) in self.table.items()
                if state in states and role in roles}

    def guard(self, action: A, *, number: str, state: S, role: R,
              on: date | None = None, last_event_on: date | None = None) -> None:
        """Refuse ``action`` on case ``number`` unless the table allows it in
        ``state`` for ``role`` and (with ``on``) it is not dated before the
        case's last event.

        Raises:
            IllegalTransition: not possible in ``state``; names what is.
            RoleNotAllowed: possible, but not for ``role``; names who may.
            EventOutOfOrder: ``on`` is before ``last_event_on``.
        """
        states, roles = self.table[action]
        if state not in states:
            possible = sorted(str(a) for a in self.possible_in(state))
            raise IllegalTransition(
                f"cannot {action} {self.kind} {number}: it is {state!s}; possible in this "
                f"state: {', '.join(possible) or f'nothing (the {self.kind} is closed)'}")
        if role not in roles:
            raise RoleNotAllowed(
                f"a {role} cannot {action} {self.kind} {number}: only "
                f"{', '.join(sorted(str(r) for r in roles))} may")
        if on is not None and last_event_on is not None:
            check_order(self.kind, number, action, on, last_event_on)


def check_order(kind: str, number: str, action: object, on: date, last_event_on: date) -> None:
    """Events are recorded in date order.

    Raises:
        EventOutOfOrder: ``on`` is before ``last_event_on``.
    """
    if on < last_event_on:
        raise EventOutOfOrder(
            f"cannot {action} {kind} {number} on {on}: its last event is dated "
            f"{last_event_on}; events are recorded in date order")


# --- the event log ----------------------------------------------------------------

E_co = TypeVar("E_co", covariant=True)


class HasEvents(Protocol[E_co]):
    """A case: an immutable dataclass with an ``events`` tuple."""

    @property
    def events(self) -> tuple[E_co, ...]: ...


C = TypeVar("C", bound=HasEvents[Any])


def append_event(case: C, event: object, **changes: Any) -> C:
    """A copy of ``case`` with ``event`` appended to its events and the other
    fields in ``changes`` replaced: cases are never changed in place, so a
    refused operation leaves nothing half done."""
    return dataclasses.replace(case, events=(*case.events, event),  # type: ignore[type-var]
                               **changes)


# --- periods ----------------------------------------------------------------------

K = TypeVar("K")
W = TypeVar("W")


@dataclass(frozen=True)
class Deadline(Generic[K, W]):
    """One running (or paused) period of a case, for status pages, reviewers'
    queues and the overdue reminders (000 §43).

    ``due`` is None while the period is paused; ``remaining`` is the number
    of working days left after the given day (0 on the due date, negative
    once overdue; while paused, the days that will be left on resuming).
    ``party`` names whom the period is for when several run at once (a
    third party's key). ``provisional`` is True when the count runs through a
    year whose State Council holiday notice is not loaded yet: the date is
    暂定 and may move when the notice comes (:mod:`domain.periods.statutory`).
    """

    what: K
    due: date | None
    status: Status
    remaining: int
    responsible: W
    basis: str
    party: str | None = None
    provisional: bool = False


def deadline_of(what: K, clock: Clock, today: date, calendar: WorkCalendar, *,
                responsible: W, basis: str, due_soon_within: int,
                party: str | None = None) -> Deadline[K, W]:
    """The period ``clock`` as it stands on ``today``.

    Raises:
        CalendarYearMissing: the period runs into a year without a calendar.
    """
    due = clock.due(calendar)
    return Deadline(
        what=what, due=due,
        status=clock.status(today, calendar, due_soon_within=due_soon_within),
        remaining=clock.remaining(today, calendar), responsible=responsible,
        basis=basis, party=party,
        provisional=calendar.provisional_between(clock.received, due or today))


def by_due_date(deadlines: Iterable[Deadline[K, W]]) -> list[Deadline[K, W]]:
    """Deadlines soonest first; paused ones (no date) last."""
    return sorted(deadlines, key=lambda d: (d.due is None, d.due or date.max))
