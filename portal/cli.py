"""``portal``: check, build and import catalogues; serve the request service.

Each command only parses its arguments and calls the library; user errors
become ``click.ClickException`` with a sentence saying what to fix.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from builder.theme import DEFAULT_BACKEND, THEME_BACKENDS
from domain.problems import Problem, Severity
from portal import user_commands
from portal.failures import PortalGroup

if TYPE_CHECKING:
    from builder.publication_changes import PublicationChange
    from domain.profiles import Profile
    from domain.reports import Verification


def _today(value: str | None) -> date:
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD") from exc


def _print_problems(problems: list[Problem], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps([p.as_dict() for p in problems], ensure_ascii=False, indent=1))
        return
    for problem in problems:
        colour = "red" if problem.severity is Severity.ERROR else "yellow"
        click.secho(f"{problem.severity.value}: {problem.format()}", fg=colour, err=True)


@click.group(cls=PortalGroup)
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages.")
@click.version_option(package_name="opendata-portal")
def main(verbose: bool) -> None:
    """Open-data portal: check, build and serve a government data catalogue."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s")
    if not verbose:
        logging.getLogger("alembic").setLevel(logging.WARNING)


@main.command()
@click.argument("catalog_dir", type=click.Path(path_type=Path), default="datasets")
@click.option("--today", help="Date to judge update deadlines against (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON on stdout.")
@click.option("--no-validate", is_flag=True, help="Skip frictionless schema validation.")
def check(catalog_dir: Path, today: str | None, as_json: bool, no_validate: bool) -> None:
    """Check a catalogue and report every problem at once.

    Exits 1 when there are errors (warnings alone exit 0).
    """
    from builder.check import run_check

    report = run_check(catalog_dir, _today(today), validate=not no_validate)
    _print_problems(report.problems, as_json)
    summary = (f"{report.folders} dataset folders found, {len(report.catalog.datasets)} "
               f"checked: {len(report.errors)} error(s) in {report.datasets_with_errors} "
               f"dataset(s) (portal build withholds them), {len(report.warnings)} warning(s)")
    click.echo(summary, err=True)
    if not report.ok:
        sys.exit(1)


@main.command()
@click.argument("catalog_dir", type=click.Path(path_type=Path), default="datasets")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default="site",
              show_default=True, help="Folder to write the static site into.")
@click.option("--today", help="Date to judge update status against (default: today).")
@click.option("--base-url", help="Absolute URL the site is published at (overrides portal.yaml).")
@click.option("--service-url", help="URL of the request service (overrides portal.yaml).")
@click.option("--search-url", help="URL of the search API (overrides portal.yaml).")
@click.option("--cache-dir", type=click.Path(path_type=Path),
              help="Build cache (default: .portal-cache beside --out).")
@click.option("--frictionless", "use_frictionless", is_flag=True,
              help="Validate every table with frictionless too (slower; `portal check` does).")
@click.option("--index", "then_index", is_flag=True,
              help="Then load the new catalog.json into the search engine (portal index).")
@click.option("--service-db", envvar="PORTAL_DATABASE_URL", metavar="URL",
              help="Database of the request service (default: $PORTAL_DATABASE_URL): the "
                   "quality score then counts error reports unanswered past their deadline, and "
                   "dataset pages show download counts.")
@click.option("--audit-dir", type=click.Path(path_type=Path),
              envvar="PORTAL_AUDIT_CHECKPOINT_DIR",
              help="Folder of signed audit checkpoints and the public key to publish under "
                   "audit/ (default: $PORTAL_AUDIT_CHECKPOINT_DIR; none when unset).")
@click.option("--quiet", is_flag=True, help="No progress output.")
@click.option("--strict", is_flag=True,
              help="Exit 1 (not 2) when a dataset was withheld or taken down.")
@click.option("--theme-backend", type=click.Choice(THEME_BACKENDS),
              default=DEFAULT_BACKEND, show_default=True,
              help="Generator of the theme's pages: mkdocs-material, or its successor "
                   "Zensical (same mkdocs.yml; docs/operators.md).")
