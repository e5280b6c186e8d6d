"""`portal user add | list | disable | enable | reset-password` (issue #11):
mistakes are one English sentence and exit 1, never a traceback; disabling
a user or resetting their password ends their open sessions at once (the
service and the command share the database, or Redis)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.testing import FlaskClient

from portal.cli import main
from search_api import create_app
from tests.api.conftest import index_once
from tests.api.test_applicant_flow import csrf
from tests.conftest import REPO
from tests.redis_helpers import redis_url_or_skip

PASSWORD = "correct horse battery"


@pytest.fixture
def env(database_url: str) -> dict[str, str]:
    return {"PORTAL_DATABASE_URL": database_url, "PORTAL_CATALOG_DIR": str(REPO / "datasets"),
            "PORTAL_REDIS_URL": ""}


def portal(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, ["user", *args], env=env)


def test_add_list_disable_enable(env: dict[str, str]) -> None:
    added = portal(env, "add", "zhao", "--role", "department_reviewer", "--department", "rsj",
                   "--password", PASSWORD)
    assert added.exit_code == 0, added.output
    assert portal(env, "add", "qian", "--role", "auditor", "--password", PASSWORD).exit_code == 0
    listed = portal(env, "list")
    assert listed.exit_code == 0
    assert listed.stdout.splitlines() == ["qian\tauditor\t-\tactive",
                                          "zhao\tdepartment_reviewer\trsj\tactive"]
    assert portal(env, "disable", "zhao").exit_code == 0
    assert "zhao\tdepartment_reviewer\trsj\tdisabled" in portal(env, "list").stdout
    assert portal(env, "enable", "zhao").exit_code == 0
    assert "zhao\tdepartment_reviewer\trsj\tactive" in portal(env, "list").stdout


@pytest.mark.parametrize(("args", "message"), [
    (["add", "zhao", "--role", "auditor", "--password", PASSWORD],
     "a user named 'zhao' exists already"),
    (["add", "sun", "--role", "department_reviewer", "--department", "nosuch",
      "--password", PASSWORD], "unknown department 'nosuch'"),
    (["add", "sun", "--role", "department_head", "--password", PASSWORD],
     "needs --department"),
    (["add", "sun", "--role", "auditor", "--password", "short"], "at least 10 characters"),
    (["disable", "nobody"], "no user named 'nobody'"),
    (["enable", "nobody"], "no user named 'nobody'"),
    (["reset-password", "nobody", "--password", PASSWORD], "no user named 'nobody'"),
    (["reset-password", "zhao", "--password", "short"], "at least 10 characters"),
])
def test_mistakes_are_clear_errors(env: dict[str, str], args: list[str], message: str) -> None:
    assert portal(env, "add", "zhao", "--role", "auditor", "--password", PASSWORD).exit_code == 0
    result = portal(env, *args)
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # a ClickException, not a crash


# --- the commands end live sessions ----------------------------------------------------------


@pytest.fixture(params=["database", "redis"])
def service(request: pytest.FixtureRequest, app_config: dict[str, Any],
            env: dict[str, str]) -> Iterator[tuple[Flask, dict[str, str]]]:
    config = dict(app_config)
    env = dict(env)
    if request.param == "redis":
        prefix = f"test-{uuid.uuid4().hex}:"
        config.update(REDIS_URL=redis_url_or_skip(), REDIS_PREFIX=prefix)
        env.update(PORTAL_REDIS_URL=config["REDIS_URL"], PORTAL_REDIS_PREFIX=prefix)
    index_once(config)
    app = create_app(config)
    yield app, env
    app.extensions["portal_engine"].close()
    if request.param == "redis":
        client = app.extensions["portal_sessions"].client
        for key in client.scan_iter(f"{config['REDIS_PREFIX']}*"):
            client.delete(key)


def _signed_in(app: Flask) -> FlaskClient:
    client = app.test_client()
    page = client.get("/review/login").get_data(as_text=True)
    answer = client.post("/review/login", data={"csrf_token": csrf(page), "username": "zhao",
                                                 "password": PASSWORD})
    assert answer.status_code == 302
    assert client.get("/review/").status_code == 200
    return client


@pytest.mark.parametrize("command", [["disable", "zhao"],
                                     ["reset-password", "zhao", "--password", "a new password"]])
def test_commands_end_open_sessions(service: tuple[Flask, dict[str, str]],
                                    command: list[str]) -> None:
    app, env = service
    assert portal(env, "add", "zhao", "--role", "department_reviewer", "--department", "rsj",
                  "--password", PASSWORD).exit_code == 0
    reviewer = _signed_in(app)
    stored = app.extensions["portal_sessions"]
    result = portal(env, *command)
    assert result.exit_code == 0, result.output
    assert "every session of theirs has ended" in result.output
    answer = reviewer.get("/review/")
    assert answer.status_code == 302 and "/review/login" in answer.headers["Location"]
    if hasattr(stored, "client"):  # Redis: the session keys are gone, not just refused
        assert not list(stored.client.scan_iter(f"{stored.prefix}user-sessions:zhao"))
