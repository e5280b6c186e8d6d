"""`portal deploy check` names what is wrong before it breaks, and the
service refuses to start with a personal-data key that does not open the
stored data."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from portal.deploy_check import check_deployment
from portal.deploy_env import env_template
from search_api import create_app
from search_api.settings import SETTINGS
from search_api.store import Store, new_key
from search_api.wiring import WrongPersonalDataKey
from tests.conftest import REPO
from tests.store.store_helpers import APPLICANT, Clock, submitted

SUMMER = date(2025, 6, 1)  # next year's calendar (2026) ships with the package


@pytest.fixture
def smtp_port() -> Iterator[int]:
    """Something listening where the SMTP server should be."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    try:
        yield server.getsockname()[1]
    finally:
        server.close()


@pytest.fixture
def good(tmp_path: Path, smtp_port: int) -> dict[str, str]:
    """The environment of a correct deployment (SQLite, migrated, sealed data)."""
    key = new_key()
    var = tmp_path / "var"
    var.mkdir()
    url = f"sqlite:///{var / 'portal.sqlite3'}"
    with Store.open(url, personal_key=key) as store:
        store.migrate()
        store.add_request(submitted(), access_code_hash="h", actor=APPLICANT, at=Clock()())
    return {
        "PORTAL_SECRET_KEY": "s" * 64, "PORTAL_PERSONAL_DATA_KEY": key,
        "PORTAL_SITE_DIR": "", "PORTAL_PUBLIC_SITE_URL": "https://data.example.gov.cn/",
        "PORTAL_CATALOG_DIR": str(REPO / "datasets"),
        "PORTAL_CATALOG_JSON": str(tmp_path / "catalog.json"),
        "PORTAL_SEARCH_DB": str(var / "search.sqlite3"),
        "PORTAL_LABELS_FILE": str(var / "labels.json"), "PORTAL_MAIL_LOG": str(var / "mail.log"),
        "PORTAL_AUDIT_CHECKPOINT_DIR": str(var / "audit"), "PORTAL_SANDBOX_DIR": str(var / "sandbox"),
        "PORTAL_CALENDAR_DIRS": str(tmp_path / "calendars"), "PORTAL_DATABASE_URL": url,
        "PORTAL_TRUSTED_PROXIES": "1", "PORTAL_SMTP_HOST": "127.0.0.1",
        "PORTAL_SMTP_PORT": str(smtp_port), "PORTAL_AUTHORITY_EMAIL": "review@example.gov.cn",
    }


def _texts(environ: dict[str, str], *, today: date = SUMMER, production: bool = True,
           errors: bool = True) -> list[str]:
    return [f.text for f in check_deployment(environ, today=today, production=production)
            if f.error or not errors]


def test_a_correct_deployment_has_no_error(good: dict[str, str]) -> None:
    assert _texts(good) == []


def test_relative_paths_missing_keys_and_plain_http(good: dict[str, str]) -> None:
    env = dict(good, PORTAL_SEARCH_DB="var/search.sqlite3", PORTAL_SECRET_KEY="",
               PORTAL_PERSONAL_DATA_KEY="", PORTAL_PUBLIC_SITE_URL="http://data.example.gov.cn/")
    found = "\n".join(_texts(env))
    assert "PORTAL_SEARCH_DB in the environment is the relative path 'var/search.sqlite3'" \
        in found
    assert "PORTAL_SECRET_KEY is not set" in found
    assert "PORTAL_PERSONAL_DATA_KEY is not set" in found
    assert "PORTAL_PUBLIC_SITE_URL http://data.example.gov.cn/ is not https" in found
    # A development machine: only what breaks anywhere stays an error (no
    # secret key; stored data sealed with a key that is not configured).
    # (The relative SEARCH_DB's folder may or may not exist in the directory
    # the tests run from: that finding is not what this test is about.)
    dev = [t for t in _texts(env, production=False) if "does not exist" not in t]
    assert len(dev) == 2
    assert dev[0].startswith("PORTAL_SECRET_KEY is not set")
    assert "is encrypted (key " in dev[1]


