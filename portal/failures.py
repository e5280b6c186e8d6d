"""Commands that fail say so: the ``portal`` group turns an unreachable
database, a failed backup or restore, a personal-data key that does not
open the data, or a search engine that cannot start (a bad setting) into
one English line and exit status 1, instead of a
traceback (cron mails the output; systemd records it)."""

from __future__ import annotations

import sys
from typing import Any

import click

from portal.process_end import run_program


class PortalGroup(click.Group):
    """A click group whose commands report database failures plainly."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """The program itself (the console script, ``python -m portal``): it
        may end without Python's teardown (``portal.process_end``). Tests
        call ``main`` instead (``CliRunner``) and never end so."""
        return run_program(self.main, *args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            plain = _plain_failure(exc)
            if plain is None:
                raise
            raise plain from exc


def _plain_failure(exc: Exception) -> click.ClickException | None:
    """The one-line failure for a database, backup or key error, else None.

    The exception classes are looked up among the modules already imported:
    an exception of a module that was never imported cannot have been raised,
    and importing the service (Flask, SQLAlchemy) cost every command, even
    ``portal import``, a second or more.
    """
    errors = sys.modules.get("search_api.store.errors")
    if errors is not None and isinstance(exc, (errors.BackupError,
                                               errors.PersonalDataKeyError)):
        return click.ClickException(str(exc))
    engine = sys.modules.get("search_api.engine.base")
    if engine is not None and isinstance(exc, engine.EngineUnavailable):
        # A search setting or index the service cannot use: the message names it.
        return click.ClickException(f"search cannot start: {exc}")
    sqlalchemy_exc = sys.modules.get("sqlalchemy.exc")
    if sqlalchemy_exc is not None and isinstance(exc, sqlalchemy_exc.OperationalError):
        cause = str(exc.orig or exc).strip().splitlines() or [type(exc).__name__]
        return click.ClickException(f"the database cannot be used: {cause[0]} "
                                    "(check PORTAL_DATABASE_URL; `portal deploy check` "
                                    "says more)")
    return None
