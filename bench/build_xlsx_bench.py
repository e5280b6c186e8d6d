"""Workbook writers compared on the build's own tables (issue 17, lever 1):
`python -m bench.build_xlsx_bench [--rounds R] [--synthetic N]`.

The tables are those a build turns into ``.xlsx`` downloads: every tabular
resource of the sample catalogue (datasets/, 20 to 52,560 rows) and N
tables shaped like the synthetic benchmark catalogue's (20 rows, 4 columns:
what a 10,000- or 100,000-dataset build writes 10,000 or 100,000 times).
Each writer gets the same header, kinds and rows; the writers run
alternately (A B C A B C …) so a busy machine weighs on all alike. For each
writer and table group it prints milliseconds per workbook (CPU of this
process) and bytes per workbook, and checks every workbook it wrote opens
with openpyxl with the header, numbers as numbers and text as text.

Writers: ``builder.xlsx.write_xlsx`` (the build's), openpyxl write-only (the
build's writer until issue 17) and pyexcelerate when it is importable.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bench.scale_bench import load_average
from bench.synthetic import SUFFIXES, WORDS
from builder.check import resource_file
from builder.downloads import _typed
from builder.tables import open_table
from builder.xlsx import TYPED_KINDS, sheet_name, write_xlsx
from domain.catalogue.catalog import load_catalog

REPO = Path(__file__).resolve().parent.parent
Sheet = tuple[str, list[str], list[str], list[list[str]]]  # name, titles, kinds, rows
Writer = Callable[[Path, list[str], list[str], Iterator[list[str]], Callable[[str, str], Any]],
                  tuple[int, str]]


def sample_tables() -> list[Sheet]:
    """Every tabular resource of the sample catalogue, as the build reads it."""
    catalog, _ = load_catalog(REPO / "datasets")
    tables: list[Sheet] = []
    for dataset in catalog.datasets:
        for resource in dataset.resources:
            if not resource.is_tabular:
                continue
            table = open_table(resource_file(catalog, dataset, resource), resource)
            types = {f.name: f.type for f in resource.fields}
            titles = {f.name: f.title for f in resource.fields if f.title}
            tables.append((resource.title or resource.name,
                           [titles.get(h, h) for h in table.header],
                           [types.get(h, "string") for h in table.header], list(table.rows)))
    return tables


def synthetic_tables(n: int, seed: int = 7) -> list[Sheet]:
    """``n`` tables like ``bench.synthetic``'s (20 rows of 序号, 名称, 地址, 数值)."""
    rng = random.Random(seed)
    tables: list[Sheet] = []
    for _ in range(n):
        word = rng.choice(WORDS)
        rows = [[str(r + 1), f"{word}{r + 1}号点",
                 f"云河市新城区{rng.choice(WORDS)}路{rng.randint(1, 999)}号",
                 str(rng.randint(0, 100000) / 100)] for r in range(20)]
        tables.append((f"{word}{rng.choice(SUFFIXES)}", ["序号", "名称", "地址", "数值"],
                       ["integer", "string", "string", "number"], rows))
    return tables


def openpyxl_write_only(path: Path, header: list[str], kinds: list[str],
                        rows: Iterator[list[str]], typed: Callable[[str, str], Any],
                        *, sheet: str) -> tuple[int, str]:
    """The build's writer until issue 17: openpyxl write-only, then the save
    time removed from docProps/core.xml and every zip entry (a rewrite)."""
    import re
    import zipfile

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook(write_only=True)
    ws = book.create_sheet(title=sheet_name(sheet))

    def text_cell(value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"
        return cell

    ws.append([text_cell(h) for h in header])
    for row in rows:
        ws.append([value if number else (text_cell(value) if value else None)
                   for number, value in _cells(row, kinds, typed)])
    book.save(path)
    stamps = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info.filename)) for info in source.infolist()]
    temp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(temp, "w") as target:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = stamps.sub(b"", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, data)
    temp.replace(path)
    data = path.read_bytes()
    return len(data), hashlib.sha256(data).hexdigest()