def build(catalog_dir: Path, out_dir: Path, today: str | None, base_url: str | None,
          service_url: str | None, search_url: str | None, cache_dir: Path | None,
          use_frictionless: bool, then_index: bool, service_db: str | None,
          audit_dir: Path | None, quiet: bool, strict: bool, theme_backend: str) -> None:
    """Build the static portal from a catalogue.

    A dataset with errors is withheld and every other dataset published; a
    dataset that was online and is withheld now is taken down (a 暂停发布
    notice replaces its page). Exits 0 when everything was published, 2
    when datasets were withheld or taken down (1 with --strict), 1 on a
    catalogue-wide error (nothing written). The operators' report (JSON and
    text) is written beside the build cache.

    Datasets published, withdrawn or taken down are recorded in the audit
    log of the request service (003 §34) when its database is given
    (--service-db or PORTAL_DATABASE_URL)."""
    from builder.announcements import NoticeError
    from builder.audit_files import AuditFolderError
    from builder.build import BuildConfig, BuildFailed, UnsafeOutput
    from builder.build import build as run_build
    from builder.theme import ThemeError

    last = [0.0]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if not quiet and (done == total or now - last[0] > 1.0):
            last[0] = now
            click.echo(f"  {stage}: {done}/{total}", err=True)

    day = _today(today)
    cfg = BuildConfig(catalog_dir=catalog_dir, out_dir=out_dir, today=day,
                      cache_dir=cache_dir, base_url=base_url, request_service_url=service_url,
                      search_api_url=search_url, validate=use_frictionless, progress=progress,
                      overdue_reports=_overdue_reports(service_db, day) if service_db else None,
                      download_counts=_download_counts(service_db) if service_db else None,
                      audit_dir=audit_dir, theme_backend=theme_backend)
    try:
        result = run_build(cfg)
    except AuditFolderError as exc:
        raise click.ClickException(str(exc)) from exc
    except BuildFailed as exc:
        _print_problems(exc.problems, as_json=False)
        raise click.ClickException(f"{exc}; fix the catalogue-wide errors above (vocabularies, "
                                   "portal.yaml) and build again") from exc
    except UnsafeOutput as exc:
        raise click.ClickException(str(exc)) from exc
    except NoticeError as exc:
        raise click.ClickException(str(exc)) from exc
    except ThemeError as exc:
        raise click.ClickException(f"{exc}; check builder/mkdocs.yml") from exc
    _print_problems(result.warnings, as_json=False)
    click.echo(f"built {result.datasets} datasets into {out_dir} in {result.seconds:.1f} s "
               f"({result.pages_written} pages written, {result.pages_reused} unchanged, "
               f"{result.downloads} downloads, {result.files_removed} stale files removed)",
               err=True)
    _record_publication(result.events, service_db, out_dir,
                        cfg.resolved_cache() / "audit-pending.json")
    changes = result.changes
    withheld = [p for _, found in sorted(changes.problems.items()) for p in found]
    _print_problems(withheld[:200], as_json=False)
    if len(withheld) > 200:
        click.echo(f"... and {len(withheld) - 200} more errors of withheld datasets "
                   "(all are in the operators' report; `portal check` lists them too)", err=True)
    click.echo(changes.summary(), err=True)
    if result.report_files:
        click.echo(f"operators' report: {result.report_files[1]} (and .json)", err=True)
    if then_index:
        _run_index(out_dir / "catalog.json")
    if not changes.complete:
        sys.exit(1 if strict else 2)


def _record_publication(changes: list[PublicationChange], url: str | None,
                        out_dir: Path, pending: Path) -> None:
    """Record what the build published, withdrew and took down in the
    service's audit log (003 §34): one record per dataset, actor ``system``
    ``portal build``, in one transaction. Says so when there is no database
    to record them in. When the database cannot take them, they are kept in
    ``pending`` (the build cache) and recorded by the next build that can."""
    from dataclasses import asdict

    from builder.publication_changes import PublicationChange

    if url and pending.is_file():
        try:
            kept = [PublicationChange(**c) for c in json.loads(pending.read_text("utf-8"))]
        except (ValueError, TypeError) as exc:
            raise click.ClickException(f"{pending} is damaged ({exc}); record its changes by "
                                       "hand, then delete it") from exc
        changes = kept + changes
    if not changes:
        return
    counts = ", ".join(f"{sum(c.action == a for c in changes)} {a.replace('_', ' ')}"
                       for a in ("published", "withdrawn", "taken_down"))
    if not url:
        click.secho(f"publication changes ({counts}) NOT recorded in the audit log: no service "
                    "database given (--service-db or PORTAL_DATABASE_URL)",
                    fg="yellow", err=True)
        return
    from sqlalchemy.exc import SQLAlchemyError

    from search_api.store import Store

    store = Store.open(url)
    try:
        store.record_publication(  # one transaction for the whole build
            [(f"dataset.{c.action}", c.dataset_id, {**c.detail(), "site": str(out_dir)})
             for c in changes], actor="portal build", at=_utc_now())
    except SQLAlchemyError as exc:
        pending.parent.mkdir(parents=True, exist_ok=True)
        pending.write_text(json.dumps([asdict(c) for c in changes], ensure_ascii=False),
                           encoding="utf-8")
        raise click.ClickException(
            f"the site was built, but its publication changes ({counts}) could not be "
            f"recorded in the audit log ({exc.__class__.__name__}); they are kept in "
            f"{pending} and recorded by the next build that reaches the database (run "
            "`portal db upgrade` there)") from exc
    finally:
        store.close()
    pending.unlink(missing_ok=True)
    click.echo(f"publication changes recorded in the audit log: {counts}", err=True)


