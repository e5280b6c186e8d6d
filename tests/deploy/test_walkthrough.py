"""The deployment steps of docs/operators.md, run as written: the shell
blocks marked ``<!-- walkthrough -->`` (system user, folders and their
owners, the environment file, the PostgreSQL role and database, the
migration and a backup as that user), with a throwaway user and database
named ``deploytest…`` in place of the names of the ``walkthrough: names``
block. The systemd units the ``walkthrough: systemd`` block installs are
checked with ``systemd-analyze verify`` against a real virtual environment
at the place their ExecStart names, and read for what must agree with the
guide (user, folder, environment file).

Needs root (useradd, chown, runuser) and the machine's PostgreSQL on its
local socket; skipped otherwise, saying which.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import stat
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from configparser import ConfigParser
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow

GUIDE = (REPO / "docs" / "operators.md").read_text(encoding="utf-8")
SOCKET_DIR = "/var/run/postgresql"
MARKED = re.compile(r"<!-- walkthrough(?:: (?P<name>[a-z]+))? -->\n```sh\n(?P<body>.*?)```",
                    re.S)


def _blocks(name: str | None = None) -> list[str]:
    return [m.group("body") for m in MARKED.finditer(GUIDE) if m.group("name") == name]


def _names() -> dict[str, str]:
    """The guide's names (``portal_user=portal …``): the defaults that
    deploy/'s files use."""
    (block,) = _blocks("names")
    return dict(re.findall(r"(portal_[a-z]+)=(\S+)", block))


SYSTEM_PYTHON = "/usr/bin/python3"  # the guide's python3; the test's own may sit in /root


def _needs() -> str | None:
    """Why this machine cannot run the walkthrough, or None."""
    if os.geteuid() != 0:
        return "the walkthrough creates a system user and chowns folders: run as root"
    minor = subprocess.run([SYSTEM_PYTHON, "-c", "import sys; print(sys.version_info[:2])"],
                           capture_output=True, text=True).stdout.strip() \
        if Path(SYSTEM_PYTHON).exists() else ""
    if minor != str(sys.version_info[:2]):
        return (f"{SYSTEM_PYTHON} is missing or not Python {sys.version_info[0]}."
                f"{sys.version_info[1]}: the throwaway user's venv borrows this one's packages")
    for tool in ("useradd", "userdel", "runuser", "createuser", "createdb", "pg_dump"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    try:
        subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-h", SOCKET_DIR, "-Atc",
                        "select 1"], check=True, capture_output=True, timeout=30)
    except (subprocess.SubprocessError, OSError):
        return f"no PostgreSQL answering user postgres on its local socket ({SOCKET_DIR})"
    return None


def _run(script: str, names: dict[str, str], **kw: object) -> subprocess.CompletedProcess[str]:
    """One marked block under bash -e, with the names given as variables."""
    prelude = "".join(f"{k}={v}\n" for k, v in names.items())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "PYTHON"))}
    return subprocess.run(["bash", "-euo", "pipefail", "-c", prelude + script], env=env,
                          capture_output=True, text=True, timeout=300, **kw)  # type: ignore[call-overload]


