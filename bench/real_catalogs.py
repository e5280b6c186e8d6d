"""Real catalogues end to end: `python -m bench.real_catalogs [--plans DIR] [FILE ...]`.

For each catalogue (default: the five in /work/shared/real-catalogs, see
SOURCE.md there) it imports with no options (or with ``DIR/<stem>.plan.yaml``
when ``--plans`` is given), checks and builds, then prints:

  rows         rows read from the source
  uncond       unconditional rows: rows whose own open-type value is 无条件开放
               or 普遍开放 (or a one-character typo of them, e.g. 无条件开发),
               counted on the raw source before any default or mapping
  uncond pub   how many of those were published by the build (and the share)
  all pub      every row published (and the share of all rows)
  import/build seconds
  plan         lines of the plan edited (against what --write-plan writes)
  withheld     the build's withheld datasets by problem code (top five)

The figures to reach (issue 13): with no options, uncond pub >= 80 %; with
a plan edited in at most 15 lines, all pub >= 95 %. Work happens under
bench/out/real/ (git-ignored).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from datetime import date
from pathlib import Path

from builder.build import BuildConfig, build
from builder.import_columns import cell_text, normalise
from builder.import_sources import read_source
from builder.importer import import_catalog, write_plan

REAL = Path("/work/shared/real-catalogs")
NAMES = ("shanghai_shanghai.json", "guizhou_guiyang.json", "guizhou_qianxinan.json",
         "zhejiang_zhejiang.json", "sichuan_meishan.json")
OUT = Path(__file__).resolve().parent / "out" / "real"
TODAY = date(2026, 12, 6)
_UNCONDITIONAL = ("无条件开放", "普遍开放")
_OTHER_TYPES = frozenset({"有条件开放", "依申请开放", "不予开放", "安全开放"})


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by at most one substituted character."""
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) <= 1


def is_unconditional(value: object) -> bool:
    """The bench's own reading of a raw cell, independent of the importer."""
    text = normalise(cell_text(value))
    return text not in _OTHER_TYPES and any(_one_edit(text, word) for word in _UNCONDITIONAL)


def unconditional_rows(source: Path) -> set[int]:
    """Source rows with an unconditional open-type value in any cell."""
    table = read_source(source)
    return {row for row, cells in table.rows
            if any(is_unconditional(v) for v in cells.values() if isinstance(v, str))}


def edited_lines(source: Path, plan: Path) -> int:
    """Lines of ``plan`` that differ from the plan the importer writes itself."""
    import difflib
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        fresh = Path(folder) / "fresh.yaml"
        write_plan(source, fresh)
        diff = difflib.ndiff(fresh.read_text("utf-8").splitlines(),
                             plan.read_text("utf-8").splitlines())
        return sum(1 for line in diff if line.startswith("+ "))


def run(source: Path, plan: Path | None) -> dict[str, object]:
    work = OUT / source.stem
    if work.exists():
        shutil.rmtree(work)
    started = time.perf_counter()
    report = import_catalog(source, work / "catalog", **({"plan": plan} if plan else {}))
    import_seconds = time.perf_counter() - started
    started = time.perf_counter()
    result = build(BuildConfig(catalog_dir=work / "catalog", out_dir=work / "site", today=TODAY,
                               cache_dir=work / "cache"))
    build_seconds = time.perf_counter() - started
    published = set(result.changes.published)
    uncond = unconditional_rows(source)
    uncond_pub = sum(1 for row in uncond if report.row_identifiers.get(row) in published)
    return {"name": source.name, "rows": report.rows, "uncond": len(uncond),
            "uncond_pub": uncond_pub, "all_pub": len(published),
            "import_s": import_seconds, "build_s": build_seconds,
            "withheld": result.changes.withheld_by_code().most_common(5)}


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f} %" if whole else "    - "


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=Path, help="folder of <stem>.plan.yaml files")
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args(argv)
    files = args.files or [REAL / n for n in NAMES]
    print(f"{'catalogue':28s} {'rows':>5s} {'uncond':>6s} {'uncond pub':>16s} "
          f"{'all pub':>16s} {'import':>7s} {'build':>7s}  {'plan':>4s}  withheld by code")
    for source in files:
        plan = None
        if args.plans is not None:
            plan = args.plans / f"{source.stem}.plan.yaml"
            if not plan.is_file():
                print(f"{source.name}: no plan {plan}", file=sys.stderr)
                continue
        edits = f"{edited_lines(source, plan):4d}" if plan else "   -"
        f = run(source, plan)
        rows, uncond = int(f["rows"]), int(f["uncond"])  # type: ignore[call-overload]
        uncond_pub, all_pub = int(f["uncond_pub"]), int(f["all_pub"])  # type: ignore[call-overload]
        print(f"{source.name:28s} {rows:5d} {uncond:6d} {uncond_pub:6d} "
              f"({_share(uncond_pub, uncond)}) {all_pub:6d} ({_share(all_pub, rows)}) "
              f"{f['import_s']:6.1f}s {f['build_s']:6.1f}s  {edits}  {f['withheld']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