def _overdue_reports(url: str, day: date) -> dict[str, int]:
    """Error reports unanswered past their deadline per dataset, read from
    the request service's database (never written)."""
    from sqlalchemy.exc import SQLAlchemyError

    from domain.calendar import CalendarYearMissing
    from search_api.store import Store
    from search_api.store.report_store import ReportStore

    config = _service_config(_defaults())
    store = Store.open(url)
    try:
        return ReportStore(store).overdue_by_dataset(_verification(config), day)
    except SQLAlchemyError as exc:
        raise click.ClickException(
            f"cannot read error reports from the service database ({exc.__class__.__name__}); "
            "run `portal db upgrade` there, or build without --service-db") from exc
    except CalendarYearMissing as exc:
        raise click.ClickException(f"{exc}; add the calendar file, or build without "
                                   "--service-db") from exc
    finally:
        store.close()


def _download_counts(url: str) -> dict[str, int]:
    """All downloads counted per dataset in the request service's database."""
    from sqlalchemy.exc import SQLAlchemyError

    from search_api.store import Store
    from search_api.store.download_store import DownloadStore

    store = Store.open(url)
    try:
        return dict(DownloadStore(store).totals().by_dataset)
    except SQLAlchemyError as exc:
        raise click.ClickException(
            f"cannot read download counts from the service database "
            f"({exc.__class__.__name__}); run `portal db upgrade` there, or build without "
            "--service-db") from exc
    finally:
        store.close()


def _defaults() -> dict[str, object]:
    from search_api.settings import defaults

    return defaults()


def _verification(config: dict[str, object]) -> Verification:
    from domain.calendar import WorkCalendar
    from domain.reports import Verification

    folders = [Path(f) for f in str(config["CALENDAR_DIRS"]).split(",") if Path(f).is_dir()]
    return Verification(_profile(config), WorkCalendar(folders=folders))


def _profile(config: dict[str, object]) -> Profile:
    """The deployment's profile (portal.yaml in CATALOG_DIR); a contradiction
    with the PROFILE setting stops the command."""
    from search_api.deployment import DeploymentError, deployment_profile

    try:
        return deployment_profile(config)
    except DeploymentError as exc:
        raise click.ClickException(str(exc)) from exc


@main.command(name="import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path),
              help="Catalogue folder to write dataset descriptors into (required unless "
                   "--write-plan).")
@click.option("--map", "column_map", multiple=True, metavar="COLUMN=FIELD",
              help="Map a source column to a catalogue field (or 'ignore'); repeatable.")
