"""Shared by the reviewer tests over HTTP: the service on the sample
catalogue under a chosen deployment profile, with a settable clock and
reviewer accounts, and signing a reviewer in.

Used by test_review_flow.py, test_periods_by_profile.py and
test_third_party_paper_and_consent.py (and, through them, by the tests that
import their fixtures).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from search_api import create_app
from tests.api.conftest import index_once
from tests.api.test_applicant_flow import csrf
from tests.conftest import catalog_with_profile

PASSWORD = "correct horse battery"

# (user name, role, department) of the reviewer accounts an app is made with.
Account = tuple[str, str, str | None]
AUTHORITY: Account = ("authority", "authority_reviewer", None)
RSJ: Account = ("rsj", "department_reviewer", "rsj")
RSJ_HEAD: Account = ("rsj-head", "department_head", "rsj")
JTJ: Account = ("jtj", "department_reviewer", "jtj")
AUDITOR: Account = ("auditor", "auditor", None)


class Clock:
    """The service's clock (a true boundary): 10:00 in Beijing on the day set."""

    def __init__(self, day: str = "2026-09-21") -> None:
        self.set(day)

    def set(self, day: str) -> None:
        self.now = datetime.fromisoformat(f"{day}T02:00:00+00:00")


@contextmanager
def app_factory(app_config: dict[str, Any], clock: Clock, tmp_path: Path,
                accounts: Sequence[Account],
                **settings: Any) -> Iterator[Callable[..., Flask]]:
    """``make(profile, overrides=None)``: a new app on a copy of the sample
    catalogue under ``profile`` (with ``profile_overrides``), the clock,
    ``settings`` over ``app_config``, and ``accounts`` (password PASSWORD).
    The apps share the test's database; their engines close on exit."""
    made: list[Flask] = []

    def make(profile: str, overrides: dict[str, int] | None = None) -> Flask:
        catalog = catalog_with_profile(tmp_path / f"catalog-{len(made)}", profile, overrides)
        config = {**app_config, "CATALOG_DIR": str(catalog), "CLOCK": lambda: clock.now,
                  **settings}
        index_once(config)
        app = create_app(config)
        store = app.extensions["portal_store"]
        for name, role, department in accounts:
            store.add_user(name, PASSWORD, role, department, at=clock.now)
        made.append(app)
        return app

    try:
        yield make
    finally:
        for app in made:
            app.extensions["portal_engine"].close()


def sign_in(app: Flask, username: str) -> FlaskClient:
    """A client signed in as reviewer ``username`` (password PASSWORD)."""
    client = app.test_client()
    page = client.get("/review/login").get_data(as_text=True)
    answer = client.post("/review/login", data={"csrf_token": csrf(page), "username": username,
                                                 "password": PASSWORD})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    return client
