"""Backup and restore of the store's database.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies a
consistent snapshot while the service keeps writing (WAL: the copy reads one
snapshot, writers go on). The copy is written beside the target and renamed
into place, so a target file is always a complete backup; it is a single
self-contained file (journal mode DELETE).

PostgreSQL: ``pg_dump --format=custom`` (only the schemas of a
``-csearch_path=`` option when the URL has one), restored with ``pg_restore
--clean --if-exists --single-transaction``: all or nothing. The client
binaries must be installed (Debian: ``apt-get install postgresql-client``)
and match or exceed the server's major version.

A backup holds applicants' personal data: it is created readable by its
owner only (0600) whatever the umask, before anything is written into it.

Restore is for a stopped service: other connections would see the database
change under them.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import URL, Engine

from search_api.store.engine import pg_search_path
from search_api.store.errors import BackupError


def _private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 (replacing any file there)."""
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    os.chmod(path, 0o600)  # the umask may have taken bits away, never added


def sqlite_backup(engine: Engine, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    _private_file(partial)
    raw = engine.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        dest = sqlite3.connect(partial)
        try:
            source.backup(dest)
            dest.execute("PRAGMA journal_mode = DELETE")
            check = dest.execute("PRAGMA quick_check").fetchone()
            if check is None or check[0] != "ok":
                raise BackupError(f"the backup failed its integrity check: {check}")
        finally:
            dest.close()
    finally:
        raw.close()
    os.replace(partial, target)


def sqlite_restore(database: str, source: Path) -> None:
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        try:
            check = src.execute("PRAGMA quick_check").fetchone()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{source} is not an SQLite database: {exc}") from None
        if check is None or check[0] != "ok":
            raise BackupError(f"{source} failed its integrity check: {check}")
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        dest = sqlite3.connect(database, timeout=30)
        try:
            src.backup(dest)
            dest.execute("PRAGMA journal_mode = WAL")
        finally:
            dest.close()
    finally:
        src.close()


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} was not found on PATH: install the PostgreSQL client "
                          "programs (Debian: apt-get install postgresql-client)")
    return path


def _libpq(u: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without password and options, and the
    environment. A socket folder given as ``?host=/var/run/postgresql`` (the
    deployment's peer-authenticated local connection) is kept."""
    socket_dir = u.query.get("host")
    if isinstance(socket_dir, tuple):
        socket_dir = socket_dir[0]
    host = u.host or ("" if socket_dir else "localhost")
    netloc = f"{u.username}@" if u.username else ""
    netloc += f"[{host}]" if ":" in host else host
    if u.port:
        netloc += f":{u.port}"
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = str(u.password)
    query = f"?host={quote(str(socket_dir), safe='/')}" if socket_dir and not u.host else ""
    return f"postgresql://{netloc}/{u.database or ''}{query}", env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit {result.returncode}): "
                          f"{result.stderr.strip()[-2000:]}")


def pg_backup(u: URL, target: Path) -> None:
    dsn, env = _libpq(u)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    _private_file(partial)  # pg_dump keeps the mode of a file it overwrites
    schemas = [f"--schema={s}" for s in pg_search_path(u)]
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
          f"--file={partial}", *schemas, f"--dbname={dsn}"], env, "pg_dump")
    os.replace(partial, target)


def pg_restore(u: URL, source: Path) -> None:
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    dsn, env = _libpq(u)
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
          "--single-transaction", "--exit-on-error", f"--dbname={dsn}", str(source)],
         env, "pg_restore")
