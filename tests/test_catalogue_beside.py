"""catalog.json written by a forked child while the build writes the DCAT
files (issue 17: the catalogue-wide files were one process on a two-core
machine). The site must be the one a build that writes everything itself
makes; a child that fails leaves catalog.json to the build (with a warning).
The threshold is lowered here so that the sample catalogue uses the child."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from builder import build as build_module
from builder.site_output import SiteOutput
from tests.conftest import REPO, run_build
from tests.pool_failures import site_tree


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    copy = tmp_path / "catalog"
    shutil.copytree(REPO / "datasets", copy)
    return copy


def _beside(monkeypatch: pytest.MonkeyPatch, on: bool) -> None:
    monkeypatch.setattr(build_module, "CATALOGUE_BESIDE_AT", 1 if on else 10**9)


def _writers(monkeypatch: pytest.MonkeyPatch, log: Path,
             then: Callable[[str], None] = lambda rel: None) -> None:
    """Note in ``log`` which process emits each catalogue-wide file (a child
    writes in its own memory: a file is what it can tell), then ``then``."""
    emit = SiteOutput.emit

    def noted(self: SiteOutput, rel: str, text: str | Iterable[str]) -> None:
        if rel in ("catalog.json", "dcat.ttl"):
            with log.open("a", encoding="utf-8") as handle:
                handle.write(f"{rel} {os.getpid()}\n")
            then(rel)
        emit(self, rel, text)

    monkeypatch.setattr(SiteOutput, "emit", noted)


def _written_by(log: Path) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for line in log.read_text(encoding="utf-8").splitlines():
        rel, pid = line.split()
        found.setdefault(rel, []).append(int(pid))
    return found


def test_catalog_json_written_beside_the_dcat_files_is_the_same_site(
        tmp_path: Path, catalog: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _beside(monkeypatch, on=False)
    run_build(catalog, tmp_path / "here" / "site")
    _beside(monkeypatch, on=True)
    _writers(monkeypatch, tmp_path / "writers.txt")
    run_build(catalog, tmp_path / "beside" / "site")
    written = _written_by(tmp_path / "writers.txt")
    assert written["dcat.ttl"] == [os.getpid()]
    assert len(written["catalog.json"]) == 1 and written["catalog.json"] != [os.getpid()]
    assert site_tree(tmp_path / "beside" / "site") == site_tree(tmp_path / "here" / "site")
    # The child kept catalog.json's index: a rebuild with one change splices it.
    descriptor = next(catalog.glob("*/datapackage.yaml"))
    text = descriptor.read_text(encoding="utf-8")
    changed = text.replace("\ntitle: ", "\ntitle: 修订 ", 1)
    assert changed != text
    descriptor.write_text(changed, encoding="utf-8")
    assert run_build(catalog, tmp_path / "beside" / "site").pages_written == 1
    _beside(monkeypatch, on=False)
    run_build(catalog, tmp_path / "fresh" / "site")
    assert site_tree(tmp_path / "beside" / "site") == site_tree(tmp_path / "fresh" / "site")


def _dies_in_child(parent: int) -> Callable[[str], None]:
    def dies(rel: str) -> None:
        if os.getpid() != parent:
            os._exit(3)
    return dies


def _raises_in_child(parent: int) -> Callable[[str], None]:
    def raises(rel: str) -> None:
        if os.getpid() != parent:
            raise RuntimeError("child trouble")
    return raises


@pytest.mark.parametrize("failure", [_dies_in_child, _raises_in_child], ids=["killed", "error"])
def test_a_failing_child_leaves_catalog_json_to_the_build(
        tmp_path: Path, catalog: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture,
        failure: Callable[[int], Callable[[str], None]]) -> None:
    _beside(monkeypatch, on=False)
    run_build(catalog, tmp_path / "here" / "site")
    _beside(monkeypatch, on=True)
    _writers(monkeypatch, tmp_path / "writers.txt", failure(os.getpid()))
    with caplog.at_level(logging.WARNING):
        run_build(catalog, tmp_path / "failed" / "site")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("writing catalog.json in a child process failed" in w for w in warnings)
    written = _written_by(tmp_path / "writers.txt")["catalog.json"]
    assert len(written) == 2 and written[1] == os.getpid() != written[0]
    assert site_tree(tmp_path / "failed" / "site") == site_tree(tmp_path / "here" / "site")
