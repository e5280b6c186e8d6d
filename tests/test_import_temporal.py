"""``portal import`` recognises a source's temporal coverage: a range column
(数据时间范围) or start and end columns (起始时间 / 截止时间)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from builder.import_period import parse_period
from tests.test_importer import by_title, load_all, run


@pytest.mark.parametrize("ranged, expected", [
    ("2019-01-01至2025-12-31", {"start": date(2019, 1, 1), "end": date(2025, 12, 31)}),
    ("2019/1/1 ~ 2025/12/31", {"start": date(2019, 1, 1), "end": date(2025, 12, 31)}),
    ("2016年-2025年", {"start": date(2016, 1, 1), "end": date(2025, 12, 31)}),
    ("2016-2025", {"start": date(2016, 1, 1), "end": date(2025, 12, 31)}),
    ("2020年2月—2024年2月", {"start": date(2020, 2, 1), "end": date(2024, 2, 29)}),
    ("2020年1月至今", {"start": date(2020, 1, 1)}),
    ("2018-03-01", {"start": date(2018, 3, 1)}),
    ("2025-12-31至2019-01-01", None),
    ("近三年", None),
    ("2019-13至2020", None),
])
def test_range_cells(ranged: str, expected: dict[str, date] | None) -> None:
    assert parse_period(None, None, ranged=ranged) == expected


def test_start_and_end_cells() -> None:
    assert parse_period("2019-01-01", "2025-12-31") == {"start": date(2019, 1, 1),
                                                       "end": date(2025, 12, 31)}
    assert parse_period(date(2019, 1, 1), "") == {"start": date(2019, 1, 1)}
    assert parse_period("", "2025-12-31") is None


def test_import_writes_temporal_and_reports_what_it_cannot_read(tmp_path: Path) -> None:
    source = tmp_path / "catalog.csv"
    source.write_text(
        "资源代码,数据名称,摘要,数据提供方,数据领域,开放属性,更新频度,更新时间,发布时间,"
        "数据格式,起始时间,截止时间\n"
        "a1,公交站点信息,站点,市交通局,交通出行,无条件开放,每日,2023-04-06,2020-01-02,csv,"
        "2019-01-01,2025-12-31\n"
        "a2,公交线路信息,线路,市交通局,交通出行,无条件开放,每日,2023-04-06,2020-01-02,csv,"
        "2020年1月,至今\n"
        "a3,停车场信息,停车,市交通局,交通出行,无条件开放,每日,2023-04-06,2020-01-02,csv,"
        "去年,今年\n"
        "a4,充电桩信息,充电,市交通局,交通出行,无条件开放,每日,2023-04-06,2020-01-02,csv,,\n",
        encoding="utf-8")
    out = tmp_path / "out"
    report = run(source, out)
    rows = by_title(out, report)
    assert rows["公交站点信息"]["temporal"] == {"start": date(2019, 1, 1),
                                           "end": date(2025, 12, 31)}
    assert rows["公交线路信息"]["temporal"] == {"start": date(2020, 1, 1)}
    assert "temporal" not in rows["停车场信息"] and "temporal" not in rows["充电桩信息"]
    assert rows["停车场信息"]["import_unmapped"]["temporal"] == "去年 ~ 今年"
    assert dict(report.unmapped["temporal"]) == {"去年 ~ 今年": 1}
    loaded, problems = load_all(out, report)
    assert loaded == 4
    assert not [key for key in problems if key[0].startswith("temporal")]
