"""``portal build`` as a program ends without Python's teardown (issue 17:
freeing a 100,000-dataset build's objects one by one took 4 to 11 s after
the site was written); its output and exit status are those of a normal
end, and a command run in-process (CliRunner) still returns normally."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from portal.cli import main
from tests.conftest import MINIMAL, REPO

# The program as the console script runs it, with an exit handler that says
# whether the interpreter's normal end (teardown) happened.
PROGRAM = ("import atexit, sys; atexit.register(lambda: print('TEARDOWN', flush=True)); "
           "from portal.cli import main; sys.argv[0] = 'portal'; main()")


def _program(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", PROGRAM, *args], cwd=REPO, text=True,
                          capture_output=True, check=False, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(REPO)})


def test_a_build_ends_without_teardown_with_its_output_and_status(tmp_path: Path) -> None:
    done = _program("build", str(MINIMAL), "--out", str(tmp_path / "site"),
                    "--cache-dir", str(tmp_path / "cache"), "--today", "2026-11-23", "--quiet")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "TEARDOWN" not in done.stdout
    assert "built " in done.stderr  # printed before the end, and flushed
    assert (tmp_path / "site" / "catalog.json").is_file()


def test_a_build_with_a_withheld_dataset_keeps_its_exit_status(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(MINIMAL, catalog)
    descriptor = catalog / "bus-stops" / "datapackage.yaml"
    text = descriptor.read_text(encoding="utf-8")
    descriptor.write_text(text.replace("department: jtj", "department: nowhere"),
                          encoding="utf-8")  # an unknown department: withheld, exit status 2
    done = _program("build", str(catalog), "--out", str(tmp_path / "site"),
                    "--cache-dir", str(tmp_path / "cache"), "--today", "2026-11-23", "--quiet")
    assert done.returncode == 2, done.stderr[-2000:]
    assert "TEARDOWN" not in done.stdout
    assert "publication-report.txt" in done.stderr  # the last line printed, flushed


def test_a_refused_build_ends_normally(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "mine.txt").write_text("not a portal", encoding="utf-8")
    done = _program("build", str(MINIMAL), "--out", str(tmp_path / "site"), "--quiet")
    assert done.returncode == 1
    assert "not built by portal build" in done.stderr
    assert "TEARDOWN" in done.stdout


def test_other_commands_end_normally(tmp_path: Path) -> None:
    done = _program("check", str(MINIMAL), "--today", "2026-11-23", "--no-validate")
    assert "TEARDOWN" in done.stdout, done.stderr[-2000:]


def test_a_build_run_in_process_returns(tmp_path: Path) -> None:
    outcome = CliRunner().invoke(main, ["build", str(MINIMAL), "--out", str(tmp_path / "site"),
                                        "--cache-dir", str(tmp_path / "cache"),
                                        "--today", "2026-11-23", "--quiet"])
    assert outcome.exit_code == 0, outcome.output
    assert (tmp_path / "site" / "index.html").is_file()
