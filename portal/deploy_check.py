"""``portal deploy check``: what is wrong with a deployment before it breaks.

Reads the settings as the service would (defaults, then ``PORTAL_*`` from
the environment) and reports, in English, each problem with what to do:
relative paths, missing or weak keys, a public address that is not https,
a database that cannot be reached, is not migrated or holds personal data
the configured key cannot open, no working-day calendar for next year, mail
that is not configured or whose server cannot be reached. Errors make the
command exit non-zero; warnings do not.

``production=False`` (``--dev``) turns the checks that only matter on a
public server (https, keys, mail) into warnings.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from search_api.settings import (
    PATH_LIST_SETTINGS,
    PATH_SETTINGS,
    calendar_folders,
    defaults,
    load_settings,
)

# Other PORTAL_* variables the service reads (Flask's own settings).
FLASK_SETTINGS = ("SESSION_COOKIE_SECURE", "SESSION_COOKIE_SAMESITE", "SESSION_COOKIE_NAME",
                  "SESSION_COOKIE_DOMAIN", "PERMANENT_SESSION_LIFETIME", "MAX_CONTENT_LENGTH",
                  "PREFERRED_URL_SCHEME", "SERVER_NAME")


@dataclass(frozen=True)
class Finding:
    """One problem: an error (the deployment will fail) or a warning."""

    error: bool
    text: str

    def __str__(self) -> str:
        return f"{'error' if self.error else 'warning'}: {self.text}"


def settings_from(environ: Mapping[str, str]) -> dict[str, Any]:
    """The defaults overridden by ``PORTAL_*`` variables of ``environ``
    (paths not resolved: the check looks at what was written)."""
    return load_settings(environ=environ, resolve=False)


class _Report:
    def __init__(self, production: bool) -> None:
        self.production = production
        self.findings: list[Finding] = []

    def error(self, text: str) -> None:
        self.findings.append(Finding(True, text))

    def warn(self, text: str) -> None:
        self.findings.append(Finding(False, text))

    def prod(self, text: str) -> None:
        """An error on a production server, a warning in development."""
        self.findings.append(Finding(self.production, text))


def check_deployment(environ: Mapping[str, str], *, today: date, production: bool = True,
                     cwd: Path | None = None) -> list[Finding]:
    """Every problem found, errors first. Never raises for a bad setting."""
    report = _Report(production)
    config = settings_from(environ)
    where = (cwd or Path.cwd()).resolve()
    _unknown_variables(report, environ)
    _paths(report, config, environ, where)
    _keys(report, config)
    _addresses(report, config)
    resolved = dict(config)
    from search_api.settings import resolve_paths

    resolve_paths(resolved, where)
    _files(report, resolved)
    _database(report, resolved)
    _calendar(report, resolved, today)
    _mail(report, resolved)
    return sorted(report.findings, key=lambda f: not f.error)


def _unknown_variables(report: _Report, environ: Mapping[str, str]) -> None:
    known = set(defaults()) | set(FLASK_SETTINGS)
    for key in sorted(environ):
        if key.startswith("PORTAL_") and key[len("PORTAL_"):] not in known:
            report.warn(f"{key} is not a setting of the portal (a typo?); it is ignored")


def _paths(report: _Report, config: Mapping[str, Any], environ: Mapping[str, str],
           where: Path) -> None:
    for name in PATH_SETTINGS + PATH_LIST_SETTINGS:
        for part in [p.strip() for p in str(config[name] or "").split(",") if p.strip()]:
            if not Path(part).expanduser().is_absolute():
                given = f"PORTAL_{name} in the environment" if f"PORTAL_{name}" in environ \
                    else f"the default of PORTAL_{name}"
                report.prod(f"{given} is the relative path {part!r}: it is read against the "
                            f"working directory (now {where}), which differs between systemd, "
                            "cron and a shell; set an absolute path")
    url = str(config["DATABASE_URL"])
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        report.prod(f"PORTAL_DATABASE_URL {url!r} names a relative SQLite file; use "
                    "sqlite:////absolute/path or PostgreSQL")


def _keys(report: _Report, config: Mapping[str, Any]) -> None:
    secret = str(config["SECRET_KEY"] or "")
    if not secret:
        report.error("PORTAL_SECRET_KEY is not set: the service refuses to start; set it to "
                     "a long random value (python -c 'import secrets; "
                     "print(secrets.token_hex(32))')")
    elif len(secret) < 32:
        report.prod(f"PORTAL_SECRET_KEY has {len(secret)} characters; use at least 32 random ones")
    personal = str(config["PERSONAL_DATA_KEY"] or "")
    if not personal:
        report.prod("PORTAL_PERSONAL_DATA_KEY is not set: applicants' identity numbers and "
                    "contacts are stored unencrypted; make a key with `portal db new-key` and "
                    "keep a copy apart from the backups")
    else:
        from search_api.store.personal import PersonalCipher

        try:
            PersonalCipher(personal)
        except ValueError as exc:
            report.error(f"PORTAL_PERSONAL_DATA_KEY: {exc}")


def _addresses(report: _Report, config: Mapping[str, Any]) -> None:
    url = str(config["PUBLIC_SITE_URL"] or "")
    if not url:
        report.prod("PORTAL_PUBLIC_SITE_URL is not set: links in API answers are relative and "
                    "the session cookie is not marked Secure")
    elif not url.lower().startswith("https://"):
        report.prod(f"PORTAL_PUBLIC_SITE_URL {url} is not https: applicants' personal data and "
                    "reviewers' passwords would cross the network in clear (and no HSTS, no "
                    "Secure cookie)")
    if str(config["TRUSTED_PROXIES"]) in ("", "0"):
        report.warn("PORTAL_TRUSTED_PROXIES is 0: behind nginx every client has nginx's "
                    "address and the rate limits count all of them as one; set it to 1")


def _files(report: _Report, config: Mapping[str, Any]) -> None:
    catalog = Path(str(config["CATALOG_DIR"]))
    if not (catalog / "vocabularies.yaml").is_file():
        report.error(f"PORTAL_CATALOG_DIR {catalog} holds no vocabularies.yaml: departments' "
                     "addresses and conditional data cannot be found")
    catalog_json = Path(str(config["CATALOG_JSON"]))
    if not catalog_json.is_file():
        report.warn(f"PORTAL_CATALOG_JSON {catalog_json} does not exist yet: run `portal build` "
                    "then `portal index`")
    site = str(config["SITE_DIR"] or "")
    if site and not (Path(site) / "index.html").is_file():
        report.error(f"PORTAL_SITE_DIR {site} holds no built site (no index.html); build it or "
                     "set PORTAL_SITE_DIR= when nginx serves the site")
    for name in ("SEARCH_DB", "LABELS_FILE", "MAIL_LOG"):
        folder = Path(str(config[name])).parent
        if not folder.is_dir():
            report.error(f"the folder of PORTAL_{name}, {folder}, does not exist")
        elif not os.access(folder, os.W_OK):
            report.error(f"the folder of PORTAL_{name}, {folder}, is not writable by this user "
                         "(run the check as the service's user)")


def _database(report: _Report, config: Mapping[str, Any]) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from search_api.store.engine import parse_url

    url = str(config["DATABASE_URL"])
    try:
        u = parse_url(url)
    except (ValueError, ArgumentError) as exc:
        report.error(f"PORTAL_DATABASE_URL is not a database address: {exc}")
        return
    shown = u.render_as_string(hide_password=True)
    if u.get_backend_name() == "sqlite":
        if not Path(str(u.database)).is_file():
            report.error(f"the database {shown} does not exist: run `portal db upgrade`")
            return
        engine = create_engine(u)
    else:
        engine = create_engine(u, connect_args={"connect_timeout": 5})
    try:
        _database_state(report, engine, shown, config)
    except SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc
        first = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
        report.error(f"the database {shown} is not reachable: {first}")
    finally:
        engine.dispose()


def _database_state(report: _Report, engine: Any, shown: str,
                    config: Mapping[str, Any]) -> None:
    from alembic.script import ScriptDirectory

    from search_api.store.keycheck import personal_key_problem
    from search_api.store.migrate import alembic_config, current

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    at = current(engine)
    if at != head:
        report.error(f"the database {shown} is at revision {at or '(empty)'}, this version "
                     f"needs {head}: run `portal db upgrade` (the service does it at start)")
        return
    problem = personal_key_problem(engine, str(config["PERSONAL_DATA_KEY"] or "") or None)
    if problem:
        report.error(f"{problem}; the service refuses to start until it is fixed")


def _calendar(report: _Report, config: Mapping[str, Any], today: date) -> None:
    from domain.periods.calendar import CalendarFileInvalid, WorkCalendar

    try:
        years = WorkCalendar(folders=calendar_folders(config)).covered_years()
    except CalendarFileInvalid as exc:
        report.error(f"a working-day calendar is invalid: {exc}")
        return
    following = today.year + 1
    for year in (today.year, following):
        if year in years:
            continue
        # Since the provisional calendar (#12) nothing is refused: dates are
        # counted with the statutory holidays only and marked 暂定 until the
        # notice is loaded. Requests filed from November on reach the next year.
        text = (f"no working-day calendar for {year}: deadlines reaching into {year} are "
                "provisional (暂定: statutory holidays only, no make-up working days) and "
                f"may move; add it with `portal calendar NOTICE.txt --year {year} --out "
                "<a folder of PORTAL_CALENDAR_DIRS>` once the State Council publishes its "
                "holiday notice")
        if year == following and today.month < 11:
            report.warn(text)
        else:
            report.error(text)


def _mail(report: _Report, config: Mapping[str, Any]) -> None:
    if not str(config["AUTHORITY_EMAIL"] or ""):
        report.prod("PORTAL_AUTHORITY_EMAIL is not set: the data authority's reviewers get no "
                    "notices or reminders")
    host = str(config["SMTP_HOST"] or "")
    if not host:
        report.prod(f"PORTAL_SMTP_HOST is not set: messages to applicants and departments are "
                    f"only written to {config['MAIL_LOG']}")
        return
    try:
        port = int(str(config["SMTP_PORT"]))
    except ValueError:
        report.error(f"PORTAL_SMTP_PORT {config['SMTP_PORT']!r} is not a port number")
        return
    try:
        socket.create_connection((host, port), timeout=5).close()
    except OSError as exc:
        report.error(f"the SMTP server {host}:{port} cannot be reached: {exc}")