def _install_program(home: Path, python3: str) -> Path:
    """A virtual environment at home/venv made by ``python3`` whose `portal`
    and `gunicorn` are this checkout's, with the test environment's
    dependencies (the wheel itself is tested by tests/test_package.py)."""
    venv = home / "venv"
    subprocess.run([python3, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c",
                              "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    Path(purelib, "_portal.pth").write_text(f"{REPO}\n{sysconfig.get_paths()['purelib']}\n")
    for name, call in (("portal", "from portal.cli import main; main()"),
                       ("gunicorn", "from gunicorn.app.wsgiapp import run; run()")):
        script = venv / "bin" / name
        script.write_text(f"#!{python}\n{call}\n")
        script.chmod(0o755)
    return venv


@dataclass
class Server:
    names: dict[str, str]
    root: Path
    personal_key: str


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    reason = _needs()
    if reason:
        pytest.skip(reason)
    tag = f"deploytest{secrets.token_hex(3)}"
    # Not under pytest's 0700 folders: the throwaway user must reach its home.
    root = Path(tempfile.mkdtemp(prefix="deploytest-"))
    root.chmod(0o755)
    names = {"portal_user": tag, "portal_home": str(root / "srv" / "portal"),
             "portal_etc": str(root / "etc" / "portal"), "portal_db": f"{tag}_db"}
    (root / "srv").mkdir()
    (root / "etc").mkdir()
    try:
        yield Server(names, root, "")
    finally:
        subprocess.run(["runuser", "-u", "postgres", "--", "dropdb", "-h", SOCKET_DIR,
                        "--if-exists", names["portal_db"]], capture_output=True)
        subprocess.run(["runuser", "-u", "postgres", "--", "dropuser", "-h", SOCKET_DIR,
                        "--if-exists", tag], capture_output=True)
        subprocess.run(["userdel", tag], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def _edit_settings(env_file: Path, names: dict[str, str], personal_key: str) -> None:
    """The guide's "Edit portal.env" step: keys, the database, this test's folders."""
    text = env_file.read_text(encoding="utf-8").replace("/srv/portal", names["portal_home"])
    values = {
        "PORTAL_SECRET_KEY": secrets.token_hex(32), "PORTAL_PERSONAL_DATA_KEY": personal_key,
        "PORTAL_DATABASE_URL": f"postgresql://{names['portal_user']}@/{names['portal_db']}"
                               f"?host={SOCKET_DIR}",
        "PORTAL_CATALOG_DIR": str(REPO / "datasets"), "PORTAL_SMTP_HOST": "",
    }
    for key, value in values.items():
        text, count = re.subn(rf"^{key}=.*$", f"{key}={value}", text, flags=re.M)
        assert count == 1, key
    env_file.write_text(text, encoding="utf-8")


def test_the_documented_steps_run(server: Server) -> None:
    names = server.names
    home, etc = Path(names["portal_home"]), Path(names["portal_etc"])
    user_folders, settings, database, backup = _blocks()
    assert "useradd" in user_folders and "createuser" in database and "db backup" in backup

    done = _run(user_folders, names)
    assert done.returncode == 0, done.stderr
    entry = subprocess.run(["getent", "passwd", names["portal_user"]], capture_output=True,
                           text=True, check=True).stdout.strip().split(":")
    assert entry[5] == str(home) and entry[6] == "/usr/sbin/nologin"
    assert int(entry[2]) < 1000  # a system user
    for folder, owner, mode in ((home, names["portal_user"], 0o750),
                                (home / "var", names["portal_user"], 0o750),
                                (etc, "root", 0o750)):
        info = folder.stat()
        assert stat.S_IMODE(info.st_mode) == mode, folder
        assert _user(info.st_uid) == owner and _group(info.st_gid) == names["portal_user"]

    _install_program(home, SYSTEM_PYTHON)
    done = _run(settings, names)
    assert done.returncode == 0, done.stderr
    env_file = etc / "portal.env"
    info = env_file.stat()
    assert stat.S_IMODE(info.st_mode) == 0o640
    assert _user(info.st_uid) == "root" and _group(info.st_gid) == names["portal_user"]
    personal_key, secret = done.stdout.split()[-2:]
    assert len(secret) == 64
    _edit_settings(env_file, names, personal_key)

    done = _run(database, names)
    assert done.returncode == 0, done.stderr
    tables = subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-h", SOCKET_DIR, "-Atc",
                             "select tableowner from pg_tables where tablename = 'outbox'",
                             names["portal_db"]], capture_output=True, text=True, check=True)
    assert tables.stdout.strip() == names["portal_user"]  # made by the role, over the socket

    done = _run(backup, names)
    assert done.returncode == 0, done.stderr
    (dump,) = (home / "var").glob("backup-*.dump")
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600
    assert _user(dump.stat().st_uid) == names["portal_user"]


def _user(uid: int) -> str:
    import pwd

    return pwd.getpwuid(uid).pw_name


def _group(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name


def _units() -> list[Path]:
    """The unit files the guide's systemd block copies."""
    (block,) = _blocks("systemd")
    copy = re.search(r"^cp (.+) /etc/systemd/system/$", block, re.M)
    assert copy, block
    found = sorted({p for pattern in copy.group(1).split() for p in REPO.glob(pattern)})
    enabled = set(re.findall(r"(portal[a-z-]*\.(?:service|timer))", block.split("\n", 1)[1]))
    assert enabled <= {p.name for p in found}, enabled - {p.name for p in found}
    assert any(p.suffix == ".timer" for p in found) and len(found) >= 2
    return found


def _unit(path: Path) -> ConfigParser:
    parser = ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser


def test_units_agree_with_the_guide() -> None:
    """User, folder and environment file of every service are the guide's;
    ExecStart runs a program of the guide's virtual environment."""
    names = _names()
    for path in _units():
        unit = _unit(path)
        if path.suffix == ".timer":
            assert unit.has_option("Timer", "OnCalendar"), path.name
            assert (path.with_suffix(".service")).exists(), path.name
            continue
        service = unit["Service"]
        assert service["User"] == names["portal_user"] == service["Group"], path.name
        assert service["WorkingDirectory"] == names["portal_home"], path.name
        assert service["EnvironmentFile"] == f"{names['portal_etc']}/portal.env", path.name
        # The program itself, or a shell that runs it (a glob of log files).
        programs = re.findall(rf"{re.escape(names['portal_home'])}/venv/bin/([a-z]+)\b",
                              service["ExecStart"])
        assert programs and set(programs) <= {"portal", "gunicorn"}, path.name


def test_systemd_analyze_verifies_the_units(tmp_path: Path) -> None:
    """systemd-analyze verify (no running systemd needed) on the shipped
    units, with a virtual environment where their ExecStart points."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (Debian: apt-get install systemd)")
    names = _names()
    units = tmp_path / "units"
    units.mkdir()
    home = tmp_path / "home"
    for path in _units():
        text = path.read_text(encoding="utf-8").replace(names["portal_home"], str(home))
        (units / path.name).write_text(text, encoding="utf-8")
    _install_program(home, sys.executable)
    verify = subprocess.run([analyze, "verify", *sorted(map(str, units.iterdir()))],
                            capture_output=True, text=True, timeout=120)
    complaints = [line for line in verify.stderr.splitlines()
                  if "portal" in line and "Failed to resolve user" not in line]
    assert verify.returncode == 0 and not complaints, verify.stderr