def test_database_not_migrated_or_unreachable(good: dict[str, str], tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    found = _texts(dict(good, PORTAL_DATABASE_URL=f"sqlite:///{empty}"))
    assert any("is at revision (empty)" in t and "portal db upgrade" in t for t in found), found
    found = _texts(dict(good, PORTAL_DATABASE_URL="postgresql://postgres@127.0.0.1:1/test"))
    assert any("postgresql" in t and "127.0.0.1:1/test is not reachable" in t
               for t in found), found


def test_a_key_that_does_not_open_the_stored_data(good: dict[str, str]) -> None:
    for key in (new_key(), ""):
        found = _texts(dict(good, PORTAL_PERSONAL_DATA_KEY=key))
        assert any("YH-20260302-0001 is encrypted" in t and "refuses to start" in t
                   for t in found), found


def test_the_service_refuses_to_start_with_another_key(good: dict[str, str]) -> None:
    config = {k[len("PORTAL_"):]: v for k, v in good.items()}
    with pytest.raises(WrongPersonalDataKey, match="refusing to start: .*encrypted with key"):
        create_app(dict(config, PERSONAL_DATA_KEY=new_key()))
    create_app(config).extensions["portal_engine"].close()  # the right key starts


def test_calendar_of_next_year(good: dict[str, str]) -> None:
    december = date(2026, 12, 6)  # no 2027 calendar ships
    assert any("no working-day calendar for 2027" in t for t in _texts(good, today=december))
    june = date(2026, 6, 1)
    assert not _texts(good, today=june)
    assert any("no working-day calendar for 2027" in t
               for t in _texts(good, today=june, errors=False))


def test_mail_not_configured_or_unreachable(good: dict[str, str]) -> None:
    found = _texts(dict(good, PORTAL_SMTP_HOST="", PORTAL_AUTHORITY_EMAIL=""))
    assert any("PORTAL_SMTP_HOST is not set" in t for t in found)
    assert any("PORTAL_AUTHORITY_EMAIL is not set" in t for t in found)
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    found = _texts(dict(good, PORTAL_SMTP_PORT=str(port)))
    assert any(f"SMTP server 127.0.0.1:{port} cannot be reached" in t for t in found), found


def test_typo_in_a_variable_is_a_warning(good: dict[str, str]) -> None:
    found = _texts(dict(good, PORTAL_SMTP_HOTS="x"), errors=False)
    assert any("PORTAL_SMTP_HOTS is not a setting" in t for t in found)


@pytest.mark.heavy  # among the longest of test-fast: started first (tests/conftest.py)
def test_command_exit_status_and_env_file(good: dict[str, str], tmp_path: Path) -> None:
    env_file = tmp_path / "portal.env"
    env_file.write_text("".join(f'{k}="{v}"\n' for k, v in good.items()))
    base = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    command = [sys.executable, "-m", "portal", "deploy", "check", "--today", "2025-06-01"]
    ok = subprocess.run([*command, "--env-file", str(env_file)], env=base, cwd=tmp_path,
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "0 error(s)" in ok.stderr
    bad = subprocess.run(command, env=dict(base, PORTAL_SECRET_KEY=""), cwd=tmp_path,
                         capture_output=True, text=True)
    assert bad.returncode == 1
    assert "error: PORTAL_SECRET_KEY is not set" in bad.stderr


def test_environment_file_lists_every_setting() -> None:
    shipped = (REPO / "deploy" / "portal.env.example").read_text(encoding="utf-8")
    assert shipped == env_template(), "regenerate: portal deploy env-template > " \
        "deploy/portal.env.example"
    names = [line.split("=", 1)[0] for line in shipped.splitlines()
             if line and not line.startswith("#")]
    assert names == [f"PORTAL_{s.name}" for s in SETTINGS]
