"""The service's pages in the built site's layout (search_api/web/chrome.py): the
layout file written by `portal build`, its site links rebased on
PUBLIC_SITE_URL, the CSP nonce on the theme's inline scripts, and the plain
layout with the same menu when there is no built site."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup
from flask import Flask

from search_api import create_app
from search_api.web.chrome import CHROME_FILE, Chrome, load
from tests.api.test_browser_portal import SECTIONS


def menu(html: str, selector: str) -> dict[str, str]:
    soup = BeautifulSoup(html, "html.parser")
    return {a.get_text(strip=True): a["href"] for a in soup.select(selector)}


def test_pages_use_the_built_layout_with_links_on_the_public_site(app: Flask) -> None:
    # app_config: the sample site, PUBLIC_SITE_URL https://data.yunhe.example.gov.cn/
    html = app.test_client().get("/requests/status").get_data(as_text=True)
    tabs = menu(html, "nav.md-tabs a")
    assert set(SECTIONS) <= set(tabs)
    assert tabs["数据目录"] == "https://data.yunhe.example.gov.cn/catalog/"
    assert tabs["申请进度查询"] == "/requests/status"
    soup = BeautifulSoup(html, "html.parser")
    assert soup.title is not None and soup.title.get_text() == "申请进度查询 - 云河市公共数据开放平台"
    assert soup.find("meta", attrs={"name": "description"})["content"]  # type: ignore[index]
    assert "PORTALSHELL" not in html and "PORTALSITEROOT" not in html
    assert "/static/service.css" in html


def test_the_layout_gives_inline_scripts_the_nonce(sample_site_for_api: Path) -> None:
    chrome = load(str(sample_site_for_api))
    assert chrome is not None
    top = chrome.top(title="<标题>", description="说明", root="/", stylesheet="/s.css",
                     nonce="abc")
    assert "&lt;标题&gt;" in top and "<script>" not in top
    # Every script the CSP must allow: loaded from a file, or inline with the nonce.
    import re

    scripts = re.findall(r"<script\b[^>]*>", top)
    assert scripts and all("src=" in tag or 'nonce="abc"' in tag for tag in scripts), scripts


def test_a_broken_layout_file_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / CHROME_FILE).write_text(json.dumps({"page": "no marker"}), encoding="utf-8")
    assert load(str(tmp_path)) is None
    assert load("") is None
    data: dict[str, Any] = {"name": "n", "page": "a<p>M</p>b", "content_mark": "<p>M</p>",
                            "title_mark": "T", "description_mark": "D", "root_mark": "R/"}
    assert Chrome.parse(data).bottom(root="/") == "b"


def test_without_a_built_site_the_plain_layout_has_the_same_menu(
        app_config: dict[str, Any]) -> None:
    plain = create_app({**app_config, "SITE_DIR": "", "PUBLIC_SITE_URL": ""})
    html = plain.test_client().get("/requests/status").get_data(as_text=True)
    links = menu(html, "header.sv-header nav a")
    assert set(SECTIONS) <= set(links)
    assert links["数据接口"] == "/developers/"
    # The name comes from the catalogue's portal.yaml, not the generic default.
    assert "云河市公共数据开放平台" in html
    plain.extensions["portal_engine"].close()
