"""`portal remind`, `portal send-mail` and `portal downloads count`: what cron
runs."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from portal.common import (
    open_services_or_exit,
    store_and_config,
    utc_now,
)

if TYPE_CHECKING:
    from search_api.mail.mailer import SendReport
    from search_api.wiring import Services


@click.command()
def remind() -> None:
    """End explanation demands whose policy pause ran out unanswered (不予
    处理), queue reminders of due-soon and overdue requests, error reports,
    demands and suggestions (000 §43, 002 §44), use reports of approved
    uses (003 §32), authorised operation (000 §36) and notices of new items to moderate, sign the day's audit checkpoint (once a day, when
    AUDIT_SIGNING_KEY is set), then send the outbox. Safe to run from cron
    as often as wanted: each reminder is queued once. Exits 1 when the
    checkpoint could not be made (e.g. the audit chain is broken)."""
    from datetime import UTC

    from domain.procedures.operation import Operations
    from domain.procedures.operation_periods import periods_for
    from portal.db_cmds import daily_checkpoint
    from search_api.calendar_change import Recompute
    from search_api.mail.mailer import lapse_explanations, send_pending
    from search_api.mail.mailer import remind as queue_reminders
    from search_api.mail.use_reports import remind_use_reports
    from search_api.operations.reminders import remind_operations
    from search_api.participation.mail import remind_participation
    from search_api.reports.mail import remind_reports
    from search_api.store.grants import KeyStore

    services = open_services_or_exit()
    store, config = services.store, services.config
    now = services.now()
    today = services.today()
    # A year's notice loaded since the last run: tell whoever's date moved.
    moved = Recompute(store, services.calendar, services.profile, services.reply_days).run(
        today, now)
    if moved.years:
        click.echo(f"calendar {', '.join(map(str, moved.years))} now official: "
                   f"{len(moved.moved)} case(s) with moved dates, {moved.queued} notice(s) "
                   "queued", err=True)
    lapsed = lapse_explanations(store, services.procedure, today, now)
    if lapsed:
        click.echo(f"{lapsed} explanation demand(s) lapsed unanswered: not processed", err=True)
    queued = queue_reminders(store, services.procedure, today, now)
    queued += remind_reports(services.reports, services.verification, today, now)
    queued += remind_participation(services.participation_store, services.participation,
                                   store, today, now)
    catalogue_queued, catalogue_read = _remind_catalogue(services, today, now)
    queued += catalogue_queued
    queued += remind_operations(
        store, Operations(periods_for(services.profile), services.calendar), today, now)
    queued += remind_use_reports(KeyStore(store), store, today, now,
                                 days=int(str(config["USE_REPORT_REMIND_DAYS"])))
    checkpointed = daily_checkpoint(store, config, now)
    report = send_pending(store, config, now.astimezone(UTC))
    click.echo(f"{queued} reminder(s) queued; sent {report.sent}, failed {report.failed}, "
               f"{report.written} third-party letter(s) recorded", err=True)
    if report.failed:
        _mail_errors(report)
    if not checkpointed or report.failed or not catalogue_read:
        raise SystemExit(1)


def _remind_catalogue(services: Services, today: date, now: datetime) -> tuple[int, bool]:
    """Yearly full-review reminders per department of the catalogue
    (CATALOG_DIR) and notices of proposals waiting for the authority:
    (reminders queued, whether the departments could be read). A catalogue
    whose vocabularies cannot be read is said on stderr — the reminders of
    its departments would otherwise stop without anyone noticing."""
    from domain.catalogue.catalog import load_vocabularies
    from domain.catalogue.problems import Problem
    from search_api.governance.reminders import remind_catalogue

    folder = Path(str(services.config["CATALOG_DIR"]))
    problems: list[Problem] = []
    vocab = load_vocabularies(folder, problems)
    if problems:
        click.echo(f"catalogue review reminders not sent: {folder}/{problems[0].file}: "
                   f"{problems[0].message} (set PORTAL_CATALOG_DIR to the "
                   "catalogue folder)", err=True)
        return 0, False
    return remind_catalogue(services.store, [(d.code, d.name) for d in vocab.departments],
                            today, now), True


@click.group()
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

    store, _ = store_and_config()
    counter = DownloadStore(store)
    if not prefix.startswith("/") or not prefix.endswith("/"):
        raise click.BadParameter("write the prefix with slashes on both ends, e.g. /opendata/",
                                 param_hint="--prefix")
    for path in logs:
        result = counter.count_log(path, at=utc_now(), prefix=prefix)
        if result.skipped:
            click.echo(f"{path}: skipped ({result.skipped})", err=True)
        else:
            click.echo(f"{path}: {result.lines} new line(s) from byte {result.resumed_at}, "
                       f"{result.downloads} download(s) counted", err=True)


@click.command(name="send-mail")
@click.option("--status", "show_status", is_flag=True,
              help="Show the outbox and the retry schedule instead of sending.")
def send_mail(show_status: bool) -> None:
    """Send pending outbox messages (SMTP, or the mail log without SMTP_HOST).

    Exits 1 when a message could not be sent, naming the mail server (host
    and port) and the error; the message is tried again later (--status)."""
    from search_api.mail.mailer import send_pending

    store, config = store_and_config()
    if show_status:
        from portal.mail_status import print_status

        print_status(store)
        return
    report = send_pending(store, config, utc_now())
    click.echo(f"sent {report.sent}, failed {report.failed}, "
               f"{report.written} third-party letter(s) recorded", err=True)
    if report.failed:
        _mail_errors(report)
        raise SystemExit(1)


def _mail_errors(report: SendReport) -> None:
    """One line per reason a message was not sent; when the mail server was
    unreachable, the same line says the run stopped and what waits."""
    for error in report.errors:
        if report.stopped and error == report.errors[-1]:
            error += (f"; run stopped after this failure, {report.waiting} other message(s) "
                      "wait for the next run")
        click.secho(f"not sent: {error}", fg="red", err=True)
