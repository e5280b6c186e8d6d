"""The reviewers part of the store: accounts with argon2 password hashes,
enabled and disabled; disabling an account or changing its password ends
every session of it (rows of ``sessions`` deleted, session epoch raised).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from search_api.store.core import StoreCore, aware
from search_api.store.errors import DuplicateUser, UserNotFound
from search_api.store.records import User
from search_api.store.schema import check_row, sessions, users


class UserPart(StoreCore):
    """Reviewers' accounts and passwords."""

    def add_user(self, username: str, password: str, role: str,
                 department: str | None = None, *, at: datetime) -> None:
        """Add an active reviewer with an argon2 password hash.

        Raises:
            DuplicateUser: the name is taken. ValueError: blank name or role,
                or a password shorter than 10 characters.
        """
        aware(at)
        name = username.strip()
        if not name or not str(role).strip():
            raise ValueError("a user needs a name and a role")
        check_row(users, {"username": name, "role": str(role), "department": department})
        hashed = self._passwords.hash(password)
        try:
            with self._write() as conn:
                if conn.execute(select(users.c.id).where(users.c.username == name)).first():
                    raise DuplicateUser(name)
                conn.execute(insert(users).values(
                    username=name, password_hash=hashed, role=str(role),
                    department=department, active=True, created_at=at))
        except IntegrityError:
            raise DuplicateUser(name) from None

    def get_user(self, username: str) -> User | None:
        with self._read() as conn:
            row = conn.execute(select(users).where(users.c.username == username)).one_or_none()
        return self._user(row) if row is not None else None

    def list_users(self) -> list[User]:
        with self._read() as conn:
            rows = conn.execute(select(users).order_by(users.c.username)).all()
        return [self._user(row) for row in rows]

    @staticmethod
    def _user(row: Any) -> User:
        return User(username=row.username, role=row.role, department=row.department,
                    active=bool(row.active), created_at=row.created_at,
                    session_epoch=int(row.session_epoch))

    def check_password(self, username: str, password: str) -> User | None:
        """The user when the password is right and the account active; else
        None (as slow for an unknown name). A hash made with older argon2
        parameters is redone."""
        with self._read() as conn:
            row = conn.execute(select(users).where(users.c.username == username)).one_or_none()
        stored = row.password_hash if row is not None else None
        if not self._passwords.verify(stored, password) or row is None:
            return None
        if not row.active:
            return None
        if self._passwords.needs_rehash(row.password_hash):
            with self._write() as conn:
                conn.execute(update(users).where(
                    users.c.id == row.id, users.c.password_hash == row.password_hash,
                ).values(password_hash=self._passwords.hasher.hash(password)))
        return self._user(row)

    def set_user_active(self, username: str, active: bool) -> None:
        """Enable or disable a reviewer. Disabling ends every session of the
        user at once: their stored sessions are deleted and the session epoch
        raised (so a session kept elsewhere, e.g. in Redis, is refused too).

        Raises:
            UserNotFound: no such user.
        """
        values: dict[str, Any] = {"active": active}
        if not active:
            values["session_epoch"] = users.c.session_epoch + 1
        with self._write() as conn:
            if conn.execute(update(users).where(users.c.username == username)
                            .values(**values)).rowcount != 1:
                raise UserNotFound(username)
            if not active:
                conn.execute(delete(sessions).where(sessions.c.username == username))

    def set_password(self, username: str, password: str) -> None:
        """Change or reset a reviewer's password; every session of the user
        ends (deleted, and the session epoch raised).

        Raises:
            UserNotFound: no such user. ValueError: a short password.
        """
        hashed = self._passwords.hash(password)
        with self._write() as conn:
            if conn.execute(update(users).where(users.c.username == username).values(
                    password_hash=hashed,
                    session_epoch=users.c.session_epoch + 1)).rowcount != 1:
                raise UserNotFound(username)
            conn.execute(delete(sessions).where(sessions.c.username == username))

