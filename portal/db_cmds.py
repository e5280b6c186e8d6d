"""`portal db` (migrate, back up, restore, make a key) and `portal audit`
(verify the audit chain, sign checkpoints)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from portal.common import (
    service_config,
    store_and_config,
    utc_now,
)

if TYPE_CHECKING:
    from search_api.store import Store
    pass


@click.group()
def db() -> None:
    """The request database: upgrade, backup, restore."""


@db.command()
def upgrade() -> None:
    """Create or upgrade the database schema (alembic migrations)."""
    store, config = store_and_config()
    store.migrate()
    click.echo(f"database at {config['DATABASE_URL']} is up to date", err=True)


@db.command()
@click.argument("target", type=click.Path(path_type=Path))
def backup(target: Path) -> None:
    """Back up the database while the service runs (SQLite online backup; pg_dump)."""
    store, _ = store_and_config()
    store.backup(target)
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
    _, config = store_and_config()
    Store.restore(str(config["DATABASE_URL"]), source)
    click.echo(f"database restored from {source}", err=True)


@db.command(name="new-key")
def new_key() -> None:
    """Print a new PERSONAL_DATA_KEY (encrypts applicants' personal data at rest)."""
    from search_api.store import new_key as make_key

    click.echo(make_key())


@click.group()
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
    store, config = store_and_config()
    problems = store.verify_audit()
    problems += _verify_checkpoints(store, config, checkpoint_file, public_key)
    for problem in problems:
        click.secho(problem, fg="red", err=True)
    if problems:
        raise SystemExit(1)
    click.echo("audit log intact", err=True)


def _verify_checkpoints(store: Store, config: Mapping[str, Any], checkpoint_file: Path | None,
                        public_key: Path | None) -> list[str]:
    """Problems of the chain against its checkpoints; says so on stderr
    when there are none to check against."""
    from search_api.store import audit_checkpoints as ac

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
                             ac.chain_state(store))
    except ac.CheckpointError as exc:
        raise click.ClickException(str(exc)) from exc
    if not problems:
        click.echo(f"{len(lines)} checkpoint(s) in {path} verified", err=True)
    return problems


def _checkpoint_paths(config: Mapping[str, Any]) -> tuple[Path, Path] | None:
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
    from search_api.store import audit_checkpoints as ac

    config = service_config()
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
    from search_api.store import audit_checkpoints as ac

    store, config = store_and_config()
    paths = _checkpoint_paths(config)
    if paths is None:
        raise click.ClickException("set PORTAL_AUDIT_SIGNING_KEY (make the key with "
                                   "`portal audit new-key`) and PORTAL_AUDIT_CHECKPOINT_DIR")
    try:
        cp = ac.make_checkpoint(store, *paths, utc_now())
    except ac.CheckpointError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"checkpoint: record {cp.seq} signed at {cp.at} into "
               f"{paths[1] / ac.CHECKPOINT_FILE}; queued for the authority", err=True)


def daily_checkpoint(store: Store, config: Mapping[str, Any], now: datetime) -> bool:
    """`portal remind`'s share: one checkpoint a day (UTC), when configured.
    False when it could not be made (a broken chain is never signed)."""
    from search_api.store import audit_checkpoints as ac

    paths = _checkpoint_paths(config)
    if paths is None:
        click.echo("audit checkpoints are off (PORTAL_AUDIT_SIGNING_KEY is not set)", err=True)
        return True
    try:
        cp = ac.daily_checkpoint(store, *paths, now)
    except ac.CheckpointError as exc:
        click.secho(f"audit checkpoint not made: {exc}", fg="red", err=True)
        return False
    if cp is not None:
        click.echo(f"audit checkpoint: record {cp.seq} signed", err=True)
    return True
