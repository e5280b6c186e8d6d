"""Shared fixtures: real catalogue folders, real builds, no mocks."""

from __future__ import annotations

import fcntl
import os
import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from builder.build import BuildConfig, BuildResult, build

pytest_plugins = ["tests.assertion_count", "tests.databases"]

TESTS = Path(__file__).parent
REPO = TESTS.parent
MINIMAL = TESTS / "data" / "catalogs" / "minimal"
TODAY = date(2026, 11, 23)


def catalog_with_profile(dest: Path, profile: str,
                         overrides: dict[str, Any] | None = None) -> Path:
    """A catalogue folder at ``dest`` that is the sample catalogue (its
    files hard-linked, not copied; the service refuses symbolic links out of
    the catalogue) under deployment profile ``profile``, set where a
    deployment sets it: ``profile:`` in portal.yaml."""
    source = REPO / "datasets"
    shutil.copytree(source, dest, copy_function=os.link,
                    ignore=lambda folder, names: ["portal.yaml"] if Path(folder) == source else [])
    text = (source / "portal.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^profile: .*$", f"profile: {profile}", text)
    if overrides:
        text += yaml.safe_dump({"profile_overrides": overrides})
    (dest / "portal.yaml").write_text(text, encoding="utf-8")
    return dest


def pytest_sessionfinish(session: pytest.Session) -> None:
    from tests.browser import close_shared_browser

    close_shared_browser()


@pytest.fixture
def today() -> date:
    return TODAY


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    """A writable copy of the minimal catalogue, to break in a test."""
    target = tmp_path / "catalog"
    shutil.copytree(MINIMAL, target)
    return target


def run_build(catalog: Path, out: Path, **kwargs: object) -> BuildResult:
    cfg = BuildConfig(catalog_dir=catalog, out_dir=out, today=TODAY,
                      cache_dir=out.parent / "cache", **kwargs)  # type: ignore[arg-type]
    return build(cfg)


@pytest.fixture(scope="session")
def minimal_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal catalogue built once per session (read-only in tests)."""
    out = tmp_path_factory.mktemp("minimal") / "site"
    run_build(MINIMAL, out)
    return out


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample catalogue (datasets/) built once for the whole run, with
    the default options and TODAY: the first test process builds it under a
    lock, the other xdist workers wait and read the same folder. Read-only:
    a test that changes a site builds its own."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # shared by the workers of this run
    out = root / "sample-build" / "site"
    done = root / "sample-build" / "done"
    with (root / "sample-build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not done.exists():
            shutil.rmtree(out.parent, ignore_errors=True)  # a build cut short
            run_build(REPO / "datasets", out)
            done.write_text("built\n", encoding="utf-8")
    return out
