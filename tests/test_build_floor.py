"""The build benchmark's floor (bench.build_floor) renders the pages a build
renders — every dataset, department and navigation page, in the theme's
shell, at the build's paths — and nothing else: no downloads, no
catalogue-wide files. A floor that rendered fewer pages would flatter the
build."""

from __future__ import annotations

from pathlib import Path

from bench.build_floor import render_floor
from builder.theme import Shell
from tests.conftest import MINIMAL, TODAY


def _pages(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("index.html")}


def test_the_floor_renders_the_builds_pages_and_nothing_else(minimal_site: Path,
                                                             tmp_path: Path) -> None:
    shell = Shell((minimal_site.parent / "cache" / "theme" / "shell.html").read_text(
        encoding="utf-8"))
    floor = tmp_path / "floor"
    written = render_floor(MINIMAL, floor, shell, TODAY)
    ours = _pages(floor)
    assert written == len(ours) == len(list(floor.rglob("*.*")))
    built = _pages(minimal_site)
    assert ours <= built
    assert {p for p in built if p.startswith(("datasets/", "departments/"))} <= ours
    page = (floor / "datasets" / "jtj-0001" / "index.html").read_text(encoding="utf-8")
    assert "PORTALSHELL" not in page and "<h1" in page