@click.option("--map-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="YAML file of 'COLUMN: FIELD' lines; --map options win over it.")
@click.option("--values", "value_map", type=click.Path(exists=True, dir_okay=False,
                                                       path_type=Path),
              help="YAML file mapping unmapped values to codes, per field.")
@click.option("--defaults", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="YAML file of values you state for rows that lack them, under an open "
                   "type or 'all' (legal_basis, open_conditions, level, usage_requirements, "
                   "region, contact, licenses).")
@click.option("--default-open-type", type=click.Choice(["unconditional", "conditional",
                                                        "not_open"]),
              help="Open type for rows whose open type is empty (never for text that "
                   "does not map).")
@click.option("--vocabularies", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="vocabularies.yaml to map onto (default: the one in --out, "
                   "else datasets/vocabularies.yaml).")
@click.option("--overwrite", is_flag=True, help="Replace dataset folders that exist.")
@click.option("--write-plan", type=click.Path(dir_okay=False, path_type=Path),
              help="Import nothing; write the mapping that would be used (columns with "
                   "evidence, unmapped values, defaults needed) to this YAML file to edit.")
@click.option("--plan", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Import with an edited plan (see --write-plan); other options win over it.")
def import_(source: Path, out_dir: Path | None, column_map: tuple[str, ...], map_file: Path | None,
            value_map: Path | None, defaults: Path | None, default_open_type: str | None,
            vocabularies: Path | None, overwrite: bool, write_plan: Path | None,
            plan: Path | None) -> None:
    """Import a catalogue spreadsheet or JSON export (metadata only).

    Prints a summary. Exits 1 when no row could be imported; skipped rows
    and unmapped values alone exit 0 (they are listed in the summary).
    """
    from builder.import_columns import parse_map_options
    from builder.import_sources import CatalogImportError, read_column_map
    from builder.importer import import_catalog
    from builder.importer import write_plan as plan_import

    try:
        mapping = parse_map_options(column_map)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--map") from exc
    if out_dir is None and write_plan is None:
        raise click.UsageError("give --out DIR to import into, or --write-plan PLAN.yaml to "
                               "write the plan only")
    try:
        mapping = {**(read_column_map(map_file) if map_file else {}), **mapping}
        if write_plan is not None:
            report = plan_import(source, write_plan, out=out_dir, column_map=mapping or None,
                                 vocabularies=vocabularies, value_map=value_map,
                                 default_open_type=default_open_type, defaults=defaults,
                                 plan=plan)
            click.echo(f"wrote the import plan {write_plan} ({report.rows} rows; nothing "
                       f"imported); edit it and run: portal import {source} --plan "
                       f"{write_plan} --out DIR", err=True)
            return
        assert out_dir is not None
        report = import_catalog(source, out_dir, column_map=mapping or None,
                                vocabularies=vocabularies, value_map=value_map,
                                default_open_type=default_open_type, defaults=defaults,
                                overwrite=overwrite, plan=plan)
    except CatalogImportError as exc:
        raise click.ClickException(f"{exc} (nothing was written; fix this and run "
                                   "portal import again)") from exc
    click.echo(report.summary(), err=True)
    if report.imported == 0:
        raise click.ClickException(f"no dataset was imported from {source.name}; "
                                   "see the skipped rows and warnings above")


@main.command()
@click.option("--catalog", "catalog_json", type=click.Path(path_type=Path),
              help="catalog.json to index (default: PORTAL_CATALOG_JSON, site/catalog.json).")
def index(catalog_json: Path | None) -> None:
    """Load catalog.json into the search engine (incremental, atomic)."""
    _run_index(catalog_json)


def _run_index(catalog_json: Path | None) -> None:
    from search_api.indexing import CatalogFileError, index_catalog, index_rows
    from search_api.settings import defaults

    config = _service_config(defaults())
    try:
        stats = index_catalog(config, catalog_json)
        rows = index_rows(config, catalog_json.resolve() if catalog_json else None)
    except CatalogFileError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"data API tables in {config['ROWS_DB']}: {rows.loaded} loaded ({rows.rows} rows"
               f"{f', {rows.bad_cells} unreadable cells left empty' if rows.bad_cells else ''}), "
               f"{rows.unchanged} unchanged, {rows.removed} removed in {rows.seconds:.1f} s",
               err=True)
    engine = f"Meilisearch {config['MEILI_URL']}" if config["MEILI_URL"] else config["SEARCH_DB"]
    click.echo(f"indexed into {engine}: {stats.added} added, {stats.updated} updated, "
               f"{stats.removed} removed, {stats.unchanged} unchanged in {stats.seconds:.1f} s",
               err=True)


def _service_config(base: dict[str, object]) -> dict[str, object]:
    """Settings as the service sees them: defaults overridden by PORTAL_*."""
    import os

    from search_api.settings import resolve_paths

    config = dict(base)
    for name in base:
        value = os.environ.get(f"PORTAL_{name}")
        if value is not None:
            config[name] = value
    resolve_paths(config)
    return config


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--site", "site_dir", type=click.Path(path_type=Path),
              help="Static site to serve at / (default: PORTAL_SITE_DIR, site/).")
def serve(host: str, port: int, site_dir: Path | None) -> None:
    """Run the portal (static site + API) with the development server.

    Production: gunicorn behind nginx, from deploy/ (docs/operators.md).
    """
    from search_api import create_app

    # One process: a random key is safe here (gunicorn needs PORTAL_SECRET_KEY).
    overrides: dict[str, object] = {"ALLOW_RANDOM_SECRET_KEY": True}
    if site_dir is not None:
        overrides["SITE_DIR"] = str(site_dir)
    app = create_app(overrides)
    click.echo(f"Portal: http://{host}:{port}/   "
               f"(API: http://{host}:{port}/api/v1/search?q=%E5%85%AC%E4%BA%A4)",
               err=True)
    app.run(host=host, port=port, debug=False, use_reloader=False)


def _store_and_config() -> tuple[object, dict[str, object]]:
    from search_api.settings import defaults
    from search_api.store import Store

    config = _service_config(defaults())
    store = Store.open(str(config["DATABASE_URL"]),
                       personal_key=str(config.get("PERSONAL_DATA_KEY") or "") or None)
    return store, config


def _utc_now() -> datetime:
    from datetime import UTC, datetime

    return datetime.now(UTC)


@main.group()
def db() -> None:
    """The request database: upgrade, backup, restore."""


