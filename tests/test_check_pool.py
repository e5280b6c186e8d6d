"""The data checks spread over a process pool find what one process finds,
in the same order (builder.check_pool)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.synthetic import make_catalog
from builder import check_pool
from builder.check import check_data
from domain.catalogue.catalog import load_catalog


@pytest.fixture(scope="module")
def catalog_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_catalog(tmp_path_factory.mktemp("catalog"), 24, rows=3)
    folders = sorted(p for p in root.iterdir() if p.is_dir())
    (folders[3] / "data" / "data.csv").unlink()  # resource-missing
    with (folders[7] / "data" / "data.csv").open("a", encoding="utf-8") as handle:
        handle.write("4,张三,身份证 110101199003074514,1\n")  # the desensitization gate
    (folders[11] / "data" / "data.csv").write_bytes(b"id,name\n1,\xff\xfe\n")  # not UTF-8
    return root


def test_the_pool_finds_what_one_process_finds(catalog_dir: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    catalog, _ = load_catalog(catalog_dir)
    alone = [check_data(catalog, [d], validate=False) for d in catalog.datasets]
    assert sum(1 for found in alone if found) >= 3
    monkeypatch.setattr(check_pool, "POOL_THRESHOLD", 1)
    indexes = list(range(len(catalog.datasets)))[::-1]  # any order is kept
    pooled = check_pool.check_each(catalog, indexes, validate=False, workers=2)
    assert pooled == [alone[i] for i in indexes]


def test_few_datasets_are_checked_in_this_process(catalog_dir: Path) -> None:
    catalog, _ = load_catalog(catalog_dir)
    assert check_pool.check_each(catalog, [3], validate=False) \
        == [check_data(catalog, [catalog.datasets[3]], validate=False)]
