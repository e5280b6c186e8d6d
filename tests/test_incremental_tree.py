"""A rebuild after changes gives the same site, byte for byte, as a first
build of the changed catalogue into an empty folder (catalog.json and the
DCAT files are then spliced from the previous files' unchanged pieces)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest

from bench.synthetic import make_catalog
from builder import site_pages
from builder.build import BuildConfig, build

TODAY = date(2026, 11, 23)


def _build(catalog: Path, root: Path) -> None:
    build(BuildConfig(catalog_dir=catalog, out_dir=root / "site", today=TODAY,
                      cache_dir=root / "cache"))


def _tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes()
            for p in sorted(site.rglob("*")) if p.is_file()}


def _retitle(folder: Path, title: str) -> None:
    descriptor = folder / "datapackage.yaml"
    lines = descriptor.read_text(encoding="utf-8").splitlines(keepends=True)
    lines = [f"title: {title}\n" if line.startswith("title: ") else line for line in lines]
    descriptor.write_text("".join(lines), encoding="utf-8")


def _notice(catalog: Path, slug: str, title: str) -> None:
    folder = catalog / "announcements"
    folder.mkdir(exist_ok=True)
    (folder / f"{slug}.md").write_text(f"---\ntitle: {title}\ndate: 2026-11-20\n---\n\n正文。\n",
                                       encoding="utf-8")


def _evaluation(catalog: Path, generated: str) -> None:
    folder = catalog / "evaluation"
    folder.mkdir(exist_ok=True)
    (folder / "2025.json").write_text(orjson.dumps(
        {"generated": generated, "departments": [], "total": {}}).decode(), encoding="utf-8")


@pytest.mark.heavy  # among the longest of test-fast: started first (tests/conftest.py)
def test_rebuilds_after_changes_equal_a_first_build(tmp_path: Path) -> None:
    catalog = make_catalog(tmp_path / "catalog", 12)
    folders = sorted(p for p in catalog.iterdir() if p.is_dir())
    later = tmp_path / "later"
    folders[6].rename(later)  # added by a later step
    incremental = tmp_path / "incremental"
    _build(catalog, incremental)
    steps = [
        lambda: (_retitle(folders[0], "修订后的第一个数据集"),  # the first entry of each file
                 (folders[3] / "data" / "data.csv").write_text(
                     "id,name,address,value\n1,新,路,2.5\n", encoding="utf-8")),
        lambda: later.rename(folders[6]),  # a dataset added in the middle
        lambda: shutil.copytree(folders[2], folders[2].with_name("zz-copy")),  # same name twice
        lambda: None,  # nothing changed
        # Read by the navigation pages only (keyed apart from the records):
        lambda: _notice(catalog, "2026-11-20-维护", "系统维护通知"),
        lambda: _notice(catalog, "2026-11-20-维护", "系统维护通知（更正）"),
        lambda: _evaluation(catalog, "第一份"),
        lambda: _evaluation(catalog, "第二份"),  # the same size: only the contents differ
        lambda: (catalog / "portal.yaml").write_text((catalog / "portal.yaml").read_text(
            encoding="utf-8").replace("contact_phone: ", "contact_phone: 0990-1 ", 1),
            encoding="utf-8"),
    ]
    for number, step in enumerate(steps):
        step()
        _build(catalog, incremental)
        fresh = tmp_path / f"fresh-{number}"
        _build(catalog, fresh)
        assert _tree(incremental / "site") == _tree(fresh / "site"), f"step {number}"
    index = orjson.loads((incremental / "cache" / "spliced" / "catalog.json.json").read_bytes())
    assert len(index["pieces"]) == 12  # the pieces of the last catalog.json were indexed


def test_navigation_pages_are_rendered_again_only_when_their_inputs_change(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = make_catalog(tmp_path / "catalog", 4)
    rendered: list[int] = []
    real = site_pages.nav_pages

    def counted(*args: Any, **kwargs: Any) -> Any:
        rendered.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(site_pages, "nav_pages", counted)
    _build(catalog, tmp_path / "out")
    _build(catalog, tmp_path / "out")  # nothing changed: not rendered
    assert len(rendered) == 1
    _evaluation(catalog, "新的评估")
    _build(catalog, tmp_path / "out")
    assert len(rendered) == 2
    assert "新的评估" in (tmp_path / "out" / "site" / "evaluation" / "index.html").read_text(
        encoding="utf-8")
