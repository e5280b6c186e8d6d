"""通知公告: Markdown files in <catalogue>/announcements/, newest first, on the
公告 page and in their own Atom feed."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest

from builder.announcements import NoticeError, atom_feed, load_notices
from domain.catalogue.catalog import PortalInfo
from tests.conftest import REPO

ATOM = "{http://www.w3.org/2005/Atom}"


def write(folder: Path, name: str, text: str) -> None:
    (folder / "announcements").mkdir(exist_ok=True)
    (folder / "announcements" / name).write_text(text, encoding="utf-8")


def test_notices_are_read_newest_first_as_plain_paragraphs(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "---\ntitle: 旧通知\ndate: 2026-01-05\n---\n第一段。\n\n第二段。\n")
    write(tmp_path, "b.md", "---\ntitle: 新通知\ndate: 2026-03-01\n---\n<script>x</script>\n")
    notices = load_notices(tmp_path)
    assert [(n.title, n.on) for n in notices] == [("新通知", date(2026, 3, 1)),
                                                  ("旧通知", date(2026, 1, 5))]
    assert notices[1].paragraphs == ("第一段。", "第二段。")
    feed = atom_feed(PortalInfo(name="测试平台", base_url="https://x.example/"), notices)
    assert "<script>" not in feed
    root = ET.fromstring(feed)
    titles = [e.find(f"{ATOM}title").text for e in root.findall(f"{ATOM}entry")]  # type: ignore[union-attr]
    assert titles == ["新通知", "旧通知"]
    assert root.find(f"{ATOM}entry/{ATOM}id").text == "https://x.example/announcements/#b"  # type: ignore[union-attr]


@pytest.mark.parametrize("written", ["2026-03-01", "'2026-03-01'", "2026-03-01 10:00",
                                     "2026-03-01T10:00:00", "20260301"])
def test_a_notice_date_is_read_as_the_catalogue_reads_dates(tmp_path: Path, written: str) -> None:
    write(tmp_path, "a.md", f"---\ntitle: 通知\ndate: {written}\n---\n正文\n")
    on = load_notices(tmp_path)[0].on
    assert on == date(2026, 3, 1) and type(on) is date  # a day, never a datetime


@pytest.mark.parametrize(("text", "says"), [
    ("没有前言", "start the notice with front matter"),
    ("---\ndate: 2026-01-05\n---\n正文", "add 'title: …'"),
    ("---\ntitle: 通知\ndate: 2026-13-05\n---\n正文", "add 'date: YYYY-MM-DD'"),
    ("---\ntitle: [\n---\n正文", "not valid YAML"),
    ("---\ntitle: 通知\ndate: 2026-W09-1\n---\n正文", "add 'date: YYYY-MM-DD'"),
])
def test_a_bad_notice_file_is_named_with_what_to_fix(tmp_path: Path, text: str,
                                                     says: str) -> None:
    write(tmp_path, "bad.md", text)
    with pytest.raises(NoticeError, match="announcements/bad.md") as caught:
        load_notices(tmp_path)
    assert says in str(caught.value)


def test_the_sample_catalogue_has_notices_and_no_folder_is_read_as_a_dataset() -> None:
    assert len(load_notices(REPO / "datasets")) >= 2


@pytest.mark.slow  # three builds of the whole sample catalogue
@pytest.mark.parametrize("profile, cited, never", [
    ("guizhou-measures", "《贵州省政务数据资源管理办法》第三十三条", "佛山"),
    ("foshan", "《佛山市政务数据资源管理办法（试行）》第三十九条", "贵州"),
    ("guizhou-regulation", "本局规定", "第三十三条"),
])
def test_the_withdrawal_basis_cites_only_the_deployments_text(tmp_path: Path, profile: str,
                                                             cited: str, never: str) -> None:
    from tests.conftest import catalog_with_profile, run_build

    catalog = catalog_with_profile(tmp_path / "catalog", profile)
    run_build(catalog, tmp_path / "site")
    page = (tmp_path / "site" / "announcements" / "index.html").read_text(encoding="utf-8")
    basis = page.split("失效数据应予标注并公告", 1)[1].split("</p>", 1)[0]
    assert cited in basis and never not in basis
