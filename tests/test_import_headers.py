"""Catalogues whose headers nobody here listed (issue 13: "the importer must
generalise, not memorise").

The real catalogues of ../shared/real-catalogs are written again under header
spellings that other Chinese portals use for the same fields — the spellings
come from the crawler's field map of the research project that collected
these catalogues (nju-websoft/CNPDS, cnpds-metadata/db-writer/data/
field_mapping.json: 资源标题, 信息资源名称, 上架日期, 更新时限, orgName,
releaseTime, dataUpdatePeriod…). Renaming columns must not change what the
importer makes of them: the same fields from the same columns, and the same
datasets published. A catalogue whose title column has a header no rule
knows gets its titles by their values.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from builder.import_headers import english_words, guessed_field
from builder.importer import CatalogImportError, import_catalog, prepare
from tests.test_importer import by_title

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-catalogs"

# Each case: a real catalogue and other portals' spellings for its headers.
RENAMED: dict[str, tuple[str, dict[str, str]]] = {
    "qianxinan-chinese": ("guizhou_qianxinan.json", {
        "标题": "资源标题", "数据摘要": "remark", "主题名称": "数据主题", "数据提供方": "来源部门",
        "所属行业": "industryField", "更新时间": "最后更新时间", "发布时间": "创建时间",
        "开放属性": "开放方式", "更新频率": "更新频度", "数据格式": "资源类型"}),
    "guiyang-english": ("guizhou_guiyang.json", {
        "标题": "resourceName", "数据摘要": "摘要信息", "主题名称": "资源分类",
        "数据提供方": "资源提供方", "所属行业": "industry", "更新时间": "资源发布/更新时间",
        "发布时间": "上线日期", "开放属性": "条件开放", "更新频率": "资源更新频率",
        "数据格式": "数据下载", "详情页网址": "url"}),
    "guiyang-theme-label": ("guizhou_guiyang.json", {
        "标题": "名称", "数据摘要": "摘要描述", "主题名称": "主题标签", "数据提供方": "数源单位",
        "所属行业": "industryField", "发布时间": "目录发布时间", "开放属性": "开放等级"}),
    "shanghai-mixed": ("shanghai_shanghai.json", {
        "数据集名称": "resourceName", "摘要": "remark", "数据标签": "label",
        "首次发布日期": "资源发布日期", "更新日期": "最后更新", "更新频度": "更新周期",
        "数据提供方": "资源提供方", "开放属性": "共享方式", "联系方式": "email",
        "数据格式": "文件格式"}),
    "meishan-industry-and-topic": ("sichuan_meishan.json", {
        "标题": "信息资源名称", "数据领域": "专题", "发布时间": "上架日期", "开放属性": "开放类型",
        "行业名称": "所属行业", "更新周期": "frequency", "联系电话": "部门电话",
        "描述": "资源摘要"}),
    "zhejiang-formats-by-header": ("zhejiang_zhejiang.json", {
        "标题": "目录名称", "摘要": "摘要描述", "资源格式": "data_formats", "数源单位": "资源提供单位",
        "联系方式": "departmentContactTel", "数据领域": "专题", "行业分类": "行业名称",
        "开放条件": "条件开放", "更新日期": "updateTime", "发布日期": "目录发布时间"}),
}


def real_rows(name: str) -> list[dict[str, Any]]:
    path = REAL / name
    if not path.is_file():
        pytest.skip(f"{path} is absent: these tests need ../shared/real-catalogs")
    rows: list[dict[str, Any]] = json.loads(path.read_text("utf-8"))
    return rows


def renamed(rows: list[dict[str, Any]], names: dict[str, str], target: Path) -> Path:
    target.write_text(json.dumps([{names.get(k, k): v for k, v in row.items()} for row in rows],
                                 ensure_ascii=False), encoding="utf-8")
    return target


def fields_of(source: Path, out: Path) -> dict[str, list[str]]:
    return dict(prepare(source, out, None, None).columns.fields)


@pytest.mark.parametrize("case", sorted(RENAMED))
def test_other_portals_spellings_give_the_same_columns(case: str, tmp_path: Path) -> None:
    name, names = RENAMED[case]
    rows = real_rows(name)
    original = fields_of(REAL / name, tmp_path / "a")
    got = fields_of(renamed(rows, names, tmp_path / f"{case}.json"), tmp_path / "b")
    back = {new: old for old, new in names.items()}
    assert {f: [back.get(c, c) for c in cols] for f, cols in got.items()} == original


def test_a_renamed_catalogue_publishes_what_the_original_does(tmp_path: Path) -> None:
    """import → build → count, as bench/real_catalogs.py counts (the
    unconditional rows of the source, published by the build)."""
    from bench.real_catalogs import run

    name, names = RENAMED["qianxinan-chinese"]
    source = renamed(real_rows(name), names, tmp_path / "qianxinan-renamed-by-header-test.json")
    figures = run(source, None)
    assert figures["uncond"] == 240
    assert figures["uncond_pub"] == 240 and figures["all_pub"] == 240


def test_titles_under_a_header_no_rule_knows_are_found_by_their_values(tmp_path: Path) -> None:
    rows = [{"资源": f"第{i}号公交线路站点", "代码": f"AD{4002012016 + i}",
             "网址": f"https://data.example.gov.cn/view?id={i}", "开放属性": "无条件开放",
             "数据提供方": "市交通运输局", "更新日期": "2023-04-06"} for i in range(30)]
    source = tmp_path / "opaque.json"
    source.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    report = import_catalog(source, tmp_path / "out")
    assert report.imported == 30
    assert any("'资源' was taken as the title" in note for note in report.warnings)


def test_no_column_of_names_is_still_a_clear_refusal(tmp_path: Path) -> None:
    rows = [{"代码": f"AD{i:06d}", "开放属性": "无条件开放", "更新日期": "2023-04-06"}
            for i in range(30)]
    source = tmp_path / "codes.json"
    source.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CatalogImportError, match="no column holds the dataset title.*--map"):
        import_catalog(source, tmp_path / "out")


@pytest.mark.parametrize(("header", "field"), [
    ("资源标题", "title"), ("信息资源名称", "title"), ("resourceName", "title"),
    ("subjectBaseName", "title"),
    ("部门电话", "contact"), ("departmentContactTel", "contact"), ("orgEmail", "contact"),
    ("orgName", "department"), ("数源单位/数据提供单位", "department"), ("dataSource", "department"),
    ("行业名称", None), ("所属行业", None), ("industryField", None),  # left to the values
    ("主题标签", "theme"), ("fieldName", "theme"), ("资源分类", "theme"),
    ("资源发布/更新时间", "last_updated"), ("updateTime", "last_updated"),
    ("更新时限", "update_frequency"), ("dataUpdatePeriod", "update_frequency"),
    ("上架日期", "published"), ("releaseTime", "published"), ("创建时间", "published"),
    ("openTypeName", "open_type"), ("开放等级", "open_type"),
    ("resourceType", "formats"), ("资源类型", "formats"), ("tableRemark", "description"),
    ("数据量", None), ("备注", None), ("", None),
])
def test_a_header_is_read_by_its_words(header: str, field: str | None) -> None:
    assert guessed_field(header) == field


def test_english_words_split_camel_and_snake_case() -> None:
    assert english_words("departmentContactTel") == ["department", "contact", "tel"]
    assert english_words("update_time") == ["update", "time"]
    assert english_words("URLLink2") == ["url", "link", "2"]


def test_a_title_line_above_headers_nobody_listed_is_skipped(tmp_path: Path) -> None:
    """A spreadsheet export: a title line, then headers in a portal's own
    spellings, then rows (GBK, as such exports often are)."""
    lines = ["某市政务数据开放目录（2023年6月）,,,,",
             "资源标题,来源部门,开放等级,上架日期,更新时限",
             "公交站点,市交通运输局,无条件开放,2023/06/12 17:33:10,每月",
             "医院名录,市卫生健康委员会,无条件开放,2023/05/02,每年"]
    source = tmp_path / "catalogue.csv"
    source.write_bytes("\r\n".join(lines).encode("gbk"))
    report = import_catalog(source, tmp_path / "out")
    assert report.imported == 2
    assert any("row 2 was taken as the header" in w for w in report.warnings)
    assert any("placed by the words of their headers" in w and "资源标题 → title" in w
               and "上架日期 → published" in w for w in report.warnings)
    rows = by_title(tmp_path / "out", report)
    assert rows["公交站点"]["open_type"] == "unconditional"
    assert str(rows["公交站点"]["published"]) == "2023-06-12"
    assert rows["医院名录"]["update_frequency"] == "yearly"


@pytest.mark.parametrize(("text", "expected"), [
    ("无条件开放", "unconditional"), ("【无条件开放】", "unconditional"),
    ("无条件开放；", "unconditional"), ('"普遍开放"', "unconditional"),
    ("有条件开放（需申请）", "conditional"), ("不予开放(涉密)", "not_open"),
    ("无条件开发", "unconditional"), ("UNCONDITIONAL", "unconditional"),
    ("无条件开放类", "unconditional"), ("【有条件开放型】", "conditional"),
    ("不予开放类", "not_open"), ("无条件开放类数据", None), ("开放类", None),
    ("无条件开放数据", None), ("开放网站", None), ("暂无", None), ("——", None), ("", None),
])
def test_open_type_words_inside_punctuation_and_before_a_note(text: str,
                                                              expected: str | None) -> None:
    from builder.import_detect import open_type_word

    found = open_type_word(text)
    assert (found[0].value if found else None) == expected
