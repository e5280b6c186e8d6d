"""``portal send-mail --status``: the outbox and its retry schedule, in English."""

from __future__ import annotations

import click

from search_api.mail.outbox_status import outbox_status, schedule
from search_api.store import Store


def print_status(store: Store) -> None:
    """Print counts, the oldest pending message and every message that failed."""
    status = outbox_status(store)
    counts = status.counts
    click.echo(f"outbox: {counts['pending']} pending, {counts['sent']} sent, "
               f"{counts['failed']} failed for good")
    if status.oldest_pending is not None:
        click.echo(f"oldest pending message queued {status.oldest_pending:%Y-%m-%d %H:%M} UTC")
    click.echo(f"retry schedule: {schedule()}")
    for item in status.waiting:
        when = ("not tried again" if item.failed else
                f"next try from {item.retry_from:%Y-%m-%d %H:%M} UTC" if item.retry_from
                else "next try at the next run")
        click.echo(f"  #{item.id} {item.kind} to {item.recipient_role}: {item.attempts} "
                   f"attempt(s), {when}; last error: {item.last_error}")
