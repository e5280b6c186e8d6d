"""Write the shipped working-day calendars, domain/data/calendars/YYYY.json,
from the chinese_calendar package.

The files, not the package, are what the portal reads (domain.periods.calendar): they
can be reviewed in a diff, corrected by hand and extended by a bureau before
the package knows a year. Run this when the package gains a year, after
checking its dates against the State Council notice, and commit the output:

    .venv/bin/python scripts/export_calendars.py            # 2024 2025 2026
    .venv/bin/python scripts/export_calendars.py 2027       # once NOTICES has 2027
    .venv/bin/python scripts/export_calendars.py --check    # exit 1 if files differ
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

import chinese_calendar

OUT = Path(__file__).resolve().parent.parent / "domain" / "data" / "calendars"
DEFAULT_YEARS = (2024, 2025, 2026)

# The notice each year comes from: (title with document number and date, gov.cn page).
# Kept by hand because the package does not record its sources; a year
# missing here is refused rather than exported without its provenance.
NOTICES: dict[int, tuple[str, str]] = {
    2024: (
        "国务院办公厅关于2024年部分节假日安排的通知 (国办发明电〔2023〕7号, 2023-10-25)",
        "https://www.gov.cn/zhengce/zhengceku/202310/content_6911528.htm",
    ),
    2025: (
        "国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号, 2024-11-12)",
        "https://www.gov.cn/zhengce/content/202411/content_6986382.htm",
    ),
    2026: (
        "国务院办公厅关于2026年部分节假日安排的通知 (国办发明电〔2025〕7号, 2025-11-04)",
        "https://www.gov.cn/zhengce/content/202511/content_7047090.htm",
    ),
}


def render_year(year: int) -> str:
    """The JSON text of ``year``'s calendar file, ending with a newline.

    Raises:
        SystemExit: ``year`` has no entry in NOTICES.
        NotImplementedError: chinese_calendar does not cover ``year``.
    """
    if year not in NOTICES:
        raise SystemExit(f"{year}: add the notice title and URL to NOTICES first")
    # Asking the package about the year makes it refuse years it does not know.
    chinese_calendar.is_workday(date(year, 1, 1))
    source, paper = NOTICES[year]
    body = {
        "$schema": "./calendar.schema.json",
        "year": year,
        "source": source,
        "papers": [paper],
        "note": (
            f"Exported from chinese_calendar {chinese_calendar.__version__} by "
            "scripts/export_calendars.py; checked day by day in tests/test_workdays.py."
        ),
        "holidays": sorted(d.isoformat() for d in chinese_calendar.holidays if d.year == year),
        "workdays": sorted(d.isoformat() for d in chinese_calendar.workdays if d.year == year),
    }
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("years", nargs="*", type=int, default=list(DEFAULT_YEARS))
    parser.add_argument("--out", type=Path, default=OUT, help="folder to write (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 on a difference")
    args = parser.parse_args(argv)
    differ = []
    for year in args.years:
        path = args.out / f"{year}.json"
        text = render_year(year)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                differ.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    for path in differ:
        print(f"out of date: {path}", file=sys.stderr)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
