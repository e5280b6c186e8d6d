"""Commands that fail say so: the ``portal`` group turns an unreachable
database, a failed backup or restore, or a personal-data key that does not
open the data into one English line and exit status 1, instead of a
traceback (cron mails the output; systemd records it)."""

from __future__ import annotations

from typing import Any

import click


class PortalGroup(click.Group):
    """A click group whose commands report database failures plainly."""

    def invoke(self, ctx: click.Context) -> Any:
        from sqlalchemy.exc import OperationalError

        from search_api.store.errors import BackupError, PersonalDataKeyError

        try:
            return super().invoke(ctx)
        except (BackupError, PersonalDataKeyError) as exc:
            raise click.ClickException(str(exc)) from exc
        except OperationalError as exc:
            cause = str(exc.orig or exc).strip().splitlines() or [type(exc).__name__]
            raise click.ClickException(f"the database cannot be used: {cause[0]} "
                                       "(check PORTAL_DATABASE_URL; `portal deploy check` "
                                       "says more)") from exc
