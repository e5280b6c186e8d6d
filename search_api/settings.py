"""Every setting of the service, declared once: name, default, type, help.

The app factory applies the defaults, then environment variables prefixed
``PORTAL_`` (``PORTAL_SEARCH_DB=/srv/search.sqlite3``), then a test config.
``docs/service.md`` documents each one; a test checks it does.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("SECRET_KEY", "", "Flask's secret key. Required: the service refuses to start "
            "without it (`portal serve` alone makes a random one, fine for one process). "
            "Sessions are server-side (SESSION_*, REDIS_URL) and not signed with it."),
    Setting("SITE_DIR", "site", "Folder of the built static portal. `portal serve` serves it at / "
            "so one process runs the whole portal; empty to serve the API only."),
    Setting("CATALOG_JSON", "site/catalog.json", "catalog.json written by `portal build`; "
            "input of `portal index`."),
    Setting("PUBLIC_SITE_URL", "", "Absolute address of the static site, for absolute links in "
            "API answers (CKAN resource URLs). Empty: links relative to the site root."),
    Setting("SEARCH_DB", "var/search.sqlite3", "SQLite file of the embedded search engine."),
    Setting("ROWS_DB", "", "SQLite file of the data API's rows (the published tables, "
            "loaded by `portal index` from the site beside CATALOG_JSON). Empty: rows.sqlite3 "
            "beside SEARCH_DB."),
    Setting("LABELS_FILE", "var/search-labels.json", "Chinese names of facet values, written by "
            "`portal index`."),
    Setting("SYNONYMS_FILE", "", "Synonym list for search (one group per line, words separated "
            "by spaces). Empty: the built-in list."),
    Setting("SEARCH_RESULT_CACHE", 1024, "Answers of the embedded engine kept per worker for "
            "repeated queries, checked against the index generation (0: none)."),
    Setting("SEARCH_CONCURRENCY", 1, "Searches the embedded engine runs at once per worker; the "
            "others wait their turn (0: no limit). One per worker keeps the slow answers' time "
            "down when the workers use the machine's cores; raise it with more cores than workers."),
    Setting("MEILI_URL", "", "Meilisearch server address; when set, search uses Meilisearch "
            "instead of the embedded engine."),
    Setting("MEILI_KEY", "", "Meilisearch API key."),
    Setting("MEILI_INDEX", "datasets", "Meilisearch index name."),
    Setting("PORTAL_NAME", "公共数据开放平台", "Portal name shown on the service's pages."),
    Setting("DATABASE_URL", "sqlite:///var/portal.sqlite3", "Database of requests, reviewers, "
            "audit log and outbox: SQLite (default) or postgresql://user@host/db."),
    Setting("TRUSTED_PROXIES", 0, "Number of reverse proxies in front of the service whose "
            "X-Forwarded-For and X-Forwarded-Proto may be trusted: the client's address (rate "
            "limits) and whether it came over https (HSTS, Secure cookies, absolute links the "
            "service makes itself). 1 behind the shipped nginx; 0: none, such headers from "
            "clients are ignored."),
    Setting("PERSONAL_DATA_KEY", "", "Key that encrypts applicants' identity numbers and "
            "contacts at rest (make one with `portal db new-key`); empty: stored unencrypted "
            "in a separate column, never shown in lists or logs."),
    Setting("PROFILE", "", "Transition only: the deployment's profile is `profile:` in "
            "CATALOG_DIR/portal.yaml. Empty: ignored; any other value must equal it, or the "
            "service and the commands refuse to start."),
    Setting("CALENDAR_DIRS", "datasets/calendars", "Extra folders of working-day calendar "
            "files (YYYY.json), comma-separated; they override the shipped ones."),
    Setting("RATE_PUBLIC_WRITES", 20, "Public submissions (requests, reports) allowed per "
            "client address per hour, counted for the whole deployment (in the database, or "
            "in Redis when REDIS_URL is set), whatever the number of worker processes."),
    Setting("RATE_SECRET_ATTEMPTS", 10, "Failed access-code, link and sign-in attempts "
            "allowed per client address per 15 minutes, for the whole deployment; then every "
            "attempt of that address is refused (429) until the window has passed. Reads with "
            "the right access code are not counted."),
    Setting("SESSION_IDLE_MINUTES", 60, "A session (reviewer, applicant's access-code "
            "sign-in, third party's link) ends after this many minutes without a request."),
    Setting("SESSION_MAX_HOURS", 12, "A session ends this many hours after its sign-in, "
            "however active."),
    Setting("REDIS_URL", "", "Redis server (redis://host:6379/0) for sessions and rate-limit "
            "counters; empty: both are kept in the database (DATABASE_URL)."),
    Setting("REDIS_PREFIX", "portal:", "Prefix of this deployment's keys in Redis (several "
            "deployments may share one server)."),
    Setting("STATISTICS_CACHE_SECONDS", 60, "Seconds each answer of /api/v1/statistics/* "
            "is kept per worker (the figures change slowly; summing a year of counters on "
            "every call would be an easy way to keep the server busy); 0: none."),
    Setting("COUNT_DOWNLOADS", True, "Count downloads of published files that this service "
            "serves itself (SITE_DIR): per day, dataset and file, nothing about who. Where a web "
            "server publishes the site, count its logs with `portal downloads count` instead."),
    Setting("MAIL_LOG", "var/mail.log", "When SMTP_HOST is empty, outgoing messages are "
            "appended to this file instead of being sent."),
    Setting("SMTP_HOST", "", "SMTP server for outgoing messages; empty: write to MAIL_LOG."),
    Setting("SMTP_PORT", 25, "SMTP port."),
    Setting("SMTP_TIMEOUT", 10, "Seconds to wait for the SMTP server to accept the "
            "connection and answer. A server that cannot be reached stops `portal send-mail` "
            "after that one attempt; the other messages wait for the next run."),
    Setting("SMTP_FROM", "opendata@localhost", "Sender address of outgoing messages."),
    Setting("CATALOG_DIR", "datasets", "The catalogue folder: department addresses for "
            "messages, and the conditional data delivered to approved applicants."),
    Setting("DOWNLOAD_LINK_HOURS", 72, "Hours an approved applicant's download link stays "
            "valid."),
    Setting("AUTHORITY_EMAIL", "", "E-mail address of the data authority's reviewers "
            "(normative review, reminders)."),
    Setting("AUTHORITY_DIGEST", False, "Send the data authority one daily digest of its "
            "messages (new requests to review, reminders) instead of one e-mail each."),
    Setting("DIGEST_HOUR", 8, "Hour (Beijing time, 0-23) from which the daily digest goes "
            "out, at the next `portal send-mail` run."),
    Setting("PARTICIPATION_REPLY_DAYS", 15, "Working days within which a department answers "
            "a data demand or suggestion, counted from the day after receipt. No regulation "
            "sets this period (003 §27, 004 §35, 000 §30 say only 及时响应): it is bureau "
            "policy; answers after it are counted as late in the public statistics."),
    Setting("AUDIT_SIGNING_KEY", "", "File of the Ed25519 private key that signs audit "
            "checkpoints (`portal audit new-key` makes it, mode 0600). Keep it outside the "
            "database, its backups and AUDIT_CHECKPOINT_DIR; empty: no checkpoints."),
    Setting("AUDIT_CHECKPOINT_DIR", "var/audit", "Folder of the signed audit checkpoints "
            "(checkpoints.jsonl) and the public key (audit-public-key.pem); `portal build "
            "--audit-dir` publishes it under site/audit/."),
    Setting("KEYED_ROWS_DB", "", "SQLite file of the conditional tables served to approved "
            "API keys and sandboxes (loaded by `portal index` from CATALOG_DIR, never from the "
            "site). Empty: keyed-rows.sqlite3 beside SEARCH_DB."),
    Setting("API_KEY_DAILY_QUOTA", 10000, "Calls per Beijing day one approved API key may "
            "make (rows API and sandbox together); more are refused with 429."),
    Setting("SANDBOX_DIR", "var/sandbox", "Folder of the per-grant read-only SQLite files "
            "of the sandbox (rebuilt when the approved tables or fields change)."),
    Setting("SANDBOX_MIN_GROUP", 10, "Smallest group a sandbox query may return where the "
            "approval says raw rows may not leave (原始明细不得带出); smaller groups are "
            "suppressed."),
    Setting("SANDBOX_ROW_LIMIT", 5000, "Most rows one sandbox query returns."),
    Setting("SANDBOX_TIMEOUT_MS", 2000, "Milliseconds a sandbox query may run before it is "
            "stopped."),
    Setting("USE_REPORT_REMIND_DAYS", 7, "Days before a use report of an approved API or "
            "sandbox use is due that the applicant is reminded, and days after it that the "
            "applicant and the provider are told it is overdue (`portal remind`)."),
    Setting("CORS_ORIGINS", "*", "Origins allowed to call the read-only API from a browser "
            "(the static site may live on another host). Comma-separated, or *."),
)


def defaults() -> dict[str, Any]:
    return {s.name: s.default for s in SETTINGS}


ENV_PREFIX = "PORTAL_"


def load_settings(overrides: Mapping[str, Any] | None = None,
                  environ: Mapping[str, str] | None = None,
                  base: Path | None = None, *, resolve: bool = True) -> dict[str, Any]:
    """The settings as the service, the commands and cron all see them: the
    declared defaults, then every ``PORTAL_*`` environment variable (its value
    read as JSON when it is JSON — ``PORTAL_TRUSTED_PROXIES=1`` is the number 1
    — else as text), then ``overrides``; path settings made absolute against
    ``base`` (default: the working directory) unless ``resolve`` is false
    (`portal deploy check` looks at what was written). The one reader of
    settings."""
    config = defaults()
    env = os.environ if environ is None else environ
    for key in sorted(env):
        if key.startswith(ENV_PREFIX) and len(key) > len(ENV_PREFIX):
            config[key[len(ENV_PREFIX):]] = _env_value(env[key])
    if overrides:
        config.update(overrides)
    if resolve:
        resolve_paths(config, base)
    return config


def _env_value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def calendar_folders(config: Mapping[str, Any]) -> list[Path]:
    """The working-day calendar folders of CALENDAR_DIRS (comma-separated)
    that exist, in order: the one parser of that setting. A folder that does
    not exist is skipped (the shipped calendars still apply); `portal deploy
    check` reports it."""
    return [Path(p) for p in calendar_folder_names(config) if Path(p).is_dir()]


def calendar_folder_names(config: Mapping[str, Any]) -> list[str]:
    """Every folder named by CALENDAR_DIRS, existing or not."""
    return [p.strip() for p in str(config.get("CALENDAR_DIRS") or "").split(",") if p.strip()]


# Settings that name files or folders. A relative value means "relative to the
# working directory the service was started in" (the project root for `make
# run`, the folder the docs name for gunicorn and cron): resolved once, here,
# so that Flask never resolves it against its own code folder (send_file does).
PATH_SETTINGS: tuple[str, ...] = (
    "SITE_DIR", "CATALOG_JSON", "SEARCH_DB", "ROWS_DB", "LABELS_FILE", "SYNONYMS_FILE", "MAIL_LOG",
    "CATALOG_DIR", "AUDIT_SIGNING_KEY", "AUDIT_CHECKPOINT_DIR", "KEYED_ROWS_DB", "SANDBOX_DIR",
)
PATH_LIST_SETTINGS: tuple[str, ...] = ("CALENDAR_DIRS",)


def resolve_paths(config: MutableMapping[str, Any], base: Path | None = None) -> None:
    """Make every path setting absolute against ``base`` (default: the working
    directory), in place; empty values stay empty (they mean "none"). A SQLite
    ``DATABASE_URL`` with a relative file is made absolute the same way."""
    root = (base or Path.cwd()).resolve()
    for name in PATH_SETTINGS:
        value = str(config.get(name) or "")
        if value:
            config[name] = str(root / Path(value).expanduser())
    for name in PATH_LIST_SETTINGS:
        parts = [p.strip() for p in str(config.get(name) or "").split(",") if p.strip()]
        config[name] = ",".join(str(root / Path(p).expanduser()) for p in parts)
    config["ROWS_DB"] = str(rows_db(config))
    url = str(config.get("DATABASE_URL") or "")
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith("sqlite:////"):
        rest = url[len(prefix):]
        if rest and rest != ":memory:" and not rest.startswith(":"):
            config["DATABASE_URL"] = prefix + str(root / rest)


def rows_db(config: Mapping[str, Any]) -> Path:
    """The data API's row store: ROWS_DB, or rows.sqlite3 beside SEARCH_DB."""
    explicit = str(config.get("ROWS_DB") or "")
    if explicit:
        return Path(explicit)
    return Path(str(config.get("SEARCH_DB") or "var/search.sqlite3")).with_name("rows.sqlite3")