@db.command()
def upgrade() -> None:
    """Create or upgrade the database schema (alembic migrations)."""
    store, config = _store_and_config()
    store.migrate()  # type: ignore[attr-defined]
    click.echo(f"database at {config['DATABASE_URL']} is up to date", err=True)


@db.command()
@click.argument("target", type=click.Path(path_type=Path))
def backup(target: Path) -> None:
    """Back up the database while the service runs (SQLite online backup; pg_dump)."""
    store, _ = _store_and_config()
    store.backup(target)  # type: ignore[attr-defined]
    click.echo(f"backup written to {target}", err=True)


@db.command()
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--yes", is_flag=True, help="Confirm replacing the current database.")
def restore(source: Path, yes: bool) -> None:
    """Replace the database with a backup (stop the service first)."""
    from search_api.store import Store

    if not yes:
        raise click.ClickException("restore replaces every request in the database; "
                                   "stop the service and pass --yes to confirm")
    _, config = _store_and_config()
    Store.restore(str(config["DATABASE_URL"]), source)
    click.echo(f"database restored from {source}", err=True)


@db.command(name="new-key")
def new_key() -> None:
    """Print a new PERSONAL_DATA_KEY (encrypts applicants' personal data at rest)."""
    from search_api.store import new_key as make_key

    click.echo(make_key())


# portal user add | list | disable | enable | reset-password
main.add_command(user_commands.user)


@main.group()
def audit() -> None:
    """The tamper-evident audit log (003 §34)."""


@audit.command()
@click.option("--checkpoints", "checkpoint_file", type=click.Path(path_type=Path),
              help="Checkpoint file to check against, e.g. a copy mailed to the authority or "
                   "downloaded from site/audit/ (default: checkpoints.jsonl in "
                   "PORTAL_AUDIT_CHECKPOINT_DIR).")
@click.option("--public-key", type=click.Path(path_type=Path),
              help="The published public key (default: audit-public-key.pem beside the "
                   "checkpoints).")
def verify(checkpoint_file: Path | None, public_key: Path | None) -> None:
    """Check the audit chain, and against the signed checkpoints: exit 1 if
    any record was altered, deleted or reordered, the log was cut short or
    rewritten from a record on, or a checkpoint's signature is bad."""
    store, config = _store_and_config()
    problems = store.verify_audit()  # type: ignore[attr-defined]
    problems += _verify_checkpoints(store, config, checkpoint_file, public_key)
    for problem in problems:
        click.secho(problem, fg="red", err=True)
    if problems:
        raise SystemExit(1)
    click.echo("audit log intact", err=True)


def _verify_checkpoints(store: object, config: dict[str, object], checkpoint_file: Path | None,
                        public_key: Path | None) -> list[str]:
    """Problems of the chain against its checkpoints; says so on stderr
    when there are none to check against."""
    from search_api import audit_checkpoints as ac

    folder = Path(str(config.get("AUDIT_CHECKPOINT_DIR") or "."))
    path = checkpoint_file or folder / ac.CHECKPOINT_FILE
    if not path.is_file():
        if checkpoint_file is not None:
            raise click.ClickException(f"no checkpoint file {path}")
        click.secho(f"no checkpoints at {path}: a log cut short or rewritten with recomputed "
                    "hashes cannot be detected (see `portal audit checkpoint`)",
                    fg="yellow", err=True)
        return []
    key_path = public_key or path.parent / ac.PUBLIC_KEY_FILE
    try:
        lines = ac.read(path)
        problems = ac.verify(lines, ac.load_public_key(key_path),
                             ac.chain_state(store))  # type: ignore[arg-type]
    except ac.CheckpointError as exc:
        raise click.ClickException(str(exc)) from exc
    if not problems:
        click.echo(f"{len(lines)} checkpoint(s) in {path} verified", err=True)
    return problems


def _checkpoint_paths(config: dict[str, object]) -> tuple[Path, Path] | None:
    key, folder = (str(config.get(n) or "") for n in ("AUDIT_SIGNING_KEY",
                                                     "AUDIT_CHECKPOINT_DIR"))
    return (Path(key), Path(folder)) if key and folder else None


@audit.command(name="new-key")
@click.option("--key", "key_path", type=click.Path(path_type=Path),
              help="Where to write the private key (default: PORTAL_AUDIT_SIGNING_KEY).")
