"""An import plan with a key written twice is refused, naming the line
(YAML would keep the last value silently; issue 13)."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_a_key_written_twice_in_a_plan_is_an_error_naming_the_line(tmp_path: Path) -> None:
    from builder.import_plan import read_plan
    from builder.import_sources import CatalogImportError

    plan = tmp_path / "plan.yaml"
    plan.write_text("columns:\n  开放类型: {field: open_type}\n  部门: {field: department}\n"
                    "  开放类型: {field: ignore}\n", encoding="utf-8")
    with pytest.raises(CatalogImportError, match=r"line 4: '开放类型' is written twice "
                                                 r"\(first on line 2\)"):
        read_plan(plan)
    plan.write_text("columns:\n  开放类型: {field: open_type}\n  部门: {field: department}\n",
                    encoding="utf-8")
    assert read_plan(plan).column_map == {"开放类型": "open_type", "部门": "department"}


def test_a_frequency_finer_than_a_day_gets_the_most_frequent_entry_suggested(
        tmp_path: Path) -> None:
    # 小时级 / 分钟级 match no name of the vocabulary (Zhejiang's catalogue):
    # the plan suggests the most frequent scheduled entry, and never applies it.
    import json

    import yaml

    from builder.importer import write_plan

    vocab = Path(__file__).resolve().parent.parent / "datasets" / "vocabularies.yaml"
    rows = [{"资源名称": f"监测数据{i}", "描述": "空气质量监测", "提供单位": "市生态环境局",
             "主题": "生态环境", "开放条件": "无条件开放",
             "更新频率": ["每月", "小时级", "分钟级", "每年"][i % 4], "更新时间": "2023-06-01"}
            for i in range(8)]
    source = tmp_path / "catalogue.json"
    source.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    plan = tmp_path / "plan.yaml"
    write_plan(source, plan, vocabularies=vocab)
    text = plan.read_text("utf-8")
    assert yaml.safe_load(text)["values"]["update_frequency"] == {"小时级": None, "分钟级": None}
    for raw in ("小时级", "分钟级"):
        line = next(x for x in text.splitlines() if x.strip().startswith(f'"{raw}"'))
        assert "suggested: realtime (实时" in line, line