def _cells(row: list[str], kinds: list[str],
           typed: Callable[[str, str], Any]) -> Iterator[tuple[bool, Any]]:
    """Each cell of ``row`` as the build types it: (True, a finite number)
    or (False, text; a yes/no value as 是/否)."""
    for i, kind in enumerate(kinds):
        raw = row[i] if i < len(row) else ""
        value = typed(raw, kind) if kind in TYPED_KINDS else raw
        if isinstance(value, bool):
            yield False, "是" if value else "否"
        elif isinstance(value, int | float) and _finite(value):
            yield True, value
        else:
            yield False, raw


def _finite(value: int | float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def pyexcelerate_writer(path: Path, header: list[str], kinds: list[str],
                        rows: Iterator[list[str]], typed: Callable[[str, str], Any],
                        *, sheet: str) -> tuple[int, str]:
    """pyexcelerate with the same cell types (its save time is NOT removed:
    a fair comparison would add a rewrite like openpyxl's). Note: it writes
    a text starting with "=" as a formula."""
    from pyexcelerate import Workbook

    data: list[list[Any]] = [list(header)]
    for row in rows:
        data.append([value if number else (value or None)
                     for number, value in _cells(row, kinds, typed)])
    book = Workbook()
    book.new_sheet(sheet_name(sheet), data=data)
    book.save(str(path))
    blob = path.read_bytes()
    return len(blob), hashlib.sha256(blob).hexdigest()


def writers() -> dict[str, Any]:
    found: dict[str, Any] = {"build": write_xlsx, "openpyxl": openpyxl_write_only}
    try:
        import pyexcelerate  # noqa: F401
    except ImportError:
        pass
    else:
        found["pyexcelerate"] = pyexcelerate_writer
    return found


def check(path: Path, table: Sheet) -> None:
    """The workbook opens with openpyxl: header, numbers as numbers, text as text."""
    from openpyxl import load_workbook

    _, titles, kinds, rows = table
    book = load_workbook(path, read_only=True)
    got = list(book.active.iter_rows(values_only=True))
    book.close()
    assert list(got[0])[:len(titles)] == titles, (path, got[0], titles)
    for row, cells in zip(rows[:50], got[1:51], strict=False):
        for i, kind in enumerate(kinds):
            raw, cell = (row[i] if i < len(row) else ""), (cells[i] if i < len(cells) else None)
            if kind == "number" and raw:
                assert isinstance(cell, int | float) and math.isclose(cell, float(raw)), (raw, cell)
            elif kind == "string" and raw:
                assert cell == raw, (path, raw, cell)


def run(groups: dict[str, list[Sheet]], rounds: int) -> None:
    found = writers()
    totals = {(w, g): [0.0, 0, 0] for w in found for g in groups}  # seconds, bytes, workbooks
    with tempfile.TemporaryDirectory(prefix="xlsx-bench-") as tmp:
        folder = Path(tmp)
        for round_ in range(rounds):
            for group, tables in groups.items():
                for index, table in enumerate(tables):
                    for name, write in found.items():
                        target = folder / f"{name}-{index}.xlsx"
                        started = time.process_time()
                        size, _ = write(target, table[1], table[2], iter(table[3]), _typed,
                                        sheet=table[0], **({"expected_rows": len(table[3])}
                                                           if name == "build" else {}))
                        totals[(name, group)][0] += time.process_time() - started
                        totals[(name, group)][1] += size
                        totals[(name, group)][2] += 1
                        if round_ == 0 and (group == "sample" or index < 20):
                            check(target, table)
    for group, tables in groups.items():
        rows = sum(len(t[3]) for t in tables)
        print(f"{group}: {len(tables)} tables, {rows:,} rows")
        for name in found:
            seconds, size, count = totals[(name, group)]
            print(f"  {name:<13} {1000 * seconds / count:8.2f} ms per workbook (CPU)  "
                  f"{size / count:10,.0f} bytes per workbook")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--synthetic", type=int, default=300)
    args = parser.parse_args(argv)
    print(f"load average before: {load_average()}", flush=True)
    run({"sample": sample_tables(), "synthetic": synthetic_tables(args.synthetic)}, args.rounds)
    print(f"load average after: {load_average()}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
