"""The search results page rendered by the service (/find), for browsers
without JavaScript: same answer as /api/v1/search, facets and pages as links
(SQLite and PostgreSQL through the app fixtures)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup
from flask.testing import FlaskClient

from builder.site_pages import SEARCH_RESULTS_PATH
from search_api.search.html_links import PATH


def _page(client: FlaskClient, url: str, status: int = 200) -> BeautifulSoup:
    resp = client.get(url)
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    assert resp.mimetype == "text/html"
    assert resp.headers["X-Robots-Tag"] == "noindex, follow"
    return BeautifulSoup(resp.get_data(as_text=True), "html.parser")


def _titles(soup: BeautifulSoup) -> list[str]:
    return [a.get_text() for a in soup.select("#sv-find-results a.pt-item-title")]


def test_the_site_forms_submit_where_the_service_answers() -> None:
    assert SEARCH_RESULTS_PATH == PATH


def test_results_for_a_word_are_those_of_the_api(client: FlaskClient) -> None:
    api = client.get("/api/v1/search?q=公交").get_json()
    soup = _page(client, "/find?q=公交")
    assert _titles(soup) == [hit["title"] for hit in api["hits"]]
    assert {"公交站点信息", "公交线路信息"} <= set(_titles(soup)[:2])
    assert soup.select_one("#sv-find-results mark").get_text() == "公交"
    assert f"找到 {api['total']} 个数据集" in soup.select_one("#sv-find-count").get_text()
    assert soup.select_one("input[name=q]")["value"] == "公交"
    first = soup.select_one("#sv-find-results a.pt-item-title")["href"]
    assert first.startswith("https://data.yunhe.example.gov.cn/datasets/")
    assert soup.select_one("form.sv-find-form")["action"] == "/find"
    assert soup.html["lang"].startswith("zh")


def test_facets_are_links_that_narrow_and_widen(client: FlaskClient) -> None:
    soup = _page(client, "/find?q=公交")
    facets = soup.select_one("nav.sv-find-facets")
    assert facets["aria-label"] == "筛选条件"
    headings = [h.get_text() for h in facets.find_all("h2")]
    assert headings[0] == "开放属性" and "数据提供部门" in headings
    link = next(a for a in facets.find_all("a") if a.get_text().startswith("无条件开放"))
    assert parse_qs(urlsplit(link["href"]).query) == {"q": ["公交"],
                                                     "open_type": ["unconditional"]}
    narrowed = _page(client, link["href"])
    api = client.get("/api/v1/search?q=公交&open_type=unconditional").get_json()
    assert _titles(narrowed) == [hit["title"] for hit in api["hits"]]
    chosen = narrowed.select_one("nav.sv-find-facets a[aria-current=true]")
    assert chosen.get_text().startswith("无条件开放") and "已选" in chosen.get_text()
    # The chosen value's link removes it again.
    assert parse_qs(urlsplit(chosen["href"]).query) == {"q": ["公交"]}


def test_pages_are_links(client: FlaskClient) -> None:
    api = client.get("/api/v1/search?open_type=unconditional&per_page=5").get_json()
    assert api["pages"] > 2
    soup = _page(client, "/find?open_type=unconditional&per_page=5")
    pager = soup.select_one("nav.sv-find-pager")
    assert pager["aria-label"] == "分页"
    assert f"第 1 / {api['pages']} 页" in pager.get_text()
    following = pager.find("a", rel="next")
    assert following.get_text() == "下一页"
    second = _page(client, following["href"])
    api2 = client.get("/api/v1/search?open_type=unconditional&per_page=5&page=2").get_json()
    assert _titles(second) == [hit["title"] for hit in api2["hits"]]
    assert second.select_one("nav.sv-find-pager a[aria-current=page]").get_text() == "2"
    assert second.select_one("nav.sv-find-pager a[rel=prev]").get_text() == "上一页"


def test_a_typing_slip_is_corrected_and_said(client: FlaskClient) -> None:
    soup = _page(client, "/find?q=公焦")
    count = soup.select_one("#sv-find-count")
    assert count["data-corrected"] == "公交"
    assert "以下是“公交”的结果" in count.get_text()
    assert "公交站点信息" in _titles(soup)


def test_without_a_word_the_page_says_how_to_search(client: FlaskClient) -> None:
    soup = _page(client, "/find")
    assert "输入关键词" in soup.get_text()
    assert soup.select_one("#sv-find-results") is None


def test_bad_input_is_said_in_chinese_never_a_server_error(client: FlaskClient) -> None:
    soup = _page(client, "/find?q=公交&page=999", status=400)
    alert = soup.select_one("[role=alert]")
    assert "超出范围" in alert.get_text() and alert.find("a", string="回到第一页")
    soup = _page(client, "/find?q=" + "字" * 201, status=400)
    assert "搜索词过长" in soup.select_one("[role=alert]").get_text()
    # An old link naming a department without data: results for the rest.
    soup = _page(client, "/find?q=公交&department=nosuch&utm_source=x")
    assert "数据提供部门“nosuch”不存在，已忽略。" in soup.get_text()
    assert "公交站点信息" in _titles(soup)
    for query, status in (("q=%3Cscript%3Ealert(1)%3C/script%3E", 200),
                          ("q=公交&page=abc", 400), ("sort=zzz", 400)):
        resp = client.get("/find?" + query)
        assert resp.status_code == status, query
        assert "<script>alert" not in resp.get_data(as_text=True)


def test_site_search_forms_lead_here_without_javascript(sample_site_for_api: Path) -> None:
    for rel in ("index.html", "search/index.html"):
        soup = BeautifulSoup((sample_site_for_api / rel).read_text(encoding="utf-8"),
                             "html.parser")
        form = soup.find("form", role="search")
        assert form["action"] == "/find", rel
        assert form.find("input", attrs={"name": "q"})
    noscript = BeautifulSoup((sample_site_for_api / "search/index.html").read_text(
        encoding="utf-8"), "html.parser").find("noscript")
    assert "未启用 JavaScript" in noscript.get_text()
