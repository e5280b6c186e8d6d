"""`portal check` and `portal build`: a catalogue folder checked, and published as
the static site."""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from builder.theme import DEFAULT_BACKEND, THEME_BACKENDS
from portal.common import (
    parse_day,
    print_problems,
    service_config,
    utc_now,
    verification_of,
)
from portal.process_end import end_without_teardown

if TYPE_CHECKING:
    from builder.publication_changes import PublicationChange


@click.command()
@click.argument("catalog_dir", type=click.Path(path_type=Path), default="datasets")
@click.option("--today", help="Date to judge update deadlines against (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON on stdout.")
@click.option("--no-validate", is_flag=True, help="Skip frictionless schema validation.")
def check(catalog_dir: Path, today: str | None, as_json: bool, no_validate: bool) -> None:
    """Check a catalogue and report every problem at once.

    Exits 1 when there are errors (warnings alone exit 0).
    """
    from builder.check import run_check

    report = run_check(catalog_dir, parse_day(today), validate=not no_validate)
    print_problems(report.problems, as_json)
    summary = (f"{report.folders} dataset folders found, {len(report.catalog.datasets)} "
               f"checked: {len(report.errors)} error(s) in {report.datasets_with_errors} "
               f"dataset(s) (portal build withholds them), {len(report.warnings)} warning(s)")
    click.echo(summary, err=True)
    if not report.ok:
        sys.exit(1)


@click.command()
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

    day = parse_day(today)
    cfg = BuildConfig(catalog_dir=catalog_dir, out_dir=out_dir, today=day,
                      cache_dir=cache_dir, base_url=base_url, request_service_url=service_url,
                      search_api_url=search_url, validate=use_frictionless, progress=progress,
                      overdue_reports=_overdue_reports(service_db, day) if service_db else None,
                      download_counts=_download_counts(service_db) if service_db else None,
                      audit_dir=audit_dir, theme_backend=theme_backend)
    from portal.governance_cmd import approved_entries

    cfg.approved_entries = approved_entries(catalog_dir, service_db)
    try:
        result = run_build(cfg)
    except AuditFolderError as exc:
        raise click.ClickException(str(exc)) from exc
    except BuildFailed as exc:
        print_problems(exc.problems, as_json=False)
        raise click.ClickException(f"{exc}; fix the catalogue-wide errors above (vocabularies, "
                                   "portal.yaml) and build again") from exc
    except UnsafeOutput as exc:
        raise click.ClickException(str(exc)) from exc
    except NoticeError as exc:
        raise click.ClickException(str(exc)) from exc
    except ThemeError as exc:
        raise click.ClickException(f"{exc}; check builder/mkdocs.yml") from exc
    if not then_index:
        # The build's objects need not be freed one by one: the program ends
        # when this command is done (4 to 11 s at 100,000 datasets, issue 17).
        end_without_teardown()
    print_problems(result.warnings, as_json=False)
    click.echo(f"built {result.datasets} datasets into {out_dir} in {result.seconds:.1f} s "
               f"({result.pages_written} pages written, {result.pages_reused} unchanged, "
               f"{result.downloads} downloads, {result.files_removed} stale files removed)",
               err=True)
    _record_publication(result.events, service_db, out_dir,
                        cfg.resolved_cache() / "audit-pending.json")
    changes = result.changes
    withheld = [p for _, found in sorted(changes.problems.items()) for p in found]
    print_problems(withheld[:200], as_json=False)
    if len(withheld) > 200:
        click.echo(f"... and {len(withheld) - 200} more errors of withheld datasets "
                   "(all are in the operators' report; `portal check` lists them too)", err=True)
    click.echo(changes.summary(), err=True)
    if result.report_files:
        click.echo(f"operators' report: {result.report_files[1]} (and .json)", err=True)
    if then_index:
        from portal.import_cmd import run_index

        run_index(out_dir / "catalog.json")
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
             for c in changes], actor="portal build", at=utc_now())
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

    from domain.periods.calendar import CalendarYearMissing
    from search_api.store import Store
    from search_api.store.report_store import ReportStore

    config = service_config()
    store = Store.open(url)
    try:
        return ReportStore(store).overdue_by_dataset(verification_of(config), day)
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
