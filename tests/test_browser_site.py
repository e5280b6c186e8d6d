"""The static portal in a real browser: home → catalogue filter → dataset
page → the CSV download, and nothing loaded from other hosts."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.browser import chromium, serve_folder
from tests.conftest import MINIMAL

pytestmark = pytest.mark.browser


def test_browse_filter_open_and_download(minimal_site: Path, tmp_path: Path) -> None:
    with serve_folder(minimal_site) as base, chromium() as browser:
        page = browser.new_page()
        foreign: list[str] = []
        failed: list[str] = []
        page.on("request", lambda r: foreign.append(r.url)
                if urlparse(r.url).hostname not in ("127.0.0.1", None) and
                not r.url.startswith("data:") else None)
        # A load the page's own navigation cancelled (the favicon of a page
        # left while it loaded, seen on a busy machine) is not a failure.
        page.on("requestfailed", lambda r: failed.append(r.url)
                if r.failure != "net::ERR_ABORTED" else None)
        page.goto(base)
        assert "测试市公共数据开放平台" in page.title()
        page.get_by_role("link", name="浏览全部数据目录").click()
        page.wait_for_selector("#pt-result-list li")
        assert page.locator("#pt-result-list li").count() == 2
        # Filter by open type, client-side, no server involved.
        page.get_by_label("无条件开放").check()
        page.wait_for_function(
            "document.querySelectorAll('#pt-result-list li').length === 1")
        assert "open_type=unconditional" in page.url
        assert page.locator("#pt-result-count").inner_text() == "找到 1 个数据集"
        page.get_by_role("link", name="公交站点信息").click()
        page.wait_for_selector("table.pt-downloads")
        assert page.locator("h1").inner_text() == "公交站点信息"
        page.screenshot(path=str(tmp_path / "dataset.png"), full_page=True)
        link = page.get_by_role("link", name="bus-stops.csv", exact=True)
        href = link.get_attribute("href")
        response = page.request.get(page.url + href)
        assert response.ok
        assert response.body() == (MINIMAL / "bus-stops" / "data" / "bus-stops.csv").read_bytes()
        assert foreign == [], f"pages requested other hosts: {foreign}"
        # Only the service (port 9 here: nothing listens) may fail; the page says so.
        assert [u for u in failed if not u.startswith("http://127.0.0.1:9/")] == []
        page.wait_for_selector("#pt-report-answers p")
        assert "纠错答复暂时无法加载" in page.inner_text("#pt-report-answers")


def test_search_page_falls_back_when_the_api_is_unreachable(minimal_site: Path) -> None:
    with serve_folder(minimal_site) as base, chromium() as browser:
        page = browser.new_page()
        # The fixture points the search API at port 9 (discard), where nothing listens.
        page.goto(base + "search/?q=公交")
        page.wait_for_selector("#pt-search-offline:not([hidden])")
        fallback = page.locator("#pt-search-fallback")
        assert "catalog/?text=" in fallback.get_attribute("href")
        fallback.click()
        page.wait_for_function(
            "document.querySelectorAll('#pt-result-list li').length === 1")
        assert page.locator("#pt-result-list li a").inner_text() == "公交站点信息"
