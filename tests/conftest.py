"""Shared fixtures: real catalogue folders, real builds, no mocks."""

from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
from collections.abc import Iterator
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
# Where the tests' temporary folders go when the machine has memory-backed
# storage: SQLite's commits and the builds' many small files cost a disk
# flush each on /tmp, nothing there (see docs/testing.md).
MEMORY_TEMP = Path("/dev/shm")
MEMORY_TEMP_FREE = 8 * 2**30  # a whole run writes about 3.5 GB


def pytest_configure(config: pytest.Config) -> None:
    """Put tmp_path and its kin under /dev/shm (pytest's own
    PYTEST_DEBUG_TEMPROOT) unless a place was chosen (that variable, or
    --basetemp) or /dev/shm is missing, read-only or short of space."""
    if os.environ.get("PYTEST_DEBUG_TEMPROOT") or config.option.basetemp:
        return
    try:
        usable = (MEMORY_TEMP.is_dir() and os.access(MEMORY_TEMP, os.W_OK)
                  and shutil.disk_usage(MEMORY_TEMP).free >= MEMORY_TEMP_FREE)
    except OSError:
        usable = False
    if usable:
        os.environ["PYTEST_DEBUG_TEMPROOT"] = str(MEMORY_TEMP)


# Markers of the tests that take longest (a server, a build, a browser, a
# long run of requests).
LONG_MARKERS = ("slow", "browser", "heavy")
# The session's build of the sample catalogue (``built_sample``).
SAMPLE_BUILD = "built_sample"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long tests first (those marked slow, browser or heavy), so that
    with xdist they start while the short ones fill the other workers, rather
    than one of them ending the run alone. In each group, those that need
    the sample catalogue's build (``built_sample``) after those that do not,
    but the very first test is the first that needs it: the worker that
    takes it builds the catalogue while the other runs tests without it,
    rather than waiting for the build. The order is the same in every
    process (xdist requires it); otherwise it is pytest's (after its
    grouping by fixture scope: trylast)."""
    def long(item: pytest.Item) -> bool:
        return any(item.get_closest_marker(m) for m in LONG_MARKERS)

    def needs_sample(item: pytest.Item) -> bool:
        return SAMPLE_BUILD in getattr(item, "fixturenames", ())

    items.sort(key=lambda item: not long(item))
    first = next((item for item in items if needs_sample(item)), None)
    items.sort(key=lambda item: (item is not first, not long(item), needs_sample(item)))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """One test at a time to whichever worker is free (tests/schedule.py)."""
    from tests.schedule import make_scheduler

    return make_scheduler(config, log)


def _link_or_copy(source: str, dest: str) -> object:
    """Hard-link ``source`` at ``dest``; copy it when the two are on
    different file systems (the temporary folders in memory)."""
    try:
        os.link(source, dest)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        return shutil.copy2(source, dest)
    return dest


def catalog_with_profile(dest: Path, profile: str,
                         overrides: dict[str, Any] | None = None) -> Path:
    """A catalogue folder at ``dest`` that is the sample catalogue (its
    files hard-linked or copied, not symbolically linked: the service
    refuses symbolic links out of the catalogue) under deployment profile
    ``profile``, set where a deployment sets it: ``profile:`` in portal.yaml."""
    source = REPO / "datasets"
    shutil.copytree(source, dest, copy_function=_link_or_copy,
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


@pytest.fixture
def parsed() -> Iterator[list[str]]:
    """The dataset folders whose descriptor is parsed, in order (counted
    through ``domain.catalogue.catalog.DESCRIPTOR_PARSED``)."""
    from domain.catalogue import catalog as catalog_module

    seen: list[str] = []

    def hook(path: Path) -> None:
        seen.append(path.parent.name)

    catalog_module.DESCRIPTOR_PARSED.append(hook)
    yield seen
    catalog_module.DESCRIPTOR_PARSED.remove(hook)


@pytest.fixture()
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the public records a build makes, in order (the real
    ``builder.records.public_record`` runs; each call is noted)."""
    from builder import records as records_module

    calls: list[str] = []
    real = records_module.public_record

    def counted(dataset: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(dataset.identifier)
        return real(dataset, *args, **kwargs)

    monkeypatch.setattr(records_module, "public_record", counted)
    return calls
