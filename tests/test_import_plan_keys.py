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
