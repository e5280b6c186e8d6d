"""``portal import``: builder.importer and the ``portal import`` command on
tiny edge-case fixtures. The two real catalogues are tests/test_real_catalogs.py."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from builder.import_columns import parse_contact, parse_map_options, plan_columns
from builder.import_dates import parse_date
from builder.importer import CatalogImportError, ImportReport, import_catalog, read_column_map
from domain.catalogue.catalog import load_catalog
from domain.catalogue.descriptor import dataset_from_descriptor

DATA = Path(__file__).parent / "data" / "import"
VOCAB = DATA / "vocabularies.yaml"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def run(source: Path | str, out: Path, **kwargs: Any) -> ImportReport:
    kwargs.setdefault("vocabularies", VOCAB)
    return import_catalog(DATA / source if isinstance(source, str) else source, out, **kwargs)


def descriptor(out: Path, ident: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.load((out / ident / "datapackage.yaml").read_text("utf-8"),
                                     Loader=_LOADER)
    return data


def by_title(out: Path, report: ImportReport) -> dict[str, dict[str, Any]]:
    return {d["title"]: d for d in (descriptor(out, i) for i in report.identifiers)}


def load_all(out: Path, report: ImportReport) -> tuple[int, Counter[tuple[str, str]]]:
    """(datasets that load, problems by (code, field)) for every written descriptor."""
    loaded, problems = 0, Counter[tuple[str, str]]()
    for ident in report.identifiers:
        found: list[Any] = []
        if dataset_from_descriptor(descriptor(out, ident), ident, out / ident, found):
            loaded += 1
        problems.update((p.code, p.field) for p in found)
    return loaded, problems


# --- encodings and formats -------------------------------------------------------

def test_utf8_bom_csv(tmp_path: Path) -> None:
    report = run("utf8-bom.csv", tmp_path)
    assert (report.imported, report.skipped, report.unmapped) == (2, [], {})
    assert any("UTF-8 with BOM" in w for w in report.warnings)
    rows = by_title(tmp_path, report)
    bus = rows["公交站点信息"]
    assert bus["name"] == "jtj-0001"
    assert (bus["department"], bus["theme"], bus["update_frequency"], bus["open_type"]) == \
        ("jtj", "transport", "daily", "unconditional")
    assert (bus["last_updated"], bus["published"]) == (date(2023, 4, 6), date(2020, 1, 2))
    assert bus["declared_formats"] == ["csv", "xlsx"]
    assert bus["keywords"] == ["交通", "公交"]
    assert bus["contact"] == {"phone": "0990-12345601", "email": "jtj@example.gov.cn"}
    assert bus["resources"] == []
    census = rows["户籍人口统计"]
    assert census["department"] == "gaj"  # matched through short_name 市公安局
    assert census["open_type"] == "conditional"
    # Conditional rows keep empty slots for check to flag; nothing is invented.
    assert census["legal_basis"] == "" and census["open_conditions"] == ""
    assert census["last_updated"] == date(2023, 4, 6)


def test_gbk_csv(tmp_path: Path) -> None:
    report = run("gbk.csv", tmp_path)
    assert report.imported == 2
    assert any("GB18030" in w for w in report.warnings)
    assert "公交站点信息（GBK）" in by_title(tmp_path, report)


def test_catalog_xlsx_header_on_first_non_empty_row(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([])
    sheet.append(["数据集名称", "数据提供方", "开放属性", "更新频度", "数据领域", "更新日期",
                  "首次发布日期", "格式"])
    sheet.append(["公交线路", "测试市交通运输局", "无条件开放", "每日", "交通出行",
                  datetime(2023, 4, 6, 9, 30), date(2020, 1, 2), "csv"])
    book.create_sheet("说明").append(["不读这一页"])
    book.save(tmp_path / "catalog.xlsx")
    report = run(tmp_path / "catalog.xlsx", tmp_path / "out")
    assert report.imported == 1
    assert any("the sheet Sheet was read" in w and "not read: 说明" in w for w in report.warnings)
    row = descriptor(tmp_path / "out", "jtj-0001")
    assert (row["last_updated"], row["published"]) == (date(2023, 4, 6), date(2020, 1, 2))
    assert "description" in row and row["description"] == "公交线路"


def test_excel_serial_dates_xlsx(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["标题", "数据提供方", "开放属性", "更新频率", "主题", "更新时间", "发布时间"])
    book.active.append(["序列号日期", "测试市公安局", "无条件开放", "每年", "公共安全", 45022, 45022.5])
    book.save(tmp_path / "excel-serial-dates.xlsx")
    report = run(tmp_path / "excel-serial-dates.xlsx", tmp_path / "out")
    row = descriptor(tmp_path / "out", report.identifiers[0])
    assert (row["last_updated"], row["published"]) == (date(2023, 4, 6), date(2023, 4, 6))


def test_json_list_under_data_key_and_duplicate_titles(tmp_path: Path) -> None:
    report = run("duplicate-titles.json", tmp_path)
    assert report.imported == 3
    assert report.identifiers == ["d001-0001", "d001-0002", "d002-0001"]
    assert report.new_departments == ["贵阳市公安局", "清镇市文化局"]
    first, second = descriptor(tmp_path, "d001-0001"), descriptor(tmp_path, "d001-0002")
    assert first["title"] == second["title"] == "印章承刻企业信息"
    # "" and the placeholder 无 are no description: the title stands in, counted.
    assert first["description"] == second["description"] == "印章承刻企业信息"
    assert any(w.startswith("2 rows have no description") for w in report.warnings)
    assert first["declared_formats"] == []
    assert second["declared_formats"] == ["wp", "mpj", "xls"]


@pytest.mark.parametrize("raw, expected", [
    ("2023-04-06", date(2023, 4, 6)),
    ("2023/4/6", date(2023, 4, 6)),
    ("2023年4月6日", date(2023, 4, 6)),
    ("2023 年 4 月 6 日", date(2023, 4, 6)),
    ("2023-04-06 12:00:00", date(2023, 4, 6)),
    ("2023.4.6", date(2023, 4, 6)),
    ("20230406", date(2023, 4, 6)),
    ("45022", date(2023, 4, 6)),
    (45022, date(2023, 4, 6)),
    (45022.75, date(2023, 4, 6)),
    (datetime(2023, 4, 6, 8), date(2023, 4, 6)),
    ("2023年", None),
    ("2023-02-30", None),
    ("next week", None),
    (7, None),
])
def test_parse_date(raw: Any, expected: date | None) -> None:
    assert parse_date(raw) == expected


def test_date_spellings_csv(tmp_path: Path) -> None:
    report = run("date-spellings.csv", tmp_path)
    rows = by_title(tmp_path, report)
    for title in ("斜杠日期", "中文日期", "带时间", "序列号"):
        assert rows[title]["last_updated"] == rows[title]["published"] == date(2023, 4, 6)
    bad = rows["不是日期"]
    assert (bad["last_updated"], bad["published"]) == ("", "")
    assert bad["import_unmapped"] == {"last_updated": "2023年"}
    assert report.unmapped == {"last_updated": Counter({"2023年": 1})}
    assert any("1 rows have no published" in w and "row 6" in w for w in report.warnings)


# --- vocabularies and value maps --------------------------------------------------

def test_placeholder_theme_is_unclassified_and_unknown_frequency_reported(
        tmp_path: Path) -> None:
    # Issue 13 changed this: a row whose theme says "none" (默认主题, 无, empty)
    # is filed under 未分类 (added to the vocabularies), not left empty; an
    # unknown value is still reported and left empty.
    report = run("unknown-theme.csv", tmp_path)
    assert report.imported == 3
    assert report.unmapped == {"update_frequency": Counter({"每两年": 1})}
    rows = by_title(tmp_path, report)
    assert rows["道路清单"]["theme"] == "unclassified"
    assert "import_unmapped" not in rows["道路清单"]
    assert rows["桥梁清单"]["import_unmapped"] == {"update_frequency": "每两年"}
    assert rows["停车场"]["theme"] == "urban"  # alias 城建住房
    assert rows["停车场"]["open_type"] == "conditional"  # 依申请开放
    vocab = yaml.safe_load((tmp_path / "vocabularies.yaml").read_text("utf-8"))
    assert {"code": "unclassified", "name": "未分类"} in vocab["themes"]
    loaded, problems = load_all(tmp_path, report)
    assert loaded == 2
    assert problems == Counter({("field-missing", "update_frequency"): 1})
    summary = report.summary()
    assert "2 rows give no theme" in summary and "每两年" in summary


def test_value_map_resolves_what_did_not_map(tmp_path: Path) -> None:
    report = run("unknown-theme.csv", tmp_path, value_map=DATA / "value-map.yaml")
    assert report.unmapped == {}
    assert {d["theme"] for d in by_title(tmp_path, report).values()} == {"urban"}
    assert load_all(tmp_path, report) == (3, Counter())


def test_value_map_department_avoids_a_new_department(tmp_path: Path) -> None:
    report = run("duplicate-titles.json", tmp_path, value_map=DATA / "value-map.yaml")
    assert report.new_departments == ["贵阳市公安局"]
    assert descriptor(tmp_path, "gaj-0001")["title"] == "网吧分布信息"


def test_value_map_with_unknown_code_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CatalogImportError, match="'nowhere'"):
        run("unknown-theme.csv", tmp_path, value_map={"theme": {"默认主题": "nowhere"}})
    assert not tmp_path.joinpath("vocabularies.yaml").exists()  # nothing written


def test_new_departments_are_appended_and_comments_kept(tmp_path: Path) -> None:
    run("duplicate-titles.json", tmp_path)
    text = (tmp_path / "vocabularies.yaml").read_text("utf-8")
    assert "# Small vocabularies for the importer tests" in text and "# Themes" in text
    assert "{code: d001, name: 贵阳市公安局}" in text
    assert (tmp_path / "portal.yaml").read_text("utf-8") == (DATA / "portal.yaml").read_text("utf-8")
    # A second import into the same catalogue reuses the codes and numbers on.
    (tmp_path / "more.json").write_text(json.dumps([
        {"标题": "新数据", "数据提供方": "清镇市文化局"},
        {"标题": "更新的数据", "数据提供方": "开阳县教育局"},
    ], ensure_ascii=False), "utf-8")
    report = run(tmp_path / "more.json", tmp_path, vocabularies=None)
    assert report.new_departments == ["开阳县教育局"]
    assert report.department_codes == {"开阳县教育局": "d003"}
    assert report.identifiers == ["d003-0001"]
    # Generated ids restart per department, so the first file's d002-0001 is
    # not replaced by the second file's row: it is skipped, and said so.
    assert report.skipped == [(1, "dataset folder d002-0001/ already exists; "
                                  "import with overwrite to replace it")]
    catalog, _ = load_catalog(tmp_path)
    assert catalog.vocab.departments.codes() == ["gaj", "jtj", "d001", "d002", "d003"]


def test_vocabularies_without_a_department_list_are_rewritten(tmp_path: Path) -> None:
    (tmp_path / "vocabularies.yaml").write_text("# flow style\ndepartments: []\nthemes: []\n", "utf-8")
    report = run("duplicate-titles.json", tmp_path / "out", vocabularies=tmp_path / "vocabularies.yaml")
    assert any("rewritten in full" in w for w in report.warnings)
    data = yaml.safe_load((tmp_path / "out" / "vocabularies.yaml").read_text("utf-8"))
    # The theme the rows name (公共安全) is added too, as a new theme (issue 13).
    assert data == {"departments": [{"code": "d001", "name": "贵阳市公安局"},
                                    {"code": "d002", "name": "清镇市文化局"}],
                    "themes": [{"code": "t001", "name": "公共安全"}]}


def test_missing_open_type_uses_the_default_only_when_given(tmp_path: Path) -> None:
    report = run("title-line-above-header.csv", tmp_path / "a")
    rows = by_title(tmp_path / "a", report)
    assert rows["无名数据"]["open_type"] == ""
    report = run("title-line-above-header.csv", tmp_path / "b", default_open_type="conditional")
    rows = by_title(tmp_path / "b", report)
    assert rows["无名数据"]["open_type"] == "conditional"
    assert rows["路灯信息"]["open_type"] == "not_open"
    assert any("set to the default conditional" in w for w in report.warnings)


def test_unknown_open_type_is_never_defaulted(tmp_path: Path) -> None:
    (tmp_path / "open-type.csv").write_text("标题,开放属性\n甲,部分开放\n乙,部分开放\n", "utf-8")
    report = run(tmp_path / "open-type.csv", tmp_path / "out", default_open_type="unconditional")
    assert report.unmapped == {"open_type": Counter({"部分开放": 2})}
    assert report.open_types == Counter({"": 2})
    row = descriptor(tmp_path / "out", report.identifiers[0])
    assert (row["open_type"], row["import_unmapped"]) == ("", {"open_type": "部分开放"})


# --- columns -------------------------------------------------------------------

def test_title_line_above_header_and_unknown_columns(tmp_path: Path) -> None:
    report = run("title-line-above-header.csv", tmp_path)
    assert any("row 3 was taken as the header" in w for w in report.warnings)
    assert any("备注, 行业" in w for w in report.warnings)
    assert report.skipped == [(8, "no title in column '数据集名称'")]
    assert report.imported == 2
    rows = by_title(tmp_path, report)
    assert rows["路灯信息"]["import_extra"] == {"备注": "内部", "行业": "公共管理"}
    assert rows["无名数据"]["department"] == "" and rows["无名数据"]["name"] == "dataset-0001"
    assert any("1 rows have no department" in w for w in report.warnings)


def test_english_columns_and_column_map(tmp_path: Path) -> None:
    report = run("english-columns.csv", tmp_path,
                 column_map=parse_map_options(["Owner Note=usage_requirements"]))
    row = descriptor(tmp_path, report.identifiers[0])
    assert (row["title"], row["department"], row["theme"], row["update_frequency"]) == \
        ("Bus stops", "jtj", "transport", "daily")
    assert row["declared_formats"] == ["csv", "json"] and row["keywords"] == ["bus", "transit"]
    assert row["contact"] == {"name": "office", "phone": "12345"}
    assert row["source_url"] == "https://example.org/1"
    assert row["usage_requirements"] == "kept" and "import_extra" not in row


def test_column_map_from_a_yaml_file(tmp_path: Path) -> None:
    (tmp_path / "columns.yaml").write_text("国家主题分类: theme\n数据领域: ignore\n", "utf-8")
    assert read_column_map(tmp_path / "columns.yaml") == {"国家主题分类": "theme", "数据领域": "ignore"}
    (tmp_path / "bad.yaml").write_text("- 国家主题分类\n", "utf-8")
    with pytest.raises(CatalogImportError, match="COLUMN: FIELD"):
        read_column_map(tmp_path / "bad.yaml")


def test_column_map_wins_over_the_built_in_names() -> None:
    plan = plan_columns(["数据领域", "国家主题分类", "所属行业"],
                        {"国家主题分类": "theme", "所属行业": "ignore"})
    assert plan.fields == {"theme": ["国家主题分类"]}
    assert plan.extra == ["数据领域"]
    with pytest.raises(ValueError, match="unknown import field"):
        plan_columns(["标题"], {"标题": "headline"})
    with pytest.raises(ValueError, match="COLUMN=FIELD"):
        parse_map_options(["标题"])


def test_contact_parsing() -> None:
    assert parse_contact(["电话：0851-86881234 邮箱：open@gy.gov.cn"]) == \
        {"phone": "0851-86881234", "email": "open@gy.gov.cn"}
    assert parse_contact(["13800000000", ""]) == {"phone": "13800000000"}
    assert parse_contact(["无"]) == {}


def test_source_without_title_column_is_refused(tmp_path: Path) -> None:
    (tmp_path / "no-title.csv").write_text("部门,开放属性\n测试市公安局,开放\n", "utf-8")
    with pytest.raises(CatalogImportError, match="--map COLUMN=title"):
        run(tmp_path / "no-title.csv", tmp_path / "out")


def test_broken_xls_is_refused_with_advice(tmp_path: Path) -> None:
    # Issue 13: .xls workbooks are read now (tests/test_import_real_world.py);
    # a file that only starts like one is refused with advice.
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(CatalogImportError, match=r"save it as \.xlsx"):
        run(tmp_path / "old.xls", tmp_path / "out")


# --- identifiers and writing --------------------------------------------------------

def test_source_identifiers(tmp_path: Path) -> None:
    out = tmp_path / "catalog"
    report = run("source-identifiers.csv", out)
    assert report.identifiers == ["ad4002012016", "gaj-0001", "ad4002012016-2", "gaj-0002",
                                  "gaj-0003"]
    assert [descriptor(out, i)["title"] for i in report.identifiers] == ["甲", "乙", "丙", "丁", "戊"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalog"]  # nothing escaped
    assert any("2 source identifiers are not URL-safe" in w for w in report.warnings)
    assert any("1 source identifiers repeat" in w for w in report.warnings)


def test_identifiers_are_stable(tmp_path: Path) -> None:
    first = run("duplicate-titles.json", tmp_path / "a")
    second = run("duplicate-titles.json", tmp_path / "b")
    assert first.identifiers == second.identifiers
    for ident in first.identifiers:
        assert (tmp_path / "a" / ident / "datapackage.yaml").read_bytes() == \
            (tmp_path / "b" / ident / "datapackage.yaml").read_bytes()


def test_existing_dataset_folders_are_not_overwritten(tmp_path: Path) -> None:
    run("utf8-bom.csv", tmp_path)
    marker = tmp_path / "jtj-0001" / "datapackage.yaml"
    marker.write_text("edited by hand", "utf-8")
    again = run("utf8-bom.csv", tmp_path)
    assert again.imported == 0 and len(again.skipped) == 2
    assert "already exists" in again.skipped[0][1]
    assert marker.read_text("utf-8") == "edited by hand"
    forced = run("utf8-bom.csv", tmp_path, overwrite=True)
    assert forced.imported == 2 and "edited" not in marker.read_text("utf-8")


def test_written_catalogue_loads(tmp_path: Path) -> None:
    run("utf8-bom.csv", tmp_path)
    catalog, problems = load_catalog(tmp_path)
    assert problems == []
    assert sorted(d.identifier for d in catalog.datasets) == ["gaj-0001", "jtj-0001"]
    bus = catalog.by_id()["jtj-0001"]
    assert bus.declared_formats == ("csv", "xlsx")
    assert bus.formats == ("csv", "xlsx") and not bus.has_data_files
    assert "declared_formats" not in bus.extra
    assert bus.contact.email == "jtj@example.gov.cn"


# --- operator defaults ----------------------------------------------------------------

def test_defaults_fill_only_what_rows_lack(tmp_path: Path) -> None:
    report = run("utf8-bom.csv", tmp_path, defaults=DATA / "defaults.yaml")
    rows = by_title(tmp_path, report)
    census, bus = rows["户籍人口统计"], rows["公交站点信息"]
    assert census["legal_basis"] == "《测试市公共数据开放暂行办法》第十条"
    assert census["open_conditions"].startswith("经申请")
    # The open type's own default wins over the one under `all`.
    assert census["usage_requirements"] == "仅限申请用途使用"
    assert bus["usage_requirements"] == "使用时请注明数据来源"
    # Names and aliases are written as codes.
    assert (census["level"], census["region"]) == ("L1", "990100")
    # The bus row has a contact of its own: kept; the census row has none.
    assert bus["contact"] == {"phone": "0990-12345601", "email": "jtj@example.gov.cn"}
    assert census["contact"] == {"name": "测试市大数据局数据开放科", "email": "open@example.gov.cn"}
    assert census["licenses"] == [{"name": "test-terms",
                                   "title": "测试市公共数据开放平台开放数据使用协议"}]
    # Each descriptor says which of its values are the operator's.
    assert census["import_defaults"] == ["region", "open_conditions", "legal_basis", "level",
                                         "usage_requirements", "contact", "licenses"]
    assert bus["import_defaults"] == ["region", "level", "usage_requirements", "licenses"]
    assert report.defaults_applied == {
        "conditional.legal_basis": 1, "conditional.open_conditions": 1,
        "conditional.usage_requirements": 1, "all.level": 2, "all.region": 2,
        "all.usage_requirements": 1, "all.contact": 1, "all.licenses": 2}
    summary = report.summary()
    assert "conditional.legal_basis: 1 rows" in summary and "all.level: 2 rows" in summary
    catalog, problems = load_catalog(tmp_path)
    assert problems == []
    assert catalog.by_id()["gaj-0001"].licence == "测试市公共数据开放平台开放数据使用协议"


def test_defaults_never_replace_a_value_and_report_unused_ones(tmp_path: Path) -> None:
    (tmp_path / "basis.csv").write_text(
        "标题,开放属性,法律依据\n甲,有条件开放,《甲法》第三条\n乙,有条件开放,\n丙,无条件开放,\n", "utf-8")
    report = run(tmp_path / "basis.csv", tmp_path / "out",
                 defaults={"conditional": {"legal_basis": "《默认法》"},
                           "not_open": {"legal_basis": "《不予开放依据》"}})
    rows = by_title(tmp_path / "out", report)
    assert [rows[t].get("legal_basis") for t in "甲乙丙"] == ["《甲法》第三条", "《默认法》", None]
    assert "import_defaults" not in rows["甲"] and rows["乙"]["import_defaults"] == ["legal_basis"]
    assert report.defaults_applied == {"conditional.legal_basis": 1, "not_open.legal_basis": 0}
    assert "not_open.legal_basis: 0 rows" in report.summary()


def test_defaults_apply_after_the_default_open_type(tmp_path: Path) -> None:
    report = run("title-line-above-header.csv", tmp_path, default_open_type="conditional",
                 defaults={"有条件开放": {"open_conditions": "经审核后开放"}})
    assert by_title(tmp_path, report)["无名数据"]["open_conditions"] == "经审核后开放"


@pytest.mark.parametrize("defaults, message", [
    ({"partly_open": {"level": "L1"}},
     "'partly_open' is not an open type (unconditional, conditional, not_open) or 'all'"),
    ({"all": {"title": "x"}}, "all.title: not a field defaults may set (use legal_basis"),
    ({"all": {"theme": "nowhere"}}, "all.theme: 'nowhere' is not a code, name or alias"),
    ({"all": {"last_updated": "soon"}}, "all.last_updated: 'soon' is not a date"),
    ({"all": {"level": "L9"}}, "all.level: 'L9' is not a code, name or alias of the catalogue's "
                               "levels (L1)"),
    ({"unconditional": {"open_conditions": "x"}}, "put them under 'conditional'"),
    ({"conditional": {"legal_basis": ["a", "b"]}}, "conditional.legal_basis: write the text"),
    ({"all": {"contact": {"mobile": "13800000000"}}}, "all.contact: write a mapping of name"),
    ({"all": {"licenses": [{"url": "x"}]}}, "all.licenses: write a list of licences"),
    ({"conditional": {}, "有条件开放": {}}, "'有条件开放' is stated twice"),
    ({"all": "L1"}, "all: expected FIELD: VALUE lines under it"),
])
def test_bad_defaults_are_refused_before_anything_is_written(
        tmp_path: Path, defaults: Any, message: str) -> None:
    with pytest.raises(CatalogImportError, match="^defaults: ") as caught:
        run("utf8-bom.csv", tmp_path / "out", defaults=defaults)
    assert message in str(caught.value)
    assert not (tmp_path / "out").exists()


def test_every_problem_of_a_defaults_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "defaults.yaml").write_text("all:\n  levle: L1\nconditonal:\n  legal_basis: x\n",
                                            "utf-8")
    with pytest.raises(CatalogImportError) as caught:
        run("utf8-bom.csv", tmp_path / "out", defaults=tmp_path / "defaults.yaml")
    text = str(caught.value)
    assert text.startswith(str(tmp_path / "defaults.yaml"))
    assert "all.levle" in text and "'conditonal' is not an open type" in text
    (tmp_path / "defaults.yaml").write_text("- all\n", "utf-8")
    with pytest.raises(CatalogImportError, match="expected a mapping such as 'conditional: "):
        run("utf8-bom.csv", tmp_path / "out", defaults=tmp_path / "defaults.yaml")
    (tmp_path / "defaults.yaml").write_text("# nothing stated yet\n", "utf-8")
    assert run("utf8-bom.csv", tmp_path / "out", defaults=tmp_path / "defaults.yaml") \
        .defaults_applied == {}


# --- warnings about the source -----------------------------------------------------------

def test_unconditional_rows_without_a_machine_readable_format_are_counted(tmp_path: Path) -> None:
    (tmp_path / "formats.json").write_text(json.dumps([
        {"标题": "甲", "开放属性": "无条件开放", "数据格式": ["csv"], "详情页网址": "https://x/1"},
        {"标题": "乙", "开放属性": "无条件开放", "数据格式": [], "详情页网址": "https://x/1"},
        {"标题": "丙", "开放属性": "无条件开放", "数据格式": ["doc"], "详情页网址": "https://x/1"},
        {"标题": "丁", "开放属性": "有条件开放", "数据格式": None, "详情页网址": "https://x/2"},
    ], ensure_ascii=False), "utf-8")
    report = run(tmp_path / "formats.json", tmp_path / "out")
    assert any(w.startswith("2 unconditional rows declare no machine-readable format")
               and "rows 2, 3" in w for w in report.warnings)
    assert any(w.startswith("3 rows give a source URL that other rows give too (1 such URLs; "
                            "3 rows give https://x/1)") for w in report.warnings)
    assert descriptor(tmp_path / "out", report.identifiers[2])["declared_formats"] == ["doc"]


# --- the portal import command -------------------------------------------------------------

def invoke(*args: str | Path) -> Any:
    from click.testing import CliRunner

    from portal.cli import main

    return CliRunner().invoke(main, ["import", *(str(a) for a in args)])


def test_cli_import_with_map_file_map_defaults_and_default_open_type(tmp_path: Path) -> None:
    out = tmp_path / "catalog"
    result = invoke(DATA / "english-columns.csv", "--out", out, "--vocabularies", VOCAB,
                    "--map-file", DATA / "columns.yaml", "--map", "Tags=ignore",
                    "--defaults", DATA / "defaults.yaml", "--default-open-type", "conditional")
    assert result.exit_code == 0, result.output
    assert "Imported 1 of 1 rows from english-columns.csv" in result.output
    assert "all.level: 1 rows" in result.output
    row = descriptor(out, "jtj-0001")
    assert row["usage_requirements"] == "kept"  # from the map file
    assert "keywords" not in row  # --map Tags=ignore wins over the file's Tags: keywords
    assert row["level"] == "L1"


def test_cli_default_open_type_fills_empty_open_types(tmp_path: Path) -> None:
    result = invoke(DATA / "title-line-above-header.csv", "--out", tmp_path, "--vocabularies",
                    VOCAB, "--default-open-type", "conditional")
    assert result.exit_code == 0, result.output
    assert "set to the default conditional" in result.output
    assert result.output.count("row 8: no title") == 1  # skipped rows are listed, exit 0


def test_cli_bad_defaults_say_what_to_fix(tmp_path: Path) -> None:
    (tmp_path / "defaults.yaml").write_text("everything:\n  level: L1\n", "utf-8")
    result = invoke(DATA / "utf8-bom.csv", "--out", tmp_path / "out", "--vocabularies", VOCAB,
                    "--defaults", tmp_path / "defaults.yaml")
    assert result.exit_code == 1
    assert "Error: " in result.output and "'everything' is not an open type" in result.output
    assert "nothing was written" in result.output
    assert not (tmp_path / "out").exists()


def test_cli_bad_map_option(tmp_path: Path) -> None:
    result = invoke(DATA / "utf8-bom.csv", "--out", tmp_path, "--map", "数据提供方")
    assert result.exit_code == 2 and "write COLUMN=FIELD" in result.output
    result = invoke(DATA / "utf8-bom.csv", "--out", tmp_path, "--map", "数据提供方=owner")
    assert result.exit_code == 1 and "unknown import field(s) in the column map: owner" \
        in result.output


def test_cli_exits_1_only_when_nothing_was_imported(tmp_path: Path) -> None:
    first = invoke(DATA / "utf8-bom.csv", "--out", tmp_path, "--vocabularies", VOCAB)
    assert first.exit_code == 0, first.output
    again = invoke(DATA / "utf8-bom.csv", "--out", tmp_path)
    assert again.exit_code == 1
    assert "Imported 0 of 2 rows" in again.output and "already exists" in again.output
    assert "no dataset was imported from utf8-bom.csv" in again.output
