"""domain.catalogue.paths.real_join must agree with os.path.realpath on every shape
of path the loader meets: plain files, links inside and outside, loops,
missing parts and '..' (the loader's safety checks rely on it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from domain.catalogue.paths import real_join


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    (root / "bus" / "data").mkdir(parents=True)
    (root / "bus" / "data" / "stops.csv").write_text("id\n1\n", encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text("x\n", encoding="utf-8")
    os.symlink(outside, root / "bus" / "out-dir")
    os.symlink(outside / "secret.csv", root / "bus" / "data" / "out.csv")
    os.symlink(root / "bus" / "data" / "stops.csv", root / "bus" / "data" / "in.csv")
    os.symlink(root, root / "loop")
    os.symlink("missing-target", root / "bus" / "dangling")
    return root


CASES = [
    ("bus",), ("bus", "data", "stops.csv"), ("bus", "data", "out.csv"),
    ("bus", "data", "in.csv"), ("bus", "out-dir", "secret.csv"), ("loop",),
    ("loop", "bus", "data", "stops.csv"), ("bus", "dangling"), ("bus", "nothing", "x.csv"),
    ("bus", "..", "..", "outside", "secret.csv"), ("bus", ".", "data"), ("bus", "data", ""),
]


@pytest.mark.parametrize("parts", CASES, ids=["/".join(c) or "." for c in CASES])
def test_real_join_equals_realpath(tree: Path, parts: tuple[str, ...]) -> None:
    base = os.path.realpath(tree)
    assert real_join(base, parts) == os.path.realpath(os.path.join(base, *parts))
