"""Shared fixtures: real catalogue folders, real builds, no mocks."""

from __future__ import annotations

import os
import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from builder.build import BuildConfig, BuildResult, build

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
