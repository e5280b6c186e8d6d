"""Leftovers of issue 13: the 公告 page links the 暂停发布 list; a take-down
is not forgotten when the build cache is deleted; a folder whose descriptor
cannot be read is named as a folder in the reports."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from bs4 import BeautifulSoup

from builder.withholding import REPORT_JSON, REPORT_TEXT
from tests.conftest import run_build

ID_NUMBER = "11010519491231002X"


def _leak(catalog: Path) -> None:
    csv = catalog / "bus-stops" / "data" / "bus-stops.csv"
    csv.write_text(csv.read_text("utf-8").replace("人民广场", ID_NUMBER), encoding="utf-8")


def _announcements(site: Path) -> BeautifulSoup:
    return BeautifulSoup((site / "announcements" / "index.html").read_text("utf-8"),
                         "html.parser")


def test_the_announcements_page_links_the_suspended_list(tmp_path: Path,
                                                         catalog_copy: Path) -> None:
    site = tmp_path / "site"
    run_build(catalog_copy, site)
    assert "目前没有暂停发布的数据集" in _announcements(site).get_text()
    _leak(catalog_copy)
    run_build(catalog_copy, site)
    page = _announcements(site)
    links = [a for a in page.find_all("a") if a.get("href", "").endswith("suspended/")]
    assert links, "the 公告 page must link the 暂停发布 list"
    target = (site / "announcements" / links[0]["href"]).resolve() / "index.html"
    assert target == (site / "suspended" / "index.html").resolve() and target.is_file()
    assert "1 个数据集暂停发布" in page.get_text()


def test_a_take_down_survives_a_deleted_build_cache(tmp_path: Path,
                                                    catalog_copy: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    run_build(catalog_copy, site)
    _leak(catalog_copy)
    shutil.rmtree(cache)  # a new machine, another --cache-dir, a cleaned disk
    result = run_build(catalog_copy, site)
    taken = result.changes.taken_down["jtj-0001"]
    assert (taken.reason, taken.new, taken.title) == ("personal-data", True, "公交站点信息")
    notice = (site / "datasets" / "jtj-0001" / "index.html").read_text("utf-8")
    assert "暂停发布" in notice
    assert not (site / "datasets" / "jtj-0001" / "bus-stops.csv").exists()
    report = json.loads((cache / REPORT_JSON).read_text("utf-8"))
    assert report["withdrawals_to_file"] == ["jtj-0001"]


def test_a_folder_whose_descriptor_cannot_be_read_is_named_as_a_folder(
        tmp_path: Path, catalog_copy: Path) -> None:
    (catalog_copy / "garbled").mkdir()
    (catalog_copy / "garbled" / "datapackage.yaml").write_bytes(b"name: [unclosed\n")
    result = run_build(catalog_copy, tmp_path / "site")
    assert "garbled" in result.changes.withheld
    assert result.changes.unread == {"garbled"}
    report = json.loads((tmp_path / "cache" / REPORT_JSON).read_text("utf-8"))
    assert report["withheld"]["garbled"]["descriptor_unreadable"] is True
    assert report["withheld"]["garbled"]["folder"] == "garbled/"
    text = (tmp_path / "cache" / REPORT_TEXT).read_text("utf-8")
    assert "garbled/ (a folder: no dataset could be made of its descriptor" in text
    assert "folders whose descriptor is unreadable or lacks a required field" in \
        result.changes.summary()
