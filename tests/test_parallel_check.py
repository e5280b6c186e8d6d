"""A build's check stage in pools of processes (issue 13: a full build of
100,000 datasets in under five minutes): the descriptors of new folders are
read by forked workers (``builder.descriptor_pool``) and the datasets' data
checked by forked workers (``builder.data_checks``). The build must be the
same as one that does both itself — the same site, the same withheld
datasets with the same problems in the same order — and survive a pool that
fails (the rest is done here, with a warning). The thresholds are lowered
here so that a small catalogue uses the pools."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from builder import data_checks, descriptor_pool
from builder.build import BuildResult
from builder.descriptor_cache import DescriptorCache
from builder.withholding import REPORT_JSON
from tests.conftest import REPO, run_build
from tests.pool_failures import site_tree, worker_dies, worker_raises

ID_NUMBER = "11010519491231002X"  # a valid 18-digit ID number (checksum X)


@pytest.fixture
def troubled(tmp_path: Path) -> Path:
    """The sample catalogue with three kinds of trouble: a descriptor missing
    a required field, unmasked personal data in a published table (found by
    the data check), and an identifier used by two folders."""
    catalog = tmp_path / "catalog"
    shutil.copytree(REPO / "datasets", catalog)
    folders = sorted(p for p in catalog.iterdir() if (p / "datapackage.yaml").is_file())
    descriptor = folders[0] / "datapackage.yaml"
    data = yaml.safe_load(descriptor.read_text("utf-8"))
    del data["theme"]
    descriptor.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    shutil.copytree(folders[1], catalog / "zz-repeated")  # same identifier, later folder
    leaked = 0
    for folder in folders[2:]:
        about = yaml.safe_load((folder / "datapackage.yaml").read_text("utf-8"))
        tables = [r for r in about.get("resources", []) if str(r.get("path", "")).endswith(".csv")]
        if about.get("open_type") == "unconditional" and tables:
            table = folder / tables[0]["path"]
            lines = table.read_text("utf-8").splitlines(keepends=True)
            lines.insert(2, ",".join([ID_NUMBER] * lines[0].count(",")) + f",{ID_NUMBER}\n")
            table.write_text("".join(lines), encoding="utf-8")
            leaked += 1
        if leaked == 2:
            break
    assert leaked == 2
    return catalog


@pytest.fixture
def in_parent(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[str]]]:
    """What was done in this process: identities taken and data checked (a
    worker's calls happen in its own copy of these lists)."""
    done: dict[str, list[str]] = {"identity": [], "check": []}
    identity, check = DescriptorCache._identity_here, data_checks.check_data

    def counted_identity(self: DescriptorCache, folder: Path) -> str:
        done["identity"].append(folder.name)
        return identity(self, folder)

    def counted_check(catalog, datasets, **kwargs):  # type: ignore[no-untyped-def]
        datasets = list(datasets)
        done["check"] += [d.identifier for d in datasets]
        return check(catalog, datasets, **kwargs)

    monkeypatch.setattr(DescriptorCache, "_identity_here", counted_identity)
    monkeypatch.setattr(data_checks, "check_data", counted_check)
    yield done


def _pools(monkeypatch: pytest.MonkeyPatch, on: bool) -> None:
    at = 1 if on else 10**9
    monkeypatch.setattr(descriptor_pool, "READ_IN_POOL_AT", at)
    monkeypatch.setattr(data_checks, "CHECK_IN_POOL_AT", at)


def _outcome(result: BuildResult, root: Path) -> tuple[object, ...]:
    return (result.changes.withheld, sorted(result.changes.published),
            [(p.code, p.file, p.row, p.field, p.message) for p in result.warnings],
            {k: [(p.code, p.file, p.row, p.field) for p in v]
             for k, v in result.changes.problems.items()},
            (root / "cache" / REPORT_JSON).read_bytes(), site_tree(root / "site"))


def test_a_first_build_checks_in_pools_with_the_same_outcome(
        tmp_path: Path, troubled: Path, monkeypatch: pytest.MonkeyPatch,
        in_parent: dict[str, list[str]], parsed: list[str]) -> None:
    _pools(monkeypatch, on=True)
    pooled = run_build(troubled, tmp_path / "pooled" / "site")
    # Every descriptor was read, every identity taken and every dataset's
    # data checked by a worker: none of it here.
    assert parsed == [] and in_parent == {"identity": [], "check": []}
    assert pooled.changes.withheld  # the troubles were found by the workers
    codes = {c for v in pooled.changes.withheld.values() for c in v}
    assert "field-missing" in codes and len(pooled.changes.withheld) >= 4

    _pools(monkeypatch, on=False)
    here = run_build(troubled, tmp_path / "here" / "site")
    assert in_parent["check"] and parsed
    assert _outcome(pooled, tmp_path / "pooled") == _outcome(here, tmp_path / "here")

    # The pools' results were kept like the build's own: nothing is read again
    # (but the later dataset of a repeated identifier, checked on every build).
    parsed.clear()
    in_parent["check"].clear()
    again = run_build(troubled, tmp_path / "pooled" / "site")
    repeated = yaml.safe_load((troubled / "zz-repeated" / "datapackage.yaml").read_text("utf-8"))
    assert parsed == [] and in_parent["check"] == [repeated["name"]]
    assert again.pages_written == 0
    assert again.changes.withheld == pooled.changes.withheld


@pytest.mark.parametrize("failure", [worker_dies, worker_raises], ids=["killed", "error"])
def test_a_failing_pool_leaves_the_work_to_the_build(
        tmp_path: Path, troubled: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture, failure: object) -> None:
    _pools(monkeypatch, on=False)
    expected = run_build(troubled, tmp_path / "here" / "site")
    _pools(monkeypatch, on=True)
    monkeypatch.setattr(descriptor_pool, "_read_chunk", failure)
    monkeypatch.setattr(data_checks, "_check_span", failure)
    with caplog.at_level(logging.WARNING):
        result = run_build(troubled, tmp_path / "failed" / "site")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("reading new descriptors in a pool" in w for w in warnings)
    assert any("checking data in a pool" in w for w in warnings)
    assert _outcome(result, tmp_path / "failed") == _outcome(expected, tmp_path / "here")
