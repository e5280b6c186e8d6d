"""A rebuild makes each published dataset's update status once, for the
metadata rules, its keys and its public record (``builder.records``),
instead of making it again for each; the site stays that of a first build."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bench.synthetic import make_catalog
from builder.build import BuildConfig, BuildResult, build

TODAY = date(2026, 11, 23)


def _build(catalog: Path, root: Path, today: date = TODAY) -> BuildResult:
    return build(BuildConfig(catalog_dir=catalog, out_dir=root / "site", today=today,
                             cache_dir=root / "cache"))


def _tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes()
            for p in sorted(site.rglob("*")) if p.is_file()}


def test_a_rebuild_makes_each_update_status_for_the_keys_and_records_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from builder import build as build_module
    from builder import dataset_pages
    from domain.catalogue import freshness, publication, rules

    made: list[str] = []

    def counted(dataset: Any, *args: Any, **kwargs: Any) -> Any:
        made.append(dataset.identifier)
        return freshness.update_status(dataset, *args, **kwargs)

    for module in (build_module, dataset_pages, publication, rules):
        monkeypatch.setattr(module, "update_status", counted)
    catalog = make_catalog(tmp_path / "catalog", 6)
    folders = sorted(p for p in catalog.iterdir() if p.is_dir())
    _build(catalog, tmp_path / "out")
    made.clear()
    descriptor = folders[2] / "datapackage.yaml"
    descriptor.write_text(descriptor.read_text(encoding="utf-8").replace(
        "title: ", "title: 修订 ", 1), encoding="utf-8")
    _build(catalog, tmp_path / "out")  # every record is made (the navigation's key changed)
    counts = {name: made.count(name) for name in set(made)}
    # The metadata rules, the keys and the record share one; the changed
    # dataset's page makes its own.
    assert counts.pop(folders[2].name) == 2
    assert set(counts.values()) == {1}
    _build(catalog, tmp_path / "fresh")
    assert _tree(tmp_path / "out" / "site") == _tree(tmp_path / "fresh" / "site")


def test_records_made_after_the_keys_read_the_same_status(tmp_path: Path) -> None:
    """The statuses are dropped once the keys are made (memory): a record
    made later makes its own, the same (a day on which updates are overdue)."""
    catalog = make_catalog(tmp_path / "catalog", 6)
    late = date(2027, 6, 1)
    _build(catalog, tmp_path / "out")
    _build(catalog, tmp_path / "out", late)
    _build(catalog, tmp_path / "fresh", late)
    assert _tree(tmp_path / "out" / "site") == _tree(tmp_path / "fresh" / "site")
