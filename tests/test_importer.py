"""``portal import``: builder.importer on tiny edge-case fixtures and on the
two real catalogues in /work/shared/real-catalogs (see its SOURCE.md)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from builder.import_columns import parse_contact, parse_date, parse_map_options, plan_columns
from builder.importer import CatalogImportError, ImportReport, import_catalog, read_column_map
from domain.catalog import dataset_from_descriptor, load_catalog

DATA = Path(__file__).parent / "data" / "import"
VOCAB = DATA / "vocabularies.yaml"
REAL = Path("/work/shared/real-catalogs")
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
    assert any("only the first sheet" in w for w in report.warnings)
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

def test_unknown_theme_is_left_empty_and_reported(tmp_path: Path) -> None:
    report = run("unknown-theme.csv", tmp_path)
    assert report.imported == 3
    assert report.unmapped == {"theme": Counter({"默认主题": 2}),
                               "update_frequency": Counter({"每两年": 1})}
    rows = by_title(tmp_path, report)
    assert rows["道路清单"]["theme"] == ""
    assert rows["道路清单"]["import_unmapped"] == {"theme": "默认主题"}
    assert rows["桥梁清单"]["import_unmapped"] == {"theme": "默认主题", "update_frequency": "每两年"}
    assert rows["停车场"]["theme"] == "urban"  # alias 城建住房
    assert rows["停车场"]["open_type"] == "conditional"  # 依申请开放
    loaded, problems = load_all(tmp_path, report)
    assert loaded == 1
    assert problems == Counter({("field-missing", "theme"): 2,
                                ("field-missing", "update_frequency"): 1})
    summary = report.summary()
    assert "theme: 1 distinct, 2 rows" in summary and "默认主题" in summary


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
    assert data == {"departments": [{"code": "d001", "name": "贵阳市公安局"},
                                    {"code": "d002", "name": "清镇市文化局"}], "themes": []}


def test_missing_open_type_uses_the_default_only_when_given(tmp_path: Path) -> None:
    report = run("title-line-above-header.csv", tmp_path / "a")
    rows = by_title(tmp_path / "a", report)
    assert rows["无名数据"]["open_type"] == ""
    report = run("title-line-above-header.csv", tmp_path / "b", default_open_type="conditional")
    rows = by_title(tmp_path / "b", report)
    assert rows["无名数据"]["open_type"] == "conditional"
    assert rows["路灯信息"]["open_type"] == "not_open"
    assert any("set to the default conditional" in w for w in report.warnings)


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


def test_xls_is_refused_with_advice(tmp_path: Path) -> None:
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(CatalogImportError, match=r"save the sheet as \.xlsx"):
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
    assert bus.extra["declared_formats"] == ["csv", "xlsx"]
    assert bus.contact.email == "jtj@example.gov.cn"


# --- the real catalogues -----------------------------------------------------------

needs_real = pytest.mark.skipif(not REAL.is_dir(), reason=f"the real catalogues are not in {REAL}")

@pytest.fixture(scope="module")
def shanghai(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ImportReport]:
    out = tmp_path_factory.mktemp("shanghai")
    return out, import_catalog(REAL / "shanghai_shanghai.json", out)


@pytest.fixture(scope="module")
def guiyang(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ImportReport]:
    out = tmp_path_factory.mktemp("guiyang")
    return out, import_catalog(REAL / "guizhou_guiyang.json", out)


@pytest.mark.slow
@needs_real
def test_shanghai_imports_completely(shanghai: tuple[Path, ImportReport]) -> None:
    out, report = shanghai
    assert (report.rows, report.imported, report.skipped) == (4494, 4494, [])
    assert report.open_types == Counter({"unconditional": 2939, "conditional": 1555})
    assert report.unmapped == {}  # every theme, frequency and open type maps
    assert len(report.new_departments) == 56
    assert any("169 rows have no description" in w for w in report.warnings)
    assert any("国家主题分类" in w for w in report.warnings)
    assert report.seconds < 15
    assert load_all(out, report) == (4494, Counter())


@pytest.mark.slow
@needs_real
def test_guiyang_imports_completely(guiyang: tuple[Path, ImportReport]) -> None:
    out, report = guiyang
    assert (report.rows, report.imported, report.skipped) == (2469, 2469, [])
    assert report.open_types == Counter({"unconditional": 2274, "conditional": 195})
    assert report.unmapped == {"theme": Counter({"默认主题": 358})}
    assert len(report.new_departments) == 133
    loaded, problems = load_all(out, report)
    assert loaded == 2469 - 358
    assert problems == Counter({("field-missing", "theme"): 358})


@pytest.mark.slow
@needs_real
def test_guiyang_with_a_value_map_loads_completely(tmp_path: Path) -> None:
    report = import_catalog(REAL / "guizhou_guiyang.json", tmp_path,
                            value_map={"theme": {"默认主题": "social"}})
    assert report.unmapped == {}
    assert load_all(tmp_path, report) == (2469, Counter())
