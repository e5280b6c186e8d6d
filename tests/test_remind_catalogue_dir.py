"""`portal remind` says so (and exits 1) when it cannot read the catalogue's
departments: the yearly review reminders would otherwise stop unnoticed."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from portal.cli import main
from tests.conftest import REPO


def _remind(tmp_path: Path, catalog: Path) -> tuple[int, str]:
    env = {"PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
           "PORTAL_CATALOG_DIR": str(catalog), "PORTAL_MAIL_LOG": str(tmp_path / "mail.log")}
    assert CliRunner().invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    result = CliRunner().invoke(main, ["remind"], env=env)
    return result.exit_code, result.stderr


def test_a_catalogue_without_vocabularies_is_said_and_fails_the_run(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    shutil.copy(REPO / "datasets" / "portal.yaml", catalog)
    code, stderr = _remind(tmp_path, catalog)
    assert code == 1
    assert "catalogue review reminders not sent" in stderr
    assert "vocabularies.yaml is missing" in stderr and "PORTAL_CATALOG_DIR" in stderr


def test_the_sample_catalogue_sends_its_reminders(tmp_path: Path) -> None:
    code, stderr = _remind(tmp_path, REPO / "datasets")
    assert code == 0, stderr
    assert "not sent" not in stderr
    # Never reviewed: each department of the sample gets its yearly review reminder.
    queued = re.search(r"(\d+) reminder\(s\) queued", stderr)
    assert queued and int(queued.group(1)) > 0, stderr
