"""``portal import`` on what officers really have (issue 13): hostile
variants generated here — values that contradict their header, typos,
sources that are not quite JSON, GBK with title rows, Excel 97-2003 with
footnotes, format lists in every spelling — and the import plan."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from builder.importer import CatalogImportError, import_catalog, write_plan
from portal.cli import main
from tests.test_importer import DATA, by_title, load_all
from tests.test_real_catalogs import REAL

# The repository's sample vocabularies (the importer's default).
VOCAB = Path(__file__).resolve().parent.parent / "datasets" / "vocabularies.yaml"


def run(source: Path | str, out: Path, **kwargs: Any) -> Any:
    return import_catalog(DATA / source if isinstance(source, str) else source, out, **kwargs)

ROWS: list[dict[str, Any]] = [
    {"资源名称": "公交站点", "描述": "公交站点位置", "提供单位": "市交通运输局", "主题": "交通运输",
     "开放条件": "无条件开放", "更新频率": "每月", "数据格式": "['csv', 'json']",
     "更新时间": "2023/06/12 17:33:10"},
    {"资源名称": "医院名录", "描述": "医疗机构", "提供单位": "市卫生健康委", "主题": "卫生健康",
     "开放条件": "无条件开发", "更新频率": "不定期(更新说明:按需更新)", "数据格式": "[csv,json]",
     "更新时间": "2023-06-01"},
    {"资源名称": "企业信用", "描述": "企业信用评价", "提供单位": "市发展改革委", "主题": "信用服务",
     "开放条件": "安全开放", "更新频率": "每年", "数据格式": "csv、xlsx", "更新时间": "2023-05-02"},
    {"资源名称": "网站目录", "描述": "开放网站", "提供单位": "市大数据局", "主题": "暂无",
     "开放条件": "开放网站", "更新频率": "每年", "数据格式": "api", "更新时间": "2023-05-02"},
]


def _write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_a_column_named_open_conditions_holding_open_types_is_the_open_type(
        tmp_path: Path) -> None:
    source = _write(tmp_path / "catalogue.json", json.dumps(ROWS, ensure_ascii=False))
    report = run(source, tmp_path / "out")
    rows = by_title(tmp_path / "out", report)
    assert rows["公交站点"]["open_type"] == "unconditional"
    assert rows["医院名录"]["open_type"] == "unconditional"  # the typo 无条件开发
    assert rows["企业信用"]["open_type"] == "conditional"  # 安全开放: a sandbox
    assert rows["企业信用"]["provision"] == ["sandbox"]
    assert rows["网站目录"]["open_type"] == ""  # 开放网站 is not an open type
    assert report.unmapped["open_type"] == {"开放网站": 1}
    assert "open_conditions" not in rows["公交站点"]
    assert any("values win over headers" in w and "开放条件" in w for w in report.warnings)
    # Frequencies with a bracketed note, dates with slashes and a time, and
    # format lists in three spellings.
    assert rows["医院名录"]["update_frequency"] == "irregular"
    assert rows["公交站点"]["last_updated"] == date(2023, 6, 12)
    assert rows["公交站点"]["declared_formats"] == ["csv", "json"]
    assert rows["医院名录"]["declared_formats"] == ["csv", "json"]
    assert rows["企业信用"]["declared_formats"] == ["csv", "xlsx"]
    # A theme that says "none" is filed under 未分类, never guessed.
    assert rows["网站目录"]["theme"] == "unclassified"


def test_an_explicit_column_map_is_never_overruled_by_values(tmp_path: Path) -> None:
    source = _write(tmp_path / "catalogue.json", json.dumps(ROWS, ensure_ascii=False))
    report = run(source, tmp_path / "out", column_map={"开放条件": "open_conditions"},
                 default_open_type="conditional")
    rows = by_title(tmp_path / "out", report)
    assert rows["公交站点"]["open_type"] == "conditional"
    assert rows["公交站点"]["open_conditions"] == "无条件开放"


@pytest.mark.parametrize("joiner", ["", "\n", "\r\n"])
def test_json_objects_back_to_back_and_json_lines(tmp_path: Path, joiner: str) -> None:
    text = joiner.join(json.dumps(r, ensure_ascii=False) for r in ROWS)
    source = _write(tmp_path / "catalogue.json", text)
    report = run(source, tmp_path / "out")
    assert (report.rows, report.imported) == (4, 4)
    assert any("JSON values written one after another" in w for w in report.warnings)


def test_gbk_csv_with_title_rows_and_footnotes(tmp_path: Path) -> None:
    lines = ["某市政务数据开放目录,,,,,,,", ",,,,,,,", ",".join(ROWS[0])]
    lines += [",".join(f'"{v}"' for v in row.values()) for row in ROWS]
    lines += [",,,,,,,", "注：本目录由市大数据局汇总,,,,,,,"]
    source = _write(tmp_path / "catalogue.csv", "\r\n".join(lines).encode("gbk"))
    report = run(source, tmp_path / "out")
    assert (report.rows, report.imported) == (4, 4)
    assert any("GB18030/GBK" in w for w in report.warnings)
    assert any("row 3 was taken as the header" in w for w in report.warnings)
    assert any("a note, not a dataset" in w for w in report.warnings)
    assert by_title(tmp_path / "out", report)["医院名录"]["declared_formats"] == ["csv", "json"]


def test_excel_97_workbook_with_title_and_footnote_rows(tmp_path: Path) -> None:
    report = run("title-and-footnotes.xls", tmp_path)
    assert (report.rows, report.imported, report.skipped) == (3, 3, [])
    rows = by_title(tmp_path, report)
    assert rows["公交站点"]["open_type"] == "unconditional"
    assert rows["医院名录"]["open_type"] == "unconditional"  # 普遍开放
    assert rows["医院名录"]["declared_formats"] == ["xls", "api"]
    assert rows["医院名录"]["last_updated"] == date(2023, 6, 12)
    assert rows["公交站点"]["last_updated"] == date(2023, 6, 1)
    assert rows["企业信用"]["declared_formats"] == ["csv", "json"]
    # 数源单位 is no known header: recognised as the department by its values.
    assert rows["公交站点"]["department"] and "数源单位" not in rows["公交站点"].get(
        "import_extra", {})
    assert load_all(tmp_path, report)[0] == 3


@pytest.mark.parametrize("content, found", [
    (b"%PDF-1.4\n\x00\x01binary", "a PDF document"),
    (b"\x00\x01\x02\x03" * 50, "binary data"),
    (b"", "empty"),
    (b"{\"a\": [1, 2", "not valid JSON"),
])
def test_an_unreadable_file_gets_one_sentence(tmp_path: Path, content: bytes,
                                              found: str) -> None:
    source = _write(tmp_path / "catalogue.json", content)
    with pytest.raises(CatalogImportError) as caught:
        run(source, tmp_path / "out")
    message = str(caught.value)
    assert found in message and ("convert" in message or "export" in message
                                 or "save" in message or "empty" in message)
    assert "\n" not in message
    assert not (tmp_path / "out").exists()
    result = CliRunner().invoke(main, ["import", str(source), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1 and result.exception is None or \
        isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


def test_misnamed_xls_says_what_it_found(tmp_path: Path) -> None:
    source = _write(tmp_path / "catalogue.xls", b"%PDF-1.4 not a sheet")
    with pytest.raises(CatalogImportError, match="a PDF document.*save it as .xlsx"):
        run(source, tmp_path / "out")


def test_dates_the_source_never_had_are_marked_not_invented(tmp_path: Path) -> None:
    rows = [{k: v for k, v in row.items() if k != "更新时间"} for row in ROWS[:2]]
    source = _write(tmp_path / "catalogue.json", json.dumps(rows, ensure_ascii=False))
    report = run(source, tmp_path / "out")
    bus = by_title(tmp_path / "out", report)["公交站点"]
    assert bus["last_updated"] == "" and bus["published"] == ""
    assert bus["not_in_source"] == ["last_updated", "published"]
    loaded, problems = load_all(tmp_path / "out", report)
    assert loaded == 2
    assert problems == {("date-not-in-source", "last_updated"): 2,
                        ("date-not-in-source", "published"): 2}
    # A stated default fills it instead, and is kept as provenance.
    report = run(source, tmp_path / "out2", defaults={"all": {"last_updated": "2023-01-01"}})
    bus = by_title(tmp_path / "out2", report)["公交站点"]
    assert bus["last_updated"] == date(2023, 1, 1) and "last_updated" in bus["import_defaults"]
    assert bus["not_in_source"] == ["published"]


# --- the plan ---------------------------------------------------------------------

def test_write_plan_imports_nothing_and_an_edited_plan_imports(tmp_path: Path) -> None:
    source = _write(tmp_path / "catalogue.json", json.dumps(ROWS, ensure_ascii=False))
    plan = tmp_path / "plan.yaml"
    write_plan(source, plan, vocabularies=VOCAB)
    assert not (tmp_path / "out").exists()
    data = yaml.safe_load(plan.read_text("utf-8"))
    assert data["columns"]["开放条件"]["field"] == "open_type"
    assert "values win" in data["columns"]["开放条件"]["chosen_by"]
    assert data["columns"]["开放条件"]["samples"][0] in {"无条件开放", "无条件开发", "安全开放",
                                                       "开放网站"}
    assert data["values"]["open_type"] == {"开放网站": None}  # listed, never guessed
    assert data["defaults"]["conditional"] == {"legal_basis": None, "open_conditions": None,
                                               "published": None}
    # The officer edits three lines.
    text = plan.read_text("utf-8").replace('"开放网站": null', '"开放网站": unconditional')
    text = text.replace("    legal_basis: null", "    legal_basis: 《某市公共数据条例》第二十条")
    text = text.replace("    open_conditions: null", "    open_conditions: 经审核同意后开放")
    plan.write_text(text, encoding="utf-8")
    first = import_catalog(source, tmp_path / "a", plan=plan, vocabularies=VOCAB)
    second = import_catalog(source, tmp_path / "b", plan=plan, vocabularies=VOCAB)
    assert second.identifiers == first.identifiers
    assert first.unmapped == {}
    assert load_all(tmp_path / "a", first) == (4, {("date-not-in-source", "published"): 4})
    credit = by_title(tmp_path / "a", first)["企业信用"]
    assert credit["legal_basis"] == "《某市公共数据条例》第二十条"
    assert credit["import_defaults"] == ["open_conditions", "legal_basis"]
    for ident in first.identifiers:  # deterministic
        assert (tmp_path / "a" / ident / "datapackage.yaml").read_bytes() == \
            (tmp_path / "b" / ident / "datapackage.yaml").read_bytes()


def test_cli_write_plan_and_plan(tmp_path: Path) -> None:
    source = _write(tmp_path / "catalogue.json", json.dumps(ROWS, ensure_ascii=False))
    plan = tmp_path / "plan.yaml"
    runner = CliRunner()
    result = runner.invoke(main, ["import", str(source), "--write-plan", str(plan),
                                  "--vocabularies", str(VOCAB)])
    assert result.exit_code == 0, result.output
    assert "nothing imported" in result.output and plan.is_file()
    result = runner.invoke(main, ["import", str(source), "--plan", str(plan), "--out",
                                  str(tmp_path / "out"), "--vocabularies", str(VOCAB)])
    assert result.exit_code == 0, result.output
    assert "Imported 4 of 4 rows" in result.output
    result = runner.invoke(main, ["import", str(source)])
    assert result.exit_code == 2 and "--write-plan" in result.output
    plan.write_text("columns: [1, 2]\n", encoding="utf-8")
    result = runner.invoke(main, ["import", str(source), "--plan", str(plan), "--out",
                                  str(tmp_path / "out2")])
    assert result.exit_code == 1 and "columns: expected" in result.output
    assert "Traceback" not in result.output


def test_sample_fixtures_still_import(tmp_path: Path) -> None:
    assert (DATA / "gbk.csv").is_file()
    report = run("gbk.csv", tmp_path)
    assert report.imported >= 1


@pytest.mark.parametrize("wrap", [
    lambda recs: json.dumps([{"id": i, "meta": r} for i, r in enumerate(recs)], ensure_ascii=False),
    lambda recs: json.dumps(recs, ensure_ascii=False),
])
def test_records_packed_into_one_string(tmp_path: Path, wrap: Any) -> None:
    packed = [f"资源名称\t{r['资源名称']}#资源摘要\t{r['描述']}#资源分类\t{r['主题']}#"
              f"开放类型\t{r['开放条件']}#数源单位\t{r['提供单位']}#更新周期\t{r['更新频率']}"
              for r in ROWS]
    source = _write(tmp_path / "catalogue.json", wrap(packed))
    report = run(source, tmp_path / "out")
    assert (report.rows, report.imported) == (4, 4)
    rows = by_title(tmp_path / "out", report)
    assert rows["公交站点"]["open_type"] == "unconditional"
    assert rows["公交站点"]["update_frequency"] == "monthly"
    assert any("packs each record" in w for w in report.warnings)


def test_the_import_summary_and_check_agree_on_errors(tmp_path: Path) -> None:
    from builder.check import run_check

    source = _write(tmp_path / "catalogue.json", json.dumps(ROWS, ensure_ascii=False))
    report = run(source, tmp_path / "out")
    check = run_check(tmp_path / "out", date.today(), validate=False)
    assert report.with_errors == check.datasets_with_errors == 2  # 网站目录, 企业信用
    assert report.errors_by_code == {
        "field-missing": 1, "legal-basis-missing": 1, "open-conditions-missing": 1}
    assert check.folders == 4
    assert "portal check will find errors in 2 of 4 datasets" in report.summary()


# --- more of what platforms export (found trying unseen inputs, session 7) ----

def test_an_excel_export_that_is_a_web_page_is_read_as_its_table(tmp_path: Path) -> None:
    """Many platforms' "Excel" exports are HTML tables named .xls, in GBK,
    with a title row spanning the table."""
    rows = "".join(f"<tr><td>第{i}号站点</td><td>无条件开放</td><td>市交通运输局</td>"
                   f"<td>2023-06-0{i}</td></tr>" for i in range(1, 4))
    page = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
            '</head><body><table><tr><td colspan="4">某市数据开放目录</td></tr>'
            "<tr><th>资源名称</th><th>开放属性</th><th>数据提供方</th><th>更新日期</th></tr>"
            f"{rows}</table></body></html>")
    source = _write(tmp_path / "目录.xls", page.encode("gbk"))
    report = run(source, tmp_path / "out")
    assert report.imported == 3
    assert any("web page holding a table" in w for w in report.warnings)
    row = by_title(tmp_path / "out", report)["第2号站点"]
    assert row["open_type"] == "unconditional" and str(row["last_updated"]) == "2023-06-02"


def test_a_lone_surrogate_escape_is_replaced_not_a_traceback(tmp_path: Path) -> None:
    source = _write(tmp_path / "c.json",
                    '[{"资源名称": "公交\\ud800站点", "开放属性": "无条件开放"},'
                    ' {"资源名称": "医院\\ud83d\\ude00名录", "开放属性": "无条件开放"}]')
    report = run(source, tmp_path / "out")
    titles = set(by_title(tmp_path / "out", report))
    assert titles == {"公交\ufffd站点", "医院\U0001f600名录"}  # a whole pair is kept
    assert any("lone surrogate" in w for w in report.warnings)


def test_json_nested_too_deep_is_one_sentence(tmp_path: Path) -> None:
    source = _write(tmp_path / "deep.json", "[" * 100_000 + "]" * 100_000)
    with pytest.raises(CatalogImportError, match="nested too deeply.*CSV"):
        run(source, tmp_path / "out")


def test_a_pdf_named_xlsx_says_what_it_is(tmp_path: Path) -> None:
    source = _write(tmp_path / "目录.xlsx", b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\n")
    with pytest.raises(CatalogImportError, match="not an Excel workbook \\(a PDF document\\).*"
                                                 "save it as .xlsx"):
        run(source, tmp_path / "out")


def _odd(value: str, k: int) -> str:
    """``value`` as a hand-edited spreadsheet may hold it (by row ``k``)."""
    full_width = str.maketrans("0123456789-", "０１２３４５６７８９－")
    return [f"\u3000{value}\u200b", value.translate(full_width),
            value.replace("开放", "开\u200d放"), f"\ufeff{value}"][k % 4]


def test_odd_unicode_in_a_real_catalogue_imports_like_the_original(tmp_path: Path) -> None:
    """Ideographic spaces, zero-width characters, a byte-order mark and
    full-width digits and dashes in the cells of a real catalogue: the same
    departments, dates and open types as the clean original (a zero-width
    space after a department's name made it a second department; a
    full-width date was not a date)."""
    source = REAL / "guizhou_qianxinan.json"
    rows = json.loads(source.read_text(encoding="utf-8"))
    odd = [{key: _odd(value, k) if isinstance(value, str) and value else value
            for key, value in row.items()} for k, row in enumerate(rows)]
    (tmp_path / "odd.json").write_text(json.dumps(odd, ensure_ascii=False), encoding="utf-8")
    clean = run(source, tmp_path / "clean")
    dirty = run(tmp_path / "odd.json", tmp_path / "dirty")
    assert dirty.new_departments == clean.new_departments  # 38, not 61
    # No "not a date" rows, the same counts (the last names the output folder).
    assert dirty.warnings[:-1] == clean.warnings[:-1] and len(dirty.warnings) == len(clean.warnings)
    assert (dirty.imported, dirty.errors_by_code) == (clean.imported, clean.errors_by_code)
