"""The installed package works outside the checkout: a wheel and an sdist
are built, each installed (not editable) into a fresh virtual environment,
and that environment's `portal` builds the sample portal, migrates a
database and renders the service's pages from another folder. The sdist
carries the migrations behind the search_api/store/migrations symlink as
real files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import textwrap
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module", params=["wheel", "sdist"])
def installed(request: pytest.FixtureRequest,
              tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A fresh venv holding the wheel, or the sdist (pip builds its wheel
    from the unpacked sdist, as on a server without the repository);
    third-party dependencies come from the running environment through a
    .pth file (no download of them, fast)."""
    root = tmp_path_factory.mktemp(str(request.param))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PORTAL_"))}
    # A clean copy: setuptools reuses an in-tree build/ folder, whose stale
    # files would end up in the wheel and hide a missing one.
    source = root / "source"
    for name in ("pyproject.toml", "README.md"):
        source.mkdir(exist_ok=True)
        shutil.copy(REPO / name, source / name)
    for name in ("builder", "domain", "search_api", "portal", "migrations"):
        shutil.copytree(REPO / name, source / name, symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dist = root / "dist"
    if request.param == "wheel":
        _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist),
              str(source)], cwd=root, env=env)
        artifact = next(dist.glob("opendata_portal-*.whl"))
    else:
        _run([sys.executable, "-m", "build", "--sdist", "--outdir", str(dist), str(source)],
             cwd=root, env=env)
        artifact = next(dist.glob("opendata_portal-*.tar.gz"))
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=root, env=env)
    python = venv / "bin" / "python"
    purelib = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                   cwd=root, env=env).stdout.strip()
    Path(purelib, "_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
          "--quiet", str(artifact)], cwd=root, env=env)
    return venv, env


def _members(artifact: Path) -> set[str]:
    """The regular files of a wheel or an sdist, by path inside the project
    (a symlink in an sdist would not be a file once installed elsewhere)."""
    if artifact.suffix == ".whl":
        return set(zipfile.ZipFile(artifact).namelist())
    with tarfile.open(artifact) as sdist:
        return {m.name.split("/", 1)[1] for m in sdist.getmembers() if m.isfile()}


def test_package_carries_every_data_file(installed: tuple[Path, dict[str, str]]) -> None:
    """Every file of the packages but developer notes (README.md) is in the
    wheel and in the sdist: templates, theme configuration, calendars,
    migrations (the sdist: real files where the checkout has a symlink)..."""
    venv, _ = installed
    artifact = next((venv.parent / "dist").glob("opendata_portal-*"))
    names = _members(artifact)
    expected = set()
    for package in ("builder", "domain", "search_api", "portal"):
        for path in (REPO / package).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts \
                    and path.suffix != ".pyc" and path.name != "README.md":
                expected.add(path.relative_to(REPO).as_posix())
    assert "builder/mkdocs.yml" in expected
    migrations = {p.relative_to(REPO / "migrations").as_posix()
                  for p in (REPO / "migrations").rglob("*") if p.is_file()
                  and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    assert any(n.startswith("versions/0001") for n in migrations)
    expected |= {f"search_api/store/migrations/{n}" for n in migrations}
    missing = sorted(expected - names)
    assert not missing, f"not in the {artifact.name}: {missing}"


def test_installed_portal_builds_the_sample_from_another_folder(
        installed: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    venv, env = installed
    work = tmp_path / "elsewhere"
    work.mkdir()
    where = _run([str(venv / "bin" / "python"), "-c",
                  "import builder, search_api; print(builder.__file__); "
                  "print(search_api.__file__)"], cwd=work, env=env).stdout.split()
    assert all(Path(p).is_relative_to(venv) for p in where), where
    _run([str(venv / "bin" / "portal"), "build", str(REPO / "datasets"), "--out", "site",
          "--today", "2026-11-23", "--quiet"], cwd=work, env=env)
    assert (work / "site" / "index.html").is_file()
    assert (work / "site" / "catalog.json").is_file()
    assert "assets/portal.css" in (work / "site" / "index.html").read_text(encoding="utf-8")


def test_installed_service_migrates_and_renders(installed: tuple[Path, dict[str, str]],
                                                tmp_path: Path) -> None:
    venv, env = installed
    work = tmp_path / "service"
    work.mkdir()
    env = dict(env, PORTAL_SECRET_KEY="x" * 40, PORTAL_SITE_DIR="",
               PORTAL_CATALOG_DIR=str(REPO / "datasets"))
    _run([str(venv / "bin" / "portal"), "db", "upgrade"], cwd=work, env=env)
    assert (work / "var" / "portal.sqlite3").is_file()
    script = textwrap.dedent("""
        from search_api import create_app
        client = create_app().test_client()
        page = client.get("/requests/status")
        assert page.status_code == 200, page.status_code
        assert "<form" in page.get_data(as_text=True)
        assert client.get("/static/service.css").status_code == 200
        print("ok")
    """)
    out = _run([str(venv / "bin" / "python"), "-c", script], cwd=work, env=env)
    assert out.stdout.strip().endswith("ok")
