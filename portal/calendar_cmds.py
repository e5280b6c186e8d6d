"""`portal periods`, `portal deadline` and `portal calendar`: the periods table,
one due date, and a year's holiday notice read into a calendar."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from portal.common import (
    calendar_folders,
    deployment_profile,
    parse_day,
    service_config,
    utc_now,
)

if TYPE_CHECKING:
    pass


@click.command()
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the table to this file (docs/periods.md) instead of printing it.")
@click.option("--check", is_flag=True,
              help="Write nothing; fail (exit 1) when --out is not current.")
def periods(out_file: Path | None, check: bool) -> None:
    """The table of every period per profile: working days, from which
    event, extension, and source (article, or bureau policy), in Markdown.
    The repository keeps it in docs/periods.md."""
    from domain.periods.period_table import markdown

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


@click.command()
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
    from domain.periods.calendar import CalendarYearMissing, WorkCalendar
    from domain.periods.workdays import due_date

    day = parse_day(start)
    if days < 1:
        raise click.BadParameter("DAYS must be at least 1")
    folders = [f for f in calendar_dirs if f.is_dir()] or calendar_folders(service_config())
    calendar = WorkCalendar(folders=folders)
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


@click.command(name="calendar")
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

    from domain.periods.calendar import CalendarFileInvalid, WorkCalendar, load_year_file
    from domain.periods.notice import NoticeUnreadable, parse_notice

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
    from search_api.store import Store

    config = service_config()
    folders = calendar_folders(config)
    if out_dir.resolve() not in {f.resolve() for f in folders}:
        folders.append(out_dir)
    store = Store.open(url, personal_key=str(config.get("PERSONAL_DATA_KEY") or "") or None)
    try:
        now = utc_now()
        result = Recompute(store, WorkCalendar(folders=folders),
                           deployment_profile(config),
                           int(str(config["PARTICIPATION_REPLY_DAYS"]))).run(
            now.astimezone(ZoneInfo("Asia/Shanghai")).date(), now)
    finally:
        store.close()
    click.echo(f"recomputed: {len(result.moved)} open case(s) with moved dates, "
               f"{result.queued} notice(s) queued", err=True)
