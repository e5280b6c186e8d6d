"""The metadata rules of a dataset run again only when something they read
changed (``builder.metadata_checks``): a rebuild with nothing changed runs
none, and a change to the dataset's folder, the vocabularies or the day
gives the problems (and the site) of a first build."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bench.synthetic import make_catalog
from builder import metadata_checks
from builder.build import BuildConfig, BuildResult, build

TODAY = date(2026, 11, 23)


def _build(catalog: Path, root: Path, today: date = TODAY) -> BuildResult:
    return build(BuildConfig(catalog_dir=catalog, out_dir=root / "site", today=today,
                             cache_dir=root / "cache"))


def _tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes()
            for p in sorted(site.rglob("*")) if p.is_file()}


def _problems(result: BuildResult) -> tuple[Any, ...]:
    """What a build reports: its warnings and its withheld datasets' problems."""
    return (result.warnings, {i: list(p) for i, p in result.changes.problems.items()},
            result.changes.withheld)


@pytest.fixture()
def checked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The folders whose metadata rules ran, in order (the real rules run)."""
    calls: list[str] = []
    real = metadata_checks.check_dataset

    def counted(dataset: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(dataset.source_dir)
        return real(dataset, *args, **kwargs)

    monkeypatch.setattr(metadata_checks, "check_dataset", counted)
    return calls


def _edit(descriptor: Path, old: str, new: str) -> None:
    text = descriptor.read_text(encoding="utf-8")
    assert old in text
    descriptor.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_rebuild_runs_the_rules_of_the_changed_dataset_only(
        tmp_path: Path, checked: list[str]) -> None:
    catalog = make_catalog(tmp_path / "catalog", 6)
    folders = sorted(p.name for p in catalog.iterdir() if p.is_dir())
    _build(catalog, tmp_path / "out")
    assert sorted(checked) == folders
    checked.clear()
    _build(catalog, tmp_path / "out")
    assert checked == []
    # An edit in place: a column loses its title (a warning of the rules).
    _edit(catalog / folders[2] / "datapackage.yaml", "      title: ", "      description: ")
    rebuilt = _build(catalog, tmp_path / "out")
    assert checked == [folders[2]]
    assert any(p.code == "field-title-missing" for p in rebuilt.warnings)
    assert _problems(rebuilt) == _problems(_build(catalog, tmp_path / "fresh"))
    assert _tree(tmp_path / "out" / "site") == _tree(tmp_path / "fresh" / "site")


@pytest.mark.parametrize("change", ["vocabularies", "day", "error"])
def test_what_the_rules_read_outside_a_folder_is_in_its_key(tmp_path: Path,
                                                             change: str) -> None:
    catalog = make_catalog(tmp_path / "catalog", 6)
    first = _build(catalog, tmp_path / "out")
    today = TODAY
    if change == "vocabularies":  # a department gone: its datasets name an unknown code
        descriptor = sorted(p for p in catalog.iterdir() if p.is_dir())[0] / "datapackage.yaml"
        code = next(line.split(":", 1)[1].strip() for line in
                    descriptor.read_text(encoding="utf-8").splitlines()
                    if line.startswith("department:"))
        _edit(catalog / "vocabularies.yaml", f"{{code: {code},", f"{{code: {code}-gone,")
    elif change == "day":
        today = date(2027, 6, 1)  # later: updates become overdue (a warning)
    else:  # an error of the rules kept, then mended
        descriptor = sorted(p for p in catalog.iterdir() if p.is_dir())[1] / "datapackage.yaml"
        _edit(descriptor, "open_type: unconditional", "open_type: conditional")
        withheld = _build(catalog, tmp_path / "out")
        assert withheld.changes.withheld  # no legal basis, no conditions
        assert _problems(_build(catalog, tmp_path / "out")) == _problems(withheld)
        _edit(descriptor, "open_type: conditional", "open_type: unconditional")
    rebuilt = _build(catalog, tmp_path / "out", today)
    fresh = _build(catalog, tmp_path / "fresh", today)
    assert _problems(rebuilt) == _problems(fresh)
    if change == "day":  # (a dataset withheld after it was online leaves a notice)
        assert _tree(tmp_path / "out" / "site") == _tree(tmp_path / "fresh" / "site")
    if change != "error":  # the change did reach the problems
        assert _problems(fresh) != _problems(first)


def test_a_rebuild_makes_each_update_status_once(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The rules, the keys and the public records share one update status
    per dataset (the dataset page of a changed dataset makes its own)."""
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
    _edit(folders[2] / "datapackage.yaml", "title: ", "title: 修订 ")
    _build(catalog, tmp_path / "out")  # every record is made (the navigation's key changed)
    counts = {name: made.count(name) for name in set(made)}
    assert counts.pop(folders[2].name) == 3  # its rules, its key and record, its page
    assert set(counts.values()) == {1}
