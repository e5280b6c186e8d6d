"""A build's dataset pages written by forked workers (issue 13, issue 17):
the workers inherit the build's jobs (datasets and their records) instead of
receiving each one pickled, and the site must be the one a build that
writes every page itself makes. A pool that fails leaves the rest to the
build (with a warning). The threshold is lowered here so that the sample
catalogue uses the pool."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from builder import build as build_module
from builder import dataset_pages
from builder.dataset_pages import DatasetPageWriter
from builder.withholding import REPORT_JSON
from domain.catalogue.model import Dataset
from tests.conftest import REPO, run_build
from tests.pool_failures import site_tree, worker_dies, worker_raises


def _pool(monkeypatch: pytest.MonkeyPatch, on: bool) -> None:
    monkeypatch.setattr(dataset_pages, "POOL_THRESHOLD", 1 if on else 10**9)


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    copy = tmp_path / "catalog"
    shutil.copytree(REPO / "datasets", copy)
    return copy


@pytest.fixture
def written_here(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The datasets whose page this process wrote (a worker writes in its own copy)."""
    here: list[str] = []
    write = DatasetPageWriter.write

    def counted(self: DatasetPageWriter, dataset: Dataset, *args: object) -> object:
        here.append(dataset.identifier)
        return write(self, dataset, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(DatasetPageWriter, "write", counted)
    return here


def _not_picklable(self: Dataset, protocol: object) -> object:
    raise AssertionError(f"dataset {self.identifier} pickled for a page worker")


def test_pages_written_by_forked_workers_are_the_same_site(
        tmp_path: Path, catalog: Path, monkeypatch: pytest.MonkeyPatch,
        written_here: list[str]) -> None:
    _pool(monkeypatch, on=False)
    here = run_build(catalog, tmp_path / "here" / "site")
    assert len(written_here) == here.pages_written > 10

    written_here.clear()
    _pool(monkeypatch, on=True)
    # The workers inherit the jobs: while pages are written, no dataset is
    # pickled (the descriptor cache pickles them before and after).
    write_all = build_module.write_all

    def unpicklable_datasets(*args: object) -> Iterator[object]:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(Dataset, "__reduce_ex__", _not_picklable, raising=False)
            yield from write_all(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(build_module, "write_all", unpicklable_datasets)
    pooled = run_build(catalog, tmp_path / "pooled" / "site")
    assert written_here == [] and pooled.pages_written == here.pages_written
    assert pooled.downloads == here.downloads
    assert site_tree(tmp_path / "pooled" / "site") == site_tree(tmp_path / "here" / "site")
    assert (tmp_path / "pooled" / "cache" / REPORT_JSON).read_bytes() \
        == (tmp_path / "here" / "cache" / REPORT_JSON).read_bytes()


@pytest.mark.parametrize("failure", [worker_dies, worker_raises], ids=["killed", "error"])
def test_a_failing_page_pool_leaves_the_pages_to_the_build(
        tmp_path: Path, catalog: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture, written_here: list[str], failure: object) -> None:
    _pool(monkeypatch, on=False)
    expected = run_build(catalog, tmp_path / "here" / "site")
    written_here.clear()
    _pool(monkeypatch, on=True)
    monkeypatch.setattr(dataset_pages, "_write_span", failure)
    with caplog.at_level(logging.WARNING):
        result = run_build(catalog, tmp_path / "failed" / "site")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("writing dataset pages in a pool" in w for w in warnings)
    assert len(written_here) == result.pages_written == expected.pages_written
    assert site_tree(tmp_path / "failed" / "site") == site_tree(tmp_path / "here" / "site")
