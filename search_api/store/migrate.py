"""Alembic, configured in code (no alembic.ini): :func:`upgrade` for the
store, and a small command line for developers::

    python -m search_api.store.migrate --url sqlite:///var/portal.sqlite3 current
    python -m search_api.store.migrate --url sqlite:///tmp/x.sqlite3 revision -m "..." --autogenerate

The revisions live in ``migrations/`` at the top of the repository;
``search_api/store/migrations`` links to it, so that the installed package
carries them as package data.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, text

from search_api.store.errors import StoreError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_PG_LOCK = 0x706F7274616C  # "portal": one migration at a time per PostgreSQL database


def alembic_config(*, url: str | None = None, connection: Connection | None = None) -> Config:
    """An alembic configuration for ``migrations/``; with ``connection``,
    env.py runs in that connection's transaction.

    Raises:
        StoreError: the migrations folder is missing from the installation.
    """
    if not (MIGRATIONS / "env.py").is_file():
        raise StoreError(f"the migrations folder {MIGRATIONS} is missing: reinstall the "
                         "package (pip install .)")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database of ``engine`` to ``revision``, in one transaction,
    one process at a time (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: an
    advisory transaction lock). A no-op when already there."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
        command.upgrade(alembic_config(connection=conn), revision)


def current(engine: Engine) -> str | None:
    """The revision the database is at; None before the first migration."""
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m search_api.store.migrate",
                                     description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--url", default=os.environ.get("PORTAL_DATABASE_URL",
                                                        "sqlite:///var/portal.sqlite3"))
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("upgrade", help="upgrade to head")
    sub.add_parser("current", help="print the current revision")
    sub.add_parser("history", help="list the revisions")
    rev = sub.add_parser("revision", help="create a revision")
    rev.add_argument("-m", "--message", required=True)
    rev.add_argument("--autogenerate", action="store_true")
    args = parser.parse_args(argv)
    from search_api.store.engine import make_engine

    if args.command == "upgrade":
        engine = make_engine(args.url)
        try:
            upgrade(engine)
        finally:
            engine.dispose()
    elif args.command == "current":
        engine = make_engine(args.url)
        try:
            print(current(engine) or "(empty database)")
        finally:
            engine.dispose()
    elif args.command == "history":
        command.history(alembic_config(url=args.url))
    else:
        command.revision(alembic_config(url=args.url), message=args.message,
                         autogenerate=args.autogenerate)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
