"""What the commands share: dates on the command line, problems printed, and the
service's settings and store as the commands see them."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from domain.catalogue.problems import Problem, Severity

if TYPE_CHECKING:
    from domain.periods.profiles import Profile
    from domain.procedures.reports import Verification
    from search_api.store import Store
    from search_api.wiring import Services


def parse_day(value: str | None) -> date:
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD") from exc


def print_problems(problems: list[Problem], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps([p.as_dict() for p in problems], ensure_ascii=False, indent=1))
        return
    for problem in problems:
        colour = "red" if problem.severity is Severity.ERROR else "yellow"
        click.secho(f"{problem.severity.value}: {problem.format()}", fg=colour, err=True)


def calendar_folders(config: dict[str, object]) -> list[Path]:
    from search_api.settings import calendar_folders as folders

    return folders(config)


def service_config(base: dict[str, object] | None = None) -> dict[str, object]:
    """Settings as the service sees them (search_api.settings.load_settings)."""
    from search_api.settings import load_settings

    return load_settings(base)


def store_and_config() -> tuple[Store, dict[str, object]]:
    """The service's store (not migrated: `portal db upgrade` does that) and
    settings, for commands that need only the store."""
    from search_api.store import Store

    config = service_config()
    store = Store.open(str(config["DATABASE_URL"]),
                       personal_key=str(config.get("PERSONAL_DATA_KEY") or "") or None)
    return store, config


def open_services_or_exit() -> Services:
    """The service's parts wired as the web service wires them
    (search_api.wiring.open_services), for `portal remind`; a setting that
    stops the service stops the command with one line saying what to fix."""
    from search_api.deployment import DeploymentError
    from search_api.wiring import WrongPersonalDataKey, open_services

    try:
        return open_services(service_config(), migrate=False)
    except (DeploymentError, WrongPersonalDataKey) as exc:
        raise click.ClickException(str(exc)) from exc


def utc_now() -> datetime:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def deployment_profile(config: dict[str, object]) -> Profile:
    """The deployment's profile (portal.yaml in CATALOG_DIR); a contradiction
    with the PROFILE setting stops the command."""
    from search_api.deployment import DeploymentError, deployment_profile

    try:
        return deployment_profile(config)
    except DeploymentError as exc:
        raise click.ClickException(str(exc)) from exc


def verification_of(config: dict[str, object]) -> Verification:
    from domain.periods.calendar import WorkCalendar
    from domain.procedures.reports import Verification

    folders = calendar_folders(config)
    return Verification(deployment_profile(config), WorkCalendar(folders=folders))
