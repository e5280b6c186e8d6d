"""One portal, in real Chromium at 390 px (phone) and 1366 px (desktop):
static pages and the service's pages share the header and menu, from which
every section is reachable; public pages speak plain Chinese; on the phone
the catalogue's first result is above the fold (measured positions, not
pixels). The service serves the built sample site (`portal serve` layout).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import chromium, settle, watch_requests

pytestmark = pytest.mark.browser

SECTIONS = ("数据目录", "数据搜索", "数据接口", "申请进度查询", "开放需求", "意见建议",
            "应用成果", "统计", "公告")
# One page of each kind: static (home, catalogue, dataset, department,
# statistics, API, notices) and the service's (status, lists, forms).
PAGES = ("/", "/catalog/", "/datasets/jtj-0001/", "/datasets/dsj-0001/", "/departments/jtj/",
         "/statistics/", "/developers/", "/announcements/", "/requests/status", "/demands",
         "/showcase", "/apply/rsj-0003", "/report/jtj-0001", "/register", "/find?q=公交")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
# Names of formats, standards and tools are not English UI text.
# Words of one or two letters are codes (A级, K8路), not words.
ALLOWED_WORDS = {"CSV", "JSON", "XLSX", "Excel", "API", "CKAN", "Python", "OpenAPI", "BOM",
                 "SHA", "UTF", "DCAT", "Atom", "JavaScript", "Frictionless", "Data", "Package",
                 "curl", "pandas", "WGS", "YYYY"}
_VISIBLE_TEXT = """() => {
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walk.nextNode())) {
    const parent = node.parentElement;
    // Data values (the preview's cells) are the publisher's, not the portal's words.
    if (!parent || parent.closest('code,pre,script,style,noscript,[hidden],.pt-preview td'))
      continue;
    if (!parent.getClientRects().length) continue;
    const text = node.textContent.trim();
    if (text) out.push(text);
  }
  return out;
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium for the module (about 3 s a launch)."""
    with chromium() as launched:
        yield launched


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    yield f"sqlite:///{tmp_path / 'portal.sqlite3'}"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    # As `portal serve` runs: the site beside the service, links on this host.
    return {**app_config, "PUBLIC_SITE_URL": ""}


def _menu(page: Any, phone: bool) -> dict[str, str]:
    """Label → address of the main menu as a person sees it."""
    if phone:
        page.locator("label.md-header__button[for=__drawer]").click()
        links = page.locator("nav.md-nav--primary > ul > li > a.md-nav__link")
    else:
        links = page.locator("nav.md-tabs a.md-tabs__link")
    menu = {}
    for i in range(links.count()):
        link = links.nth(i)
        if link.is_visible():
            menu[link.inner_text().strip()] = link.get_attribute("href")
    return menu


def _plain_words_problems(texts: list[str]) -> list[str]:
    problems = []
    for text in texts:
        if "§" in text:
            problems.append(f"article code: {text!r}")
        if re.fullmatch(r"[a-z]{2,6}-\d{4}", text):
            problems.append(f"code as the only name: {text!r}")
        cleaned = re.sub(r"\S+@\S+|\S+\.(csv|json|xlsx|xml|jsonld)\b|https?://\S+"
                         r"|[a-z]{2,6}-\d{4}", "", text)
        english = [w for w in re.findall(r"[A-Za-z]{3,}", cleaned) if w not in ALLOWED_WORDS]
        if english:
            problems.append(f"English {english}: {text!r}")
    return problems


def test_every_page_reaches_every_section_in_plain_words(live_server: str, browser: Any) -> None:
    problems: list[str] = []
    checked: dict[str, int] = {}
    for viewport, phone in ((DESKTOP, False), (PHONE, True)):
        context = browser.new_context(viewport=viewport)
        watch_requests(context)
        page = context.new_page()
        for path in PAGES:
            response = page.goto(live_server + path)
            assert response is not None and response.status == 200, path
            settle(page)
            title = page.title()
            assert title.endswith("云河市公共数据开放平台"), (path, title)
            assert page.locator("header.md-header").count() == 1, f"{path}: another header"
            assert page.locator("link[rel=icon]").count() == 1, path
            description = page.locator("meta[name=description]").get_attribute("content")
            assert description and "PORTALSHELL" not in description, path
            footer = page.locator("footer").inner_text()
            assert "云河市大数据发展管理局" in footer and "Material" not in footer, path
            if not phone:
                problems += [f"{path}: {p}" for p in
                             _plain_words_problems(page.evaluate(_VISIBLE_TEXT))]
            menu = _menu(page, phone)
            missing = [s for s in SECTIONS if s not in menu]
            assert not missing, f"{path} at {viewport['width']} px: no {missing} in {menu}"
            for label in SECTIONS:
                href = page.evaluate("h => new URL(h, location.href).href", menu[label])
                if href not in checked:
                    checked[href] = page.request.get(href).status
                assert checked[href] == 200, f"{label} → {href}: {checked[href]}"
        context.close()
    assert not problems, "\n".join(problems)


def test_phone_catalogue_shows_the_first_result_above_the_fold(live_server: str,
                                                              browser: Any) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live_server + "/catalog/")
    page.wait_for_selector("#pt-result-list li")
    first = page.locator("#pt-result-list li").first.bounding_box()
    assert first is not None and first["y"] + first["height"] <= PHONE["height"], first
    assert "左侧" not in page.locator("article").inner_text()
    # The filters are folded away, one tap opens them.
    assert not page.locator("#pt-facets fieldset").first.is_visible()
    page.locator("#pt-filter-box > summary").click()
    page.get_by_label("有条件开放").check()
    page.wait_for_function("location.search.includes('open_type=conditional')")
    assert "已选 1 项" in page.locator("#pt-filter-box > summary").inner_text()
    # Sorting by name (Chinese collation) reorders the list.
    page.select_option("#pt-sort", "name")
    page.wait_for_function("location.search.includes('sort=name')")
    titles = page.locator("#pt-result-list li a.pt-item-title").all_inner_texts()
    assert len(titles) == 7
    assert titles == page.evaluate(
        "ts => ts.slice().sort(new Intl.Collator('zh-CN').compare)", titles)
    context.close()
    desktop = browser.new_context(viewport=DESKTOP)
    wide = desktop.new_page()
    wide.goto(live_server + "/catalog/")
    wide.wait_for_selector("#pt-result-list li")
    assert wide.locator("#pt-facets fieldset").first.is_visible()
    desktop.close()


_CHART_TEXT = """() => [...document.querySelectorAll('svg.pt-chart')].map(svg => {
  const box = svg.getBoundingClientRect();
  return [...svg.querySelectorAll('text')].map(t => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent, size: parseFloat(getComputedStyle(t).fontSize) *
              (box.width / svg.viewBox.baseVal.width),
            inside: r.left >= box.left - 0.5 && r.right <= box.right + 0.5 &&
                    r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5,
            onScreen: r.right <= window.innerWidth};
  });
})"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1366"])
def test_statistics_charts_are_readable_with_their_numbers_beside(
        live_server: str, browser: Any, viewport: dict[str, int]) -> None:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(live_server + "/statistics/")
    charts = page.evaluate(_CHART_TEXT)
    assert len(charts) == 3
    for texts in charts:
        assert texts
        small = [t for t in texts if t["size"] < 12]
        assert not small, small[:3]
        assert all(t["inside"] and t["onScreen"] for t in texts), [
            t for t in texts if not (t["inside"] and t["onScreen"])][:3]
    # Each chart has its numbers in a table beside (or under) it, and bars tooltips.
    assert page.locator(".pt-chart-pair").count() == 3
    assert page.locator(".pt-chart-pair table.pt-table").count() == 3
    tooltips = page.locator("svg.pt-chart rect title").all_text_contents()
    assert tooltips and all(re.search(r"：\S+ \d+个$", t) for t in tooltips), tooltips[:3]
    header = page.locator(".pt-chart-pair table.pt-table th").first
    assert header.evaluate("th => getComputedStyle(th).backgroundColor") != "rgba(0, 0, 0, 0)"
    context.close()
