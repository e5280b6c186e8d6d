"""Access to the service's parts from a request: the store, the procedure,
the clock (injectable: tests set ``PORTAL_CLOCK`` in the app config)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError

from domain.calendar import WorkCalendar
from domain.participation import Participation
from domain.profiles import Profile
from domain.reports import Verification
from domain.requests import Procedure
from search_api.calendar_change import Recompute
from search_api.deployment import deployment_profile
from search_api.public_names import CatalogNames
from search_api.store import Store
from search_api.store.participation_store import ParticipationStore
from search_api.store.report_store import ReportStore

CHINA = ZoneInfo("Asia/Shanghai")
log = logging.getLogger(__name__)
T = TypeVar("T")


def install(app: Flask) -> None:
    store = Store.open(app.config["DATABASE_URL"],
                       personal_key=app.config.get("PERSONAL_DATA_KEY") or None)
    store.migrate()
    _refuse_a_wrong_personal_key(store, app.config.get("PERSONAL_DATA_KEY") or None)
    folders = [Path(f.strip()) for f in str(app.config["CALENDAR_DIRS"]).split(",") if f.strip()]
    calendar = WorkCalendar(folders=[f for f in folders if f.is_dir()])
    store.names = CatalogNames(app.extensions.get("portal_engine"), app.config)
    app.extensions["portal_store"] = store
    app.extensions["portal_calendar"] = calendar
    profile = deployment_profile(app.config)
    app.extensions["portal_procedure"] = Procedure(profile, calendar)
    app.extensions["portal_verification"] = Verification(profile, calendar)
    app.extensions["portal_reports"] = ReportStore(store)
    app.extensions["portal_participation"] = Participation(
        calendar, int(app.config["PARTICIPATION_REPLY_DAYS"]))
    app.extensions["portal_participation_store"] = ParticipationStore(store)
    clock: Callable[[], datetime] = app.config.get("CLOCK") or (lambda: datetime.now(UTC))
    app.extensions["portal_clock"] = clock
    _recompute_deadlines(store, calendar, profile, int(app.config["PARTICIPATION_REPLY_DAYS"]),
                         clock())


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


class WrongPersonalDataKey(RuntimeError):
    """The configured personal-data key does not open the stored data: the
    service refuses to start rather than answer applicants with errors."""


def _refuse_a_wrong_personal_key(store: Store, key: str | None) -> None:
    from search_api.store.keycheck import personal_key_problem

    problem = personal_key_problem(store.engine, key)
    if problem:
        store.close()
        raise WrongPersonalDataKey(f"refusing to start: {problem}")


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


def now() -> datetime:
    value: datetime = current_app.extensions["portal_clock"]()
    return value


def today() -> date:
    """The date in China: periods count Beijing working days."""
    return now().astimezone(CHINA).date()


def engine() -> Any:
    return current_app.extensions["portal_engine"]


# A request filed today can run for review + reply + extension + delivery +
# a consultation: about 60 working days, i.e. up to ~100 calendar days.
CALENDAR_HORIZON_DAYS = 100


def provisional_calendar_years() -> list[int]:
    """Years a request filed today may need whose State Council holiday
    notice is not loaded: their dates are provisional (暂定), counted with
    the statutory holidays only (for the reviewers' warning)."""
    calendar: WorkCalendar = current_app.extensions["portal_calendar"]
    return calendar.provisional_years_for(today(), CALENDAR_HORIZON_DAYS)
