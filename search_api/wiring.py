"""The service's parts, built in one place for the app, the commands and the
benchmarks: the store, the working-day calendar, the deployment's profile and
the procedures that count periods with them.

``open_services(config)`` is the only constructor; ``search_api.service``
hangs its result on the Flask app, and ``portal remind`` and friends use it
directly, so the web service and cron can never be wired differently.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.periods.calendar import WorkCalendar
from domain.periods.profiles import Profile
from domain.procedures.participation import Participation
from domain.procedures.reports import Verification
from domain.procedures.requests import Procedure
from search_api.deployment import deployment_profile
from search_api.settings import calendar_folders
from search_api.store import Store
from search_api.store.participation_store import ParticipationStore
from search_api.store.report_store import ReportStore

CHINA = ZoneInfo("Asia/Shanghai")
log = logging.getLogger(__name__)


class WrongPersonalDataKey(RuntimeError):
    """The configured personal-data key does not open the stored data: the
    service refuses to start rather than answer applicants with errors."""


@dataclass
class Services:
    """Everything a request handler or a command works with, already wired."""

    config: Mapping[str, Any]
    store: Store
    calendar: WorkCalendar
    profile: Profile
    procedure: Procedure
    verification: Verification
    reports: ReportStore
    participation: Participation
    participation_store: ParticipationStore
    clock: Callable[[], datetime]

    @property
    def reply_days(self) -> int:
        """Working days to answer a demand or suggestion (bureau policy)."""
        return int(str(self.config["PARTICIPATION_REPLY_DAYS"]))

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        """The date in China: periods count Beijing working days."""
        return self.now().astimezone(CHINA).date()

    def close(self) -> None:
        self.store.close()


def open_services(config: Mapping[str, Any], *, migrate: bool = True,
                  clock: Callable[[], datetime] | None = None) -> Services:
    """Open the store (migrated when ``migrate``), refuse a personal-data key
    that does not open the stored data, and wire the calendar and procedures.

    Raises:
        WrongPersonalDataKey: PERSONAL_DATA_KEY does not decrypt stored data.
        search_api.deployment.DeploymentError: portal.yaml and PROFILE disagree.
    """
    key = str(config.get("PERSONAL_DATA_KEY") or "") or None
    store = Store.open(str(config["DATABASE_URL"]), personal_key=key)
    try:
        if migrate:
            store.migrate()
        _refuse_a_wrong_personal_key(store, key)
        calendar = WorkCalendar(folders=calendar_folders(config))
        profile = deployment_profile(config)
    except BaseException:
        store.close()
        raise
    reply_days = int(str(config["PARTICIPATION_REPLY_DAYS"]))
    return Services(
        config=config, store=store, calendar=calendar, profile=profile,
        procedure=Procedure(profile, calendar), verification=Verification(profile, calendar),
        reports=ReportStore(store), participation=Participation(calendar, reply_days),
        participation_store=ParticipationStore(store),
        clock=clock or config.get("CLOCK") or (lambda: datetime.now(UTC)))


def _refuse_a_wrong_personal_key(store: Store, key: str | None) -> None:
    from search_api.store.keycheck import personal_key_problem

    problem = personal_key_problem(store.engine, key)
    if problem:
        raise WrongPersonalDataKey(f"refusing to start: {problem}")
