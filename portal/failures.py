"""Commands that fail say so: the ``portal`` group turns an unreachable
database into one English line naming it, and exit status 1, instead of a
traceback (cron mails the output; systemd records it)."""

from __future__ import annotations

from typing import Any

import click


class PortalGroup(click.Group):
    """A click group whose commands report database failures plainly."""

    def invoke(self, ctx: click.Context) -> Any:
        from sqlalchemy.exc import OperationalError

        try:
            return super().invoke(ctx)
        except OperationalError as exc:
            cause = str(exc.orig or exc).strip().splitlines() or [type(exc).__name__]
            raise click.ClickException(f"the database cannot be used: {cause[0]} "
                                       "(check PORTAL_DATABASE_URL; `portal deploy check` "
                                       "says more)") from exc
