"""``portal user add | list | disable | enable | reset-password``: reviewer
accounts. Mistakes (a name taken, an unknown department or user, a short
password) end with an English sentence and exit status 1, never a traceback.
Disabling a user or resetting a password ends every session of that user at
once (in the database or in Redis, wherever the service keeps them).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

ROLES = ["authority_reviewer", "department_reviewer", "department_head", "auditor"]
MIN_PASSWORD = 10


def _open() -> tuple[Any, dict[str, object]]:
    """The migrated store and the service's configuration."""
    from portal.common import store_and_config as _store_and_config

    store, config = _store_and_config()
    store.migrate()
    return store, config


def _end_sessions(store: Any, config: dict[str, object], username: str) -> int:
    """End ``username``'s sessions where the service keeps them (the store
    has deleted its own already); how many were left."""
    from search_api.web.shared_state import session_backend

    try:
        return session_backend(config, store).delete_user(username)
    except RuntimeError as exc:  # Redis configured but down
        raise click.ClickException(
            f"the change is saved and {username}'s sessions are refused from now on, but "
            f"their stored sessions could not be deleted: {exc}") from None


def _department_codes(config: dict[str, object]) -> list[str]:
    """Department codes of the catalogue's vocabularies.yaml.

    Raises:
        click.ClickException: the file is missing or unreadable.
    """
    from domain.catalogue.catalog import load_vocabularies

    folder = Path(str(config.get("CATALOG_DIR") or "datasets"))
    found: list[Any] = []
    vocab = load_vocabularies(folder, found)
    if found:
        raise click.ClickException(
            f"cannot check the department: {folder / 'vocabularies.yaml'} is missing or "
            "invalid; run from the project folder or set PORTAL_CATALOG_DIR")
    return [d.code for d in vocab.departments]


def _password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise click.ClickException(f"use a password of at least {MIN_PASSWORD} characters")
    return password


@click.group()
def user() -> None:
    """Reviewer accounts."""


@user.command(name="add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--department", help="Department code (required for department roles).")
@click.password_option(help="Password (asked twice when not given).")
def user_add(username: str, role: str, department: str | None, password: str) -> None:
    """Add a reviewer with an argon2-hashed password."""
    from search_api.store import DuplicateUser

    if role.startswith("department_") and not department:
        raise click.ClickException(f"{role} needs --department CODE (a code of vocabularies.yaml)")
    _password(password)
    store, config = _open()
    if department:
        codes = _department_codes(config)
        if department not in codes:
            raise click.ClickException(
                f"unknown department {department!r}: use a code of vocabularies.yaml "
                f"({', '.join(codes)})")
    if not username.strip():
        raise click.ClickException("give the reviewer a name")
    try:
        store.add_user(username, password, role, department, at=datetime.now(UTC))
    except DuplicateUser:
        raise click.ClickException(
            f"a user named {username.strip()!r} exists already; choose another name, or use "
            "`portal user reset-password` / `portal user enable`") from None
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"reviewer {username} added ({role}{', ' + department if department else ''})",
               err=True)


@user.command(name="list")
def user_list() -> None:
    """List reviewers: name, role, department, active or disabled (tab-separated)."""
    store, _ = _open()
    for account in store.list_users():
        click.echo("\t".join([account.username, account.role, account.department or "-",
                              "active" if account.active else "disabled"]))


def _known(store: Any, username: str) -> None:
    if store.get_user(username) is None:
        raise click.ClickException(f"no user named {username!r} (see `portal user list`)")


@user.command(name="disable")
@click.argument("username")
def user_disable(username: str) -> None:
    """Disable a reviewer; their sessions end at once."""
    store, config = _open()
    _known(store, username)
    store.set_user_active(username, False)
    _end_sessions(store, config, username)
    click.echo(f"reviewer {username} disabled; every session of theirs has ended", err=True)


@user.command(name="enable")
@click.argument("username")
def user_enable(username: str) -> None:
    """Enable a disabled reviewer again (they sign in anew)."""
    store, _ = _open()
    _known(store, username)
    store.set_user_active(username, True)
    click.echo(f"reviewer {username} enabled", err=True)


@user.command(name="reset-password")
@click.argument("username")
@click.password_option(help="New password (asked twice when not given).")
def user_reset_password(username: str, password: str) -> None:
    """Set a reviewer's password; every session of theirs ends."""
    _password(password)
    store, config = _open()
    _known(store, username)
    store.set_password(username, password)
    _end_sessions(store, config, username)
    click.echo(f"password of {username} reset; every session of theirs has ended", err=True)