def audit_new_key(key_path: Path | None) -> None:
    """Make the Ed25519 key that signs audit checkpoints: the private key
    (mode 0600) where AUDIT_SIGNING_KEY points, the public key into
    AUDIT_CHECKPOINT_DIR (published with the site)."""
    from search_api import audit_checkpoints as ac

    config = _service_config(_defaults())
    target = key_path or (Path(str(config["AUDIT_SIGNING_KEY"]))
                          if config.get("AUDIT_SIGNING_KEY") else None)
    if target is None:
        raise click.ClickException("say where the private key goes: set "
                                   "PORTAL_AUDIT_SIGNING_KEY or pass --key PATH")
    folder = Path(str(config.get("AUDIT_CHECKPOINT_DIR") or "var/audit"))
    try:
        public = ac.new_signing_key(target, folder)
    except ac.CheckpointError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"private key written to {target} (keep it out of the database and its "
               f"backups); public key {public}", err=True)


@audit.command(name="checkpoint")
def audit_checkpoint() -> None:
    """Sign the current head of the audit chain, append it to the checkpoint
    file and queue it for the authority (sent by `portal remind` or
    `portal send-mail`). Refuses to sign a chain that does not verify."""
    from search_api import audit_checkpoints as ac

    store, config = _store_and_config()
    paths = _checkpoint_paths(config)
    if paths is None:
        raise click.ClickException("set PORTAL_AUDIT_SIGNING_KEY (make the key with "
                                   "`portal audit new-key`) and PORTAL_AUDIT_CHECKPOINT_DIR")
    try:
        cp = ac.make_checkpoint(store, *paths, _utc_now())  # type: ignore[arg-type]
    except ac.CheckpointError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"checkpoint: record {cp.seq} signed at {cp.at} into "
               f"{paths[1] / ac.CHECKPOINT_FILE}; queued for the authority", err=True)


def _daily_checkpoint(store: object, config: dict[str, object], now: datetime) -> bool:
    """`portal remind`'s share: one checkpoint a day (UTC), when configured.
    False when it could not be made (a broken chain is never signed)."""
    from search_api import audit_checkpoints as ac

    paths = _checkpoint_paths(config)
    if paths is None:
        click.echo("audit checkpoints are off (PORTAL_AUDIT_SIGNING_KEY is not set)", err=True)
        return True
    try:
        cp = ac.daily_checkpoint(store, *paths, now)  # type: ignore[arg-type]
    except ac.CheckpointError as exc:
        click.secho(f"audit checkpoint not made: {exc}", fg="red", err=True)
        return False
    if cp is not None:
        click.echo(f"audit checkpoint: record {cp.seq} signed", err=True)
    return True


@main.command()
def remind() -> None:
    """End explanation demands whose policy pause ran out unanswered (不予
    处理), queue reminders of due-soon and overdue requests, error reports,
    demands and suggestions (000 §43, 002 §44) and notices of new items to
    moderate, sign the day's audit checkpoint (once a day, when
    AUDIT_SIGNING_KEY is set), then send the outbox. Safe to run from cron
    as often as wanted: each reminder is queued once. Exits 1 when the
    checkpoint could not be made (e.g. the audit chain is broken)."""
    from datetime import UTC
    from zoneinfo import ZoneInfo

    from domain.calendar import WorkCalendar
    from domain.participation import Participation
    from domain.reports import Verification
    from domain.requests import Procedure
    from search_api.calendar_change import Recompute
    from search_api.mailer import lapse_explanations, send_pending
    from search_api.mailer import remind as queue_reminders
    from search_api.participation_mail import remind_participation
    from search_api.report_mail import remind_reports
    from search_api.store.participation_store import ParticipationStore
    from search_api.store.report_store import ReportStore

    store, config = _store_and_config()
    folders = [Path(f) for f in str(config["CALENDAR_DIRS"]).split(",") if Path(f).is_dir()]
    profile, calendar = _profile(config), WorkCalendar(folders=folders)
    procedure = Procedure(profile, calendar)
    now = _utc_now()
    today = now.astimezone(ZoneInfo("Asia/Shanghai")).date()
    # A year's notice loaded since the last run: tell whoever's date moved.
    moved = Recompute(store, calendar, profile,  # type: ignore[arg-type]
                      int(str(config["PARTICIPATION_REPLY_DAYS"]))).run(today, now)
    if moved.years:
        click.echo(f"calendar {', '.join(map(str, moved.years))} now official: "
                   f"{len(moved.moved)} case(s) with moved dates, {moved.queued} notice(s) "
                   "queued", err=True)
    lapsed = lapse_explanations(store, procedure, today, now)  # type: ignore[arg-type]
    if lapsed:
        click.echo(f"{lapsed} explanation demand(s) lapsed unanswered: not processed", err=True)
    queued = queue_reminders(store, procedure, today, now)  # type: ignore[arg-type]
    queued += remind_reports(ReportStore(store), Verification(profile, calendar),  # type: ignore[arg-type]
                             today, now)
    queued += remind_participation(
        ParticipationStore(store), Participation(calendar, int(str(  # type: ignore[arg-type]
            config["PARTICIPATION_REPLY_DAYS"]))), store, today, now)  # type: ignore[arg-type]
    checkpointed = _daily_checkpoint(store, config, now)
    report = send_pending(store, config, now.astimezone(UTC))  # type: ignore[arg-type]
    click.echo(f"{queued} reminder(s) queued; sent {report.sent}, failed {report.failed}, "
               f"{report.written} third-party letter(s) recorded", err=True)
    if report.failed:
        for error in report.errors:
            click.secho(f"not sent: {error}", fg="red", err=True)
    if not checkpointed or report.failed:
        raise SystemExit(1)


