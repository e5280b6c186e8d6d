"""``portal import`` on catalogues of portals nobody here has seen (issue 13):
the same real-world content, spelled the way other platforms spell it. The
variants are generated here from a few rows; the importer must read them by
general patterns, not by one portal's exact words."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from builder.import_frequency import fold_frequency, match_frequency
from builder.importer import CatalogImportError, import_catalog, write_plan
from domain.catalogue.vocabulary import Frequency, TermList
from portal.cli import main
from tests.test_importer import by_title, descriptor
from tests.unseen_shapes import SHAPE_ROWS, SHAPES, coded_xlsx_legend_footnote

# How other portals write the sample vocabulary's frequencies.
FREQUENCY_SPELLINGS = {
    "每年一次": "yearly", "1年": "yearly", "按年更新": "yearly", "一年一次": "yearly",
    "每年1次": "yearly", "每月一次": "monthly", "月度更新": "monthly", "每星期": "weekly",
    "每周一次": "weekly", "每天更新": "daily", "每日一次": "daily", "半年度": "semiannual",
    "每季度一次": "quarterly", "按季": "quarterly", "实时更新": "realtime",
    "不定期更新": "irregular", "每 月": "monthly", "每年一次(每年3月)": "yearly",
}
# Frequencies the sample vocabulary has no term for: left unmapped, never guessed.
NOT_A_TERM = ("每两年", "每年两次", "每小时", "每5分钟")


def _rows(header: str, spellings: Any) -> list[dict[str, str]]:
    return [{"资源名称": f"数据集{i}", "提供单位": "市统计局", "开放属性": "无条件开放",
             "数据领域": "经济建设", header: text, "更新时间": "2023-06-01"}
            for i, text in enumerate(spellings)]


@pytest.mark.parametrize("header", ["更新频率", "gxpd"])
def test_frequencies_written_with_filler_words_map_to_their_term(tmp_path: Path,
                                                                 header: str) -> None:
    rows = _rows(header, [*FREQUENCY_SPELLINGS, *NOT_A_TERM])
    source = tmp_path / "catalogue.json"
    source.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    report = import_catalog(source, tmp_path / "out")
    got = {row["title"]: row["update_frequency"] for row in by_title(tmp_path / "out",
                                                                      report).values()}
    expected = {f"数据集{i}": code for i, code in enumerate(FREQUENCY_SPELLINGS.values())}
    expected.update({f"数据集{len(FREQUENCY_SPELLINGS) + i}": "" for i in range(len(NOT_A_TERM))})
    assert got == expected


def test_a_fold_two_terms_share_matches_neither() -> None:
    terms = TermList("update_frequencies", (
        Frequency(code="a", name="每年", max_age_days=380),
        Frequency(code="b", name="年度", max_age_days=400),
        Frequency(code="m", name="每月", max_age_days=35)))
    assert fold_frequency("每年一次") == fold_frequency("年度") == "年"
    assert match_frequency("每年一次", terms) is None
    assert match_frequency("年度", terms) == terms.get("b")  # an exact spelling still wins
    assert match_frequency("按月更新", terms) == terms.get("m")


@pytest.mark.parametrize("wrap", [
    lambda rows: {"code": "0000", "result": {"page": {"pageNo": 1, "items": rows}}},
    lambda rows: {"status": 0, "body": {"payload": {"meta": [{"k": 1}], "datasetList": rows}}},
])
def test_the_list_of_datasets_is_found_however_deep_an_api_wraps_it(tmp_path: Path,
                                                                     wrap: Any) -> None:
    rows = _rows("更新频率", ["每月", "每年", "每日"])
    source = tmp_path / "catalogue.json"
    source.write_text(json.dumps(wrap(rows), ensure_ascii=False), encoding="utf-8")
    report = import_catalog(source, tmp_path / "out")
    assert sorted(row["title"] for row in by_title(tmp_path / "out", report).values()) == [
        "数据集0", "数据集1", "数据集2"]


def test_a_ckan_like_export_reads_its_nested_values(tmp_path: Path) -> None:
    """package_search as CKAN-like platforms return it: the department an
    object, tags and formats lists of objects, the open type in extras."""
    packages = [{"name": f"pkg-{i}", "title": title, "notes": "说明",
                 "organization": {"name": "org-7", "title": "市交通运输局"},
                 "tags": [{"name": "公交"}, {"name": "站点"}],
                 "groups": [{"name": "g1", "title": "交通运输"}],
                 "resources": [{"name": "站点表", "format": "CSV", "url": "http://x/1"},
                               {"name": "接口", "format": "API", "url": "http://x/2"}],
                 "metadata_modified": "2023-06-01T08:00:00.123456",
                 "extras": [{"key": "开放属性", "value": open_type},
                            {"key": "更新频率", "value": "每月"}]}
                for i, (title, open_type) in enumerate([("公交站点", "无条件开放"),
                                                        ("公交线路", "有条件开放")])]
    source = tmp_path / "package_search.json"
    source.write_text(json.dumps({"success": True, "result": {"count": 2, "results": packages}},
                                 ensure_ascii=False), encoding="utf-8")
    report = import_catalog(source, tmp_path / "out")
    rows = {row["title"]: row for row in by_title(tmp_path / "out", report).values()}
    stop = rows["公交站点"]
    assert stop["open_type"] == "unconditional"
    assert rows["公交线路"]["open_type"] == "conditional"
    assert stop["update_frequency"] == "monthly"
    assert stop["keywords"] == ["公交", "站点"]
    assert stop["theme"] == "transport"
    assert stop["declared_formats"] == ["csv", "api"]
    assert str(stop["last_updated"]) == "2023-06-01"
    assert stop["description"] == "说明"
    assert "市交通运输局" in report.new_departments


@pytest.mark.parametrize("joiner", ["\n", ""])
def test_pages_of_an_api_saved_one_after_another_are_read_as_one_catalogue(
        tmp_path: Path, joiner: str) -> None:
    rows = _rows("更新频率", ["每月", "每年", "每日", "每周", "每季度"])
    pages = [{"code": 200, "msg": "成功", "data": {"pageNo": n + 1, "total": 5,
                                                 "list": rows[2 * n:2 * n + 2]}}
             for n in range(3)]
    source = tmp_path / "pages.json"
    source.write_text(joiner.join(json.dumps(p, ensure_ascii=False) for p in pages),
                      encoding="utf-8")
    report = import_catalog(source, tmp_path / "out")
    assert sorted(row["title"] for row in by_title(tmp_path / "out", report).values()) == [
        f"数据集{i}" for i in range(5)]
    assert any("3 pages" in w for w in report.warnings)


@pytest.mark.parametrize(("content", "said"), [
    ("[]", "an empty list"), ('{"data": {"list": []}}', "an empty list"),
    ("[1, 2]", "2 items, each a number"), ('["a", ["b"]]', "2 items, each a list or a text"),
])
def test_json_without_dataset_objects_says_so(tmp_path: Path, content: str, said: str) -> None:
    source = tmp_path / "catalogue.json"
    source.write_text(content, encoding="utf-8")
    with pytest.raises(CatalogImportError,
                       match=re.escape(f"no dataset objects ({said}); export")):
        import_catalog(source, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_header_without_rows_says_so_on_the_command_line(tmp_path: Path) -> None:
    source = tmp_path / "catalogue.csv"
    source.write_text("资源名称,提供单位,开放属性\n,,\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(source), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "no row with a value under them" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def _open_types_read(tmp_path: Path, header: str, spellings: list[str]) -> dict[str, str]:
    """Import one row per spelling (open type under ``header``, other columns
    plain); the open type each imported row got, by title (数据集<i>)."""
    rows = [{"资源名称": f"数据集{i}", "提供单位": "市统计局", header: text,
             "数据领域": "经济建设", "更新频率": "每年", "更新时间": "2023-06-01"}
            for i, text in enumerate(spellings)]
    source = tmp_path / "catalogue.json"
    source.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    report = import_catalog(source, tmp_path / "out")
    return {row["title"]: row["open_type"] for row in by_title(tmp_path / "out",
                                                                report).values()}


def test_open_types_written_with_a_classifier_are_read_under_any_header(
        tmp_path: Path) -> None:
    # Some platforms label the kind: 无条件开放类 / 有条件开放型. The column is
    # found by its values (its header says nothing), the words are read.
    got = _open_types_read(tmp_path, "kflx", [
        "无条件开放类", "有条件开放型", "无条件开放类", "不予开放类", "无条件开放类数据"])
    assert {t: got.get(t) for t in ("数据集0", "数据集1", "数据集2")} == {
        "数据集0": "unconditional", "数据集1": "conditional", "数据集2": "unconditional"}
    assert "数据集3" not in got or got["数据集3"] == "not_open"
    assert got.get("数据集4") != "unconditional"  # 无条件开放类数据: not an open type


def test_open_types_as_other_provinces_rules_name_them(tmp_path: Path) -> None:
    # Zhejiang's rules name the kinds 无条件开放 / 受限开放 / 禁止开放, Shanghai's
    # 无条件开放 / 有条件开放 / 非开放: each is that open type, under any header.
    # A three-character word takes no typos (可开放 and 已开放 are not 非开放).
    got = _open_types_read(tmp_path, "kfsx", [
        "无条件开放", "受限开放", "禁止开放", "非开放类", "受限开发", "无条件开放",
        "可开放", "已开放", "受限开放数据", "无条件开放"])
    assert {f"数据集{i}": got.get(f"数据集{i}") for i in (0, 1, 4, 5, 9)} == {
        "数据集0": "unconditional", "数据集1": "conditional", "数据集4": "conditional",
        "数据集5": "unconditional", "数据集9": "unconditional"}
    for i in (2, 3):  # not open: imported as such, or not at all
        assert got.get(f"数据集{i}") in (None, "not_open")
    for i in (6, 7, 8):  # not open-type words: never guessed
        assert got.get(f"数据集{i}") not in ("unconditional", "conditional", "not_open")


# --- shapes of other portals' exports (tests/unseen_shapes.py) -----------------------

@pytest.mark.parametrize(("value", "day"), [
    (20230612, "2023-06-12"), ("20230612", "2023-06-12"),  # yyyymmdd as a number or text
    (1686533400000, "2023-06-12"), ("1686533400000", "2023-06-12"),  # epoch milliseconds
    (1686533400, "2023-06-12"),  # epoch seconds
    ("2023-06-12T10:11:12+08:00", "2023-06-12"), ("2023-06-12T08:00:00.000Z", "2023-06-12"),
    ("2023-06-12T20:00:00Z", "2023-06-13"),  # already the 13th in China
    (45089, "2023-06-12"), (45089.5, "2023-06-12"),  # Excel serials still
    (12345678, None), (20230230, None), (99999999999, None), (3, None)])
def test_dates_as_api_exports_write_them(value: Any, day: str | None) -> None:
    from builder.import_dates import parse_date

    found = parse_date(value)
    assert (found.isoformat() if found else None) == day


def _published(source: Path, work: Path) -> tuple[int, int, int]:
    """Import ``source`` with no options and build it; (rows read,
    unconditional rows imported, how many of them the build published)."""
    from datetime import date

    from builder.build import BuildConfig, build

    report = import_catalog(source, work / "catalog")
    result = build(BuildConfig(catalog_dir=work / "catalog", out_dir=work / "site",
                               today=date(2026, 12, 6), cache_dir=work / "cache"))
    published = set(result.changes.published)
    unconditional = [i for i in report.identifiers
                     if descriptor(work / "catalog", i)["open_type"] == "unconditional"]
    return report.rows, len(unconditional), sum(1 for i in unconditional if i in published)


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_other_portals_exports_publish_their_unconditional_rows(tmp_path: Path,
                                                                shape: str) -> None:
    """Each shape (tests/unseen_shapes.py) imported with no options: every
    row is read, about two thirds are unconditional, and at least 80 % of
    those are published (the rest lack a theme or format the shape omits)."""
    source = SHAPES[shape](tmp_path)
    rows, unconditional, published = _published(source, tmp_path / "work")
    assert rows == SHAPE_ROWS[shape]
    assert unconditional >= 0.5 * rows
    assert published >= 0.8 * unconditional


def test_open_type_codes_are_read_only_by_the_files_own_legend(tmp_path: Path) -> None:
    rows = [{"资源名称": f"数据集{i}", "提供单位": "市统计局", "数据领域": "经济建设",
             "更新频率": "每年", "更新时间": "2023-06-01", "开放类型": code}
            for i, code in enumerate(["1", "2", "3", "1"])]
    # No legend: the codes are not guessed.
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    report = import_catalog(plain, tmp_path / "plain")
    assert report.unmapped["open_type"] == {"1": 2, "2": 1, "3": 1}
    # The legend in the header (as a template asks for codes) reads them.
    header = "开放类型（1-无条件开放，2-有条件开放，3-不予开放）"
    legend = tmp_path / "legend.json"
    legend.write_text(json.dumps([{**{k: v for k, v in r.items() if k != "开放类型"},
                                   header: r["开放类型"]} for r in rows], ensure_ascii=False),
                      encoding="utf-8")
    report = import_catalog(legend, tmp_path / "legend")
    assert {r["title"]: r["open_type"] for r in by_title(tmp_path / "legend", report).values()
            } == {"数据集0": "unconditional", "数据集1": "conditional", "数据集2": "not_open",
                  "数据集3": "unconditional"}
    assert any("read by the legend in its header" in w for w in report.warnings)
    # An operator's value map still wins over the file's legend.
    report = import_catalog(legend, tmp_path / "mapped",
                            value_map={"open_type": {"1": "conditional"}})
    assert by_title(tmp_path / "mapped", report)["数据集0"]["open_type"] == "conditional"


def test_a_legend_in_a_note_under_the_table_reads_the_codes(tmp_path: Path) -> None:
    source = coded_xlsx_legend_footnote(tmp_path)
    report = import_catalog(source, tmp_path / "out")
    assert "open_type" not in report.unmapped
    assert report.open_types["unconditional"] > 0
    assert any("legend in a note or code table in the file" in w for w in report.warnings)


def test_themes_the_vocabularies_lack_are_added_and_listed_in_the_plan(tmp_path: Path) -> None:
    rows = [{"资源名称": f"数据集{i}", "提供单位": "市统计局", "开放属性": "无条件开放",
             "数据领域": theme, "更新频率": "每年", "更新时间": "2023-06-01"}
            for i, theme in enumerate(["农业农村", "经济建设", "农业农村", "城市管理,经济建设",
                                       "12345", "城市管理（含市容）"])]
    source = tmp_path / "catalogue.json"
    source.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    write_plan(source, tmp_path / "plan.yaml")
    plan = (tmp_path / "plan.yaml").read_text("utf-8")
    assert '"农业农村": null  # 2 rows; added as the new theme t001 unless you map it' in plan
    # The header says what null means for such a line (it is not "unmapped").
    assert "null keeps that new theme" in plan
    report = import_catalog(source, tmp_path / "out")
    got = {r["title"]: r["theme"] for r in by_title(tmp_path / "out", report).values()}
    assert got == {"数据集0": "t001", "数据集1": "economy", "数据集2": "t001",
                   "数据集3": "economy",  # a listed theme the vocabularies know wins
                   "数据集4": "",  # digits are no theme's name: unmapped, never guessed
                   "数据集5": "t002"}  # the note is not part of the name
    assert report.unmapped == {"theme": {"12345": 1}}
    import yaml

    themes = yaml.safe_load((tmp_path / "out" / "vocabularies.yaml").read_text("utf-8"))["themes"]
    assert themes[-2:] == [{"code": "t001", "name": "农业农村"}, {"code": "t002", "name": "城市管理"}]
    assert any("2 themes were not in the vocabularies" in w for w in report.warnings)


@pytest.mark.parametrize(("text", "kind"), [
    ("无条件共享/无条件开放", "unconditional"), ("有条件共享；有条件开放", "conditional"),
    ("无条件共享 不予开放", "not_open"), ("不予共享,有条件开放", "conditional"),
    ("无条件共享", None), ("无条件开放/有条件开放", None), ("共享/开放", None),
    ("开放网站/无条件开放", None)])
def test_an_open_type_beside_the_sharing_attribute_is_read(text: str, kind: str | None) -> None:
    from builder.import_detect import open_type_word

    found = open_type_word(text)
    assert (found[0].value if found else None) == kind


def test_a_code_table_beside_an_apis_rows_is_their_legend(tmp_path: Path) -> None:
    from tests.unseen_shapes import api_with_code_table

    report = import_catalog(api_with_code_table(tmp_path), tmp_path / "out")
    assert "open_type" not in report.unmapped
    assert set(report.open_types) == {"unconditional", "conditional", "not_open"}
    assert any("'openType' holds open types as codes, read by the legend in a note or code "
               "table" in w for w in report.warnings)
