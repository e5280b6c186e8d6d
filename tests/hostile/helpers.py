"""Helpers shared by the hostile-input tests: editing a catalogue copy,
running the CLI, and snapshotting a folder tree to prove nothing was
written where it should not be."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner, Result

from portal.cli import main

TODAY_ARG = ["--today", "2026-11-23"]
OUTSIDE_MARKER = "OUTSIDE-SECRET-MARKER"

Snapshot = dict[str, tuple[str, int, int]]


def snapshot(root: Path) -> Snapshot:
    """Every entry under ``root`` (links not followed): kind, size and
    mtime (folders: kind only, as adding to a folder changes its mtime)."""
    entries: Snapshot = {}
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in dirs + files:
            path = Path(folder) / name
            info = path.lstat()
            kind = "link" if path.is_symlink() else ("dir" if path.is_dir() else "file")
            rel = path.relative_to(root).as_posix()
            entries[rel] = (kind, 0, 0) if kind == "dir" else (kind, info.st_size,
                                                               info.st_mtime_ns)
    return entries


def changes(before: Snapshot, after: Snapshot) -> set[str]:
    """Paths created, changed or removed between two snapshots."""
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


def descriptor(catalog: Path, folder: str = "bus-stops") -> dict[str, Any]:
    data = yaml.safe_load((catalog / folder / "datapackage.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def write_descriptor(catalog: Path, data: Any, folder: str = "bus-stops") -> None:
    (catalog / folder / "datapackage.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def edit_descriptor(catalog: Path, change: Callable[[dict[str, Any]], None],
                    folder: str = "bus-stops") -> None:
    data = descriptor(catalog, folder)
    change(data)
    write_descriptor(catalog, data, folder)


def invoke(*args: str) -> Result:
    """Run the ``portal`` command in this process, as a user would."""
    return CliRunner().invoke(main, list(args), catch_exceptions=True)


def assert_clean_exit(result: Result, expected: int) -> None:
    """The command ended by sys.exit with ``expected``: never a traceback."""
    detail = f"exit {result.exit_code}, exception {result.exception!r}\n{result.output[-3000:]}"
    assert result.exit_code == expected, detail
    if expected == 0:
        assert result.exception is None, detail
    else:
        assert isinstance(result.exception, SystemExit), detail
    assert "Traceback" not in result.output, detail