@main.group()
def downloads() -> None:
    """Download statistics (000 §50): count a web server's access logs."""


@downloads.command(name="count")
@click.argument("logs", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--prefix", default="/", show_default=True,
              help="Path the site is published under, e.g. /opendata/.")
def count_downloads(logs: tuple[Path, ...], prefix: str) -> None:
    """Count downloads of published files in access logs (combined format,
    plain or .gz). Each log resumes where the last run stopped, so run it
    from cron after every rotation or as often as wanted: no line counts twice."""
    from search_api.store.download_store import DownloadStore

    store, _ = _store_and_config()
    counter = DownloadStore(store)  # type: ignore[arg-type]
    if not prefix.startswith("/") or not prefix.endswith("/"):
        raise click.BadParameter("write the prefix with slashes on both ends, e.g. /opendata/",
                                 param_hint="--prefix")
    for path in logs:
        result = counter.count_log(path, at=_utc_now(), prefix=prefix)
        if result.skipped:
            click.echo(f"{path}: skipped ({result.skipped})", err=True)
        else:
            click.echo(f"{path}: {result.lines} new line(s) from byte {result.resumed_at}, "
                       f"{result.downloads} download(s) counted", err=True)


@main.command(name="send-mail")
@click.option("--status", "show_status", is_flag=True,
              help="Show the outbox and the retry schedule instead of sending.")
def send_mail(show_status: bool) -> None:
    """Send pending outbox messages (SMTP, or the mail log without SMTP_HOST).

    Exits 1 when a message could not be sent, naming the mail server (host
    and port) and the error; the message is tried again later (--status)."""
    from search_api.mailer import send_pending

    store, config = _store_and_config()
    if show_status:
        from portal.mail_status import print_status

        print_status(store)  # type: ignore[arg-type]
        return
    report = send_pending(store, config, _utc_now())  # type: ignore[arg-type]
    click.echo(f"sent {report.sent}, failed {report.failed}, "
               f"{report.written} third-party letter(s) recorded", err=True)
    if report.failed:
        for error in report.errors:
            click.secho(f"not sent: {error}", fg="red", err=True)
        raise SystemExit(1)


@main.command()
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the table to this file (docs/periods.md) instead of printing it.")
@click.option("--check", is_flag=True,
              help="Write nothing; fail (exit 1) when --out is not current.")
def periods(out_file: Path | None, check: bool) -> None:
    """The table of every period per profile: working days, from which
    event, extension, and source (article, or bureau policy), in Markdown.
    The repository keeps it in docs/periods.md."""
    from domain.period_table import markdown

    text = markdown() + "\n"
    if out_file is None:
        if check:
            raise click.UsageError("--check needs --out")
        click.echo(text, nl=False)
        return
    if check:
        current = out_file.read_text(encoding="utf-8") if out_file.exists() else ""
        if current != text:
            click.secho(f"{out_file} is not current: run portal periods --out {out_file}",
                        fg="red", err=True)
            raise SystemExit(1)
        click.echo(f"{out_file} is current", err=True)
        return
    out_file.write_text(text, encoding="utf-8")
    click.echo(f"wrote {out_file}", err=True)


@main.command()
@click.argument("start")
@click.argument("days", type=int)
@click.option("--calendars", "calendar_dirs", multiple=True, type=click.Path(path_type=Path),
              help="Extra calendar folders (default: PORTAL_CALENDAR_DIRS, datasets/calendars).")
