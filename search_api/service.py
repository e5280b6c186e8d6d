"""Access to the service's parts from a request: the store, the procedure,
the clock (injectable: tests set ``PORTAL_CLOCK`` in the app config)."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any, TypeVar, cast

from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError

from domain.catalogue.public_record import PublicRecord
from domain.periods.calendar import WorkCalendar
from domain.periods.profiles import Profile
from domain.procedures.operation import Operations
from domain.procedures.operation_periods import periods_for
from domain.procedures.participation import Participation
from domain.procedures.reports import Verification
from domain.procedures.requests import Procedure
from search_api.calendar_change import Recompute
from search_api.store import Store
from search_api.store.operations import OperationStore
from search_api.store.participation_store import ParticipationStore
from search_api.store.report_store import ReportStore
from search_api.web.public_names import CatalogNames
from search_api.wiring import CHINA, Services, open_services

log = logging.getLogger(__name__)
T = TypeVar("T")


def install(app: Flask) -> None:
    """Wire the service's parts (:func:`search_api.wiring.open_services`)
    onto ``app`` and recompute open deadlines for a newly loaded calendar."""
    services = open_services(app.config)
    services.store.names = CatalogNames(app.extensions.get("portal_engine"), app.config)
    app.extensions["portal_services"] = services
    app.extensions["portal_store"] = services.store
    app.extensions["portal_calendar"] = services.calendar
    app.extensions["portal_procedure"] = services.procedure
    app.extensions["portal_verification"] = services.verification
    app.extensions["portal_reports"] = services.reports
    app.extensions["portal_participation"] = services.participation
    app.extensions["portal_participation_store"] = services.participation_store
    app.extensions["portal_clock"] = services.clock
    _recompute_deadlines(services.store, services.calendar, services.profile,
                         services.reply_days, services.now())


def _recompute_deadlines(store: Store, calendar: WorkCalendar, profile: Profile,
                         reply_days: int, at: datetime) -> None:
    """At start: a year's notice loaded since the last run moves open
    deadlines, and those concerned are told (:mod:`search_api.calendar_change`).
    A database error is logged, not fatal: ``portal remind`` retries."""
    try:
        Recompute(store, calendar, profile, reply_days).run(at.astimezone(CHINA).date(), at)
    except SQLAlchemyError as exc:
        log.error("deadlines not recomputed at start (%s); `portal remind` will retry",
                  exc.__class__.__name__)


def _extension(key: str, kind: type[T]) -> T:
    """What ``install`` put in the app under ``key`` (of type ``kind``)."""
    return cast(T, current_app.extensions[key])


def store() -> Store:
    return _extension("portal_store", Store)


def verification() -> Verification:
    return _extension("portal_verification", Verification)


def reports() -> ReportStore:
    return _extension("portal_reports", ReportStore)


def participation() -> Participation:
    return _extension("portal_participation", Participation)


def participation_store() -> ParticipationStore:
    return _extension("portal_participation_store", ParticipationStore)


def procedure() -> Procedure:
    return _extension("portal_procedure", Procedure)


def operations() -> Operations:
    """Authorised operation under the deployment's profile and calendar."""
    services = _extension("portal_services", Services)
    return Operations(periods_for(services.profile), services.calendar)


def operation_store() -> OperationStore:
    return OperationStore(store())


def now() -> datetime:
    value: datetime = current_app.extensions["portal_clock"]()
    return value


def today() -> date:
    """The date in China: periods count Beijing working days."""
    return now().astimezone(CHINA).date()


def engine() -> Any:
    return current_app.extensions["portal_engine"]


def published(identifier: str) -> PublicRecord | None:
    """The public record the search index holds under ``identifier`` (any
    open type, any status), or None.

    Raises:
        domain.catalogue.public_record.RecordFormatError: the index holds
            something ``portal index`` never writes.
    """
    found = engine().get(identifier)
    if found is None:
        return None
    # Read on every filing (issue #17): the record made of an equal JSON
    # object before is reused, since from_json is a pure function of it (a
    # re-index that changes the record changes the object).
    made: dict[str, tuple[dict[str, Any], PublicRecord]] = \
        current_app.extensions.setdefault("portal_published", {})
    kept = made.get(identifier)
    if kept is not None and kept[0] == found:
        return kept[1]
    record = PublicRecord.from_json(found)
    if len(made) >= PUBLISHED_KEPT:
        made.clear()  # bounded; the requested few come back at once
    made[identifier] = (found, record)
    return record


PUBLISHED_KEPT = 1024
"""Most records :func:`published` keeps made, per app."""


# A request filed today can run for review + reply + extension + delivery +
# a consultation: about 60 working days, i.e. up to ~100 calendar days.
CALENDAR_HORIZON_DAYS = 100


def provisional_calendar_years() -> list[int]:
    """Years a request filed today may need whose State Council holiday
    notice is not loaded: their dates are provisional (暂定), counted with
    the statutory holidays only (for the reviewers' warning)."""
    calendar: WorkCalendar = current_app.extensions["portal_calendar"]
    return calendar.provisional_years_for(today(), CALENDAR_HORIZON_DAYS)