def deadline(start: str, days: int, calendar_dirs: tuple[Path, ...]) -> None:
    """Print the due date of DAYS working days starting on START (YYYY-MM-DD).

    The day of receipt is not counted: the due date is the DAYS-th Chinese
    official working day after START, whatever day START is. A count through
    a year whose holiday notice is not loaded prints the date followed by
    "暂定" (provisional: statutory holidays only) and says why on stderr.
    """
    from domain.calendar import CalendarYearMissing, WorkCalendar
    from domain.workdays import due_date
    from search_api.settings import defaults

    day = _today(start)
    if days < 1:
        raise click.BadParameter("DAYS must be at least 1")
    folders = list(calendar_dirs) or [
        Path(f) for f in str(_service_config(defaults())["CALENDAR_DIRS"]).split(",")]
    calendar = WorkCalendar(folders=[f for f in folders if f.is_dir()])
    try:
        due = due_date(day, days, calendar)
    except CalendarYearMissing as exc:
        raise click.ClickException(str(exc)) from exc
    if calendar.provisional_between(day, due):
        years = [y for y in range(day.year, due.year + 1) if calendar.is_provisional(y)]
        click.echo(f"{due.isoformat()} 暂定")
        click.echo(f"provisional: no State Council holiday notice loaded for "
                   f"{', '.join(map(str, years))}; counted with the statutory holidays only "
                   "(no make-up working days). Add the year with `portal calendar NOTICE.txt "
                   f"--year {years[0]} --out datasets/calendars/` when the notice is out.",
                   err=True)
        return
    click.echo(due.isoformat())


@main.command(name="calendar")
@click.argument("notice", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--year", type=int, required=True, help="The year the notice is for.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              required=True, help="Calendar folder to write YYYY.json into "
                                  "(e.g. datasets/calendars/).")
@click.option("--force", is_flag=True,
              help="Replace an existing YYYY.json that differs (a corrected notice).")
@click.option("--database-url", default=None,
              help="Recompute the open deadlines in this database (default: "
                   "PORTAL_DATABASE_URL when set; without either, only the file is written).")
def calendar(notice: Path, year: int, out_dir: Path, force: bool,
             database_url: str | None) -> None:
    """Turn the text of a State Council holiday notice (国务院办公厅关于YYYY年部分
    节假日安排的通知, UTF-8 text) into OUT/YYYY.json, checking every sentence,
    every 共N天 and every weekday against the dates. A text that cannot be
    read fully is refused (exit 1) and nothing is written.

    With a database (--database-url or PORTAL_DATABASE_URL), the open
    deadlines are then recomputed and whoever's date moved is told once
    (queued in the outbox; `portal remind` or `portal send-mail` sends it).
    """
    import os
    import tempfile
    from zoneinfo import ZoneInfo

    from domain.calendar import CalendarFileInvalid, WorkCalendar, load_year_file
    from domain.notice import NoticeUnreadable, parse_notice

    try:
        text = notice.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{notice}: not UTF-8 text ({exc.reason})") from exc
    try:
        parsed = parse_notice(text, year)
    except NoticeUnreadable as exc:
        raise click.ClickException(f"{notice}: {exc}; nothing written") from exc
    target = out_dir / f"{year}.json"
    content = parsed.to_json()
    if target.exists() and target.read_text(encoding="utf-8") != content and not force:
        raise click.ClickException(f"{target} exists and differs; pass --force to replace it")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir) as scratch:
        # The file must load as the service will load it before it replaces anything.
        staged = Path(scratch) / target.name
        staged.write_text(content, encoding="utf-8")
        try:
            load_year_file(staged)
        except CalendarFileInvalid as exc:  # pragma: no cover - the parser checks the same
            raise click.ClickException(str(exc)) from exc
        staged.replace(target)
    click.echo(f"wrote {target}: {len(parsed.holidays)} holiday(s), "
               f"{len(parsed.workdays)} make-up working day(s) ({parsed.source})", err=True)
    url = database_url or os.environ.get("PORTAL_DATABASE_URL")
    if not url:
        click.echo("no database configured: open deadlines are recomputed at the next "
                   "service start or `portal remind`", err=True)
        return
    from search_api.calendar_change import Recompute
    from search_api.settings import defaults
    from search_api.store import Store

    config = _service_config(defaults())
    folders = [Path(f) for f in str(config["CALENDAR_DIRS"]).split(",") if Path(f).is_dir()]
    if out_dir.resolve() not in {f.resolve() for f in folders}:
        folders.append(out_dir)
    store = Store.open(url, personal_key=str(config.get("PERSONAL_DATA_KEY") or "") or None)
    try:
        now = _utc_now()
        result = Recompute(store, WorkCalendar(folders=folders),
                           _profile(config),
                           int(str(config["PARTICIPATION_REPLY_DAYS"]))).run(
            now.astimezone(ZoneInfo("Asia/Shanghai")).date(), now)
    finally:
        store.close()
    click.echo(f"recomputed: {len(result.moved)} open case(s) with moved dates, "
               f"{result.queued} notice(s) queued", err=True)


def _register_deploy() -> None:
    from portal.deploy_cmd import deploy

    main.add_command(deploy)


_register_deploy()
