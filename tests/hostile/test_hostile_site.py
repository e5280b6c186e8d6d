"""The static site escapes everything (issue #6).

A catalogue whose metadata, vocabulary, portal settings and CSV cells carry
script-injection payloads (tests/hostile/xss_catalog.py) is built and
indexed; every generated page type is then opened in real headless Chromium
from the live service (static site and search API on one server): home,
catalogue filter (the list rendered by portal.js), search page with results
from the API, departments, dataset pages, announcements, the other
navigation pages, and the service pages that show catalogue text.

In the browser a ``dialog`` handler records any alert/confirm/prompt, and an
init script turns ``window.__pwned`` (what the payloads set) into a trap
that records into the ``window.__xss`` sentinel; both must stay empty and no
page may throw. The built HTML is also parsed: no element carries an event
handler or a javascript:/data: link, JSON script blocks still parse and hold
the exact text, and the payloads are shown as text.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from tests.browser import chromium, settle, watch_requests
from tests.hostile.helpers import TODAY_ARG, assert_clean_exit, invoke
from tests.hostile.xss_catalog import (
    BREAK_SCRIPT,
    IMG,
    MARKDOWN,
    PAYLOADS,
    SCRIPT,
    SVG,
    TITLE,
    build_xss_catalog,
)

pytestmark = pytest.mark.browser

TRAP = """
window.__xss = [];
Object.defineProperty(window, "__pwned", {
  configurable: false,
  get: function () { return undefined; },
  set: function (value) { window.__xss.push(String(value)); },
});
"""
UNSAFE_SCHEMES = ("javascript:", "data:", "vbscript:")
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "poster", "srcdoc")


@pytest.fixture(scope="module")
def xss_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("xss")
    catalog = build_xss_catalog(root / "catalog")
    checked = invoke("check", str(catalog), *TODAY_ARG)
    assert_clean_exit(checked, 0)  # hostile text is legitimate data
    site = root / "site"
    built = invoke("build", str(catalog), "--out", str(site), "--cache-dir",
                   str(root / "cache"), "--quiet", *TODAY_ARG)
    assert_clean_exit(built, 0)
    return catalog, site


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'portal.sqlite3'}"  # the pages do not depend on it


@pytest.fixture
def app_config(app_config: dict[str, Any], xss_site: tuple[Path, Path]) -> dict[str, Any]:
    catalog, site = xss_site
    return {**app_config, "SITE_DIR": str(site), "CATALOG_JSON": str(site / "catalog.json"),
            "CATALOG_DIR": str(catalog), "PORTAL_NAME": f"门户{SCRIPT}"}


def _pages(site: Path) -> list[str]:
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("index.html"))
    return [p.removesuffix("index.html") for p in pages] + ["404.html"]


def _scheme(value: str) -> str:
    # What a browser would take for the scheme: controls and spaces ignored.
    return re.sub(r"[\x00-\x20]", "", value).lower()


def _unsafe_markup(soup: BeautifulSoup, where: str) -> Iterator[str]:
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            if name.lower().startswith("on"):
                yield f"{where}: <{tag.name} {name}={text[:60]!r}>"
            if name.lower() in URL_ATTRIBUTES and _scheme(text).startswith(UNSAFE_SCHEMES):
                yield f"{where}: <{tag.name} {name}={text[:60]!r}>"
        if tag.name in ("iframe", "object", "embed", "base", "frame"):
            yield f"{where}: <{tag.name}>"
        if tag.name == "img" and tag.get("src") == "x":
            yield f"{where}: injected <img>"
        if tag.name == "style" and "display:none" in (tag.string or ""):
            yield f"{where}: injected <style>"
        if tag.name == "script":
            kind = tag.get("type", "")
            body = tag.string or ""
            if kind in ("application/json", "application/ld+json"):
                json.loads(body)  # still one valid JSON document
            elif body.strip().startswith(("window.__pwned", "alert(")):
                yield f"{where}: injected <script>"


def test_built_pages_show_payloads_as_text(xss_site: tuple[Path, Path]) -> None:
    catalog, site = xss_site
    problems: list[str] = []
    for rel in _pages(site):
        path = site / (rel + "index.html" if not rel.endswith(".html") else rel)
        html = path.read_text(encoding="utf-8")
        problems += list(_unsafe_markup(BeautifulSoup(html, "html.parser"), rel))
        for raw in ("<script>alert(1)", "<script>window.__pwned", "<img src=x",
                    "<svg/onload", "<svg onload", "<iframe src=javascript"):
            if raw in html:
                problems.append(f"{rel}: raw {raw!r}")
    assert problems == []

    page = BeautifulSoup((site / "datasets/jtj-0001/index.html").read_text(encoding="utf-8"),
                         "html.parser")
    # The text itself arrives intact, as text.
    assert page.select_one("h1").get_text() == TITLE
    assert page.title is not None and page.title.get_text().startswith(TITLE)
    assert MARKDOWN in page.select_one(".pt-summary").get_text()
    assert [k.get_text() for k in page.select(".pt-keyword")] == [BREAK_SCRIPT, SVG, "公交"]
    cells = [td.get_text() for td in page.select(".pt-preview td")]
    assert IMG in cells and BREAK_SCRIPT in cells
    ld = json.loads(page.find("script", type="application/ld+json").string)
    assert ld["name"] == TITLE and MARKDOWN in ld["description"]
    # Links built from data keep their scheme: mailto stays mailto.
    mails = [a["href"] for a in page.select("a[href^='mailto:']")]
    assert mails and all(m.startswith("mailto:") for m in mails)
    apply = BeautifulSoup((site / "datasets/rsj-0001/index.html").read_text(encoding="utf-8"),
                          "html.parser").select_one("a.pt-apply-button")
    assert apply["href"].startswith("http://127.0.0.1:5000/") and len(apply.attrs) == 2
    # Machine-readable files still parse.
    for name in ("catalog.json", "catalog-index.json", "dcat.jsonld", "statistics.json"):
        json.loads((site / name).read_text(encoding="utf-8"))
    from rdflib import Graph, Literal
    from rdflib.namespace import DCTERMS

    turtle = Graph().parse(site / "dcat.ttl", format="turtle")
    assert Literal(TITLE, lang="zh") in set(turtle.objects(None, DCTERMS.title))
    from xml.etree import ElementTree

    atom = "{http://www.w3.org/2005/Atom}"
    feed = ElementTree.parse(site / "feed.xml").getroot()
    assert f"更新：{TITLE}" in [e.findtext(f"{atom}title") for e in feed.iter(f"{atom}entry")]


def _visit(page: Any, url: str, ready: str | None = None) -> None:
    page.goto(url, wait_until="load")
    if ready:
        # Polled from here: Playwright's wait_for_function evaluates its
        # predicate with eval, which the pages' CSP (no 'unsafe-eval') forbids.
        deadline = time.monotonic() + 10
        while not page.evaluate(ready):
            assert time.monotonic() < deadline, f"{url}: not ready ({ready})"
            page.wait_for_timeout(100)
    elif any(part in url for part in ("/catalog/", "/search/", "/datasets/")):
        settle(page)  # portal.js fetches data there


def test_no_payload_runs_in_chromium(live_server: str, xss_site: tuple[Path, Path]) -> None:
    catalog, site = xss_site
    visits: list[tuple[str, str | None]] = [(rel, None) for rel in _pages(site)]
    list_ready = "document.querySelectorAll('#pt-result-list li').length === 3"
    hits_ready = "document.querySelectorAll('#pt-search-results li').length > 0"
    visits += [
        ("catalog/", list_ready),
        (f"catalog/?department=jtj&text={SCRIPT}&theme=%22%5D%3Cimg%20src%3Dx%3E", None),
        ("search/?q=公交", hits_ready),
        ("search/?q=撤回", hits_ready),
        (f"search/?q={SCRIPT}", "document.getElementById('pt-search-count').textContent"),
        (f"search/?department={IMG}", "document.getElementById('pt-search-count').textContent"),
        ("apply/rsj-0001", None), ("register", None), ("report/jtj-0001", None),
        (f"apply/{SCRIPT}", None), ("requests/status", None),
    ]
    dialogs: list[str] = []
    errors: list[str] = []
    fired: dict[str, list[str]] = {}
    with chromium() as browser:
        page = browser.new_page()
        watch_requests(page.context)
        page.add_init_script(TRAP)
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: errors.append(str(e)))
        for rel, ready in visits:
            _visit(page, f"{live_server}/{rel}", ready)
            if page.evaluate("window.__xss.length"):
                fired[rel] = page.evaluate("window.__xss")
            links = page.eval_on_selector_all(
                "a[href], area[href], iframe[src], form[action]",
                "els => els.map(e => e.href || e.src || e.action)")
            bad = [u for u in links if _scheme(u).startswith(UNSAFE_SCHEMES)]
            assert bad == [], (rel, bad)
            if rel == "catalog/":
                titles = page.locator("#pt-result-list li a.pt-item-title").all_inner_texts()
                assert f"公交站点{BREAK_SCRIPT}" in "".join(titles)
            if rel == "search/?q=公交":
                shown = page.locator("#pt-search-results").inner_text()
                assert BREAK_SCRIPT in shown or "</script>" in shown
        # Interact: filter, hover and focus everything, follow the apply button.
        _visit(page, f"{live_server}/catalog/", list_ready)
        page.fill("#pt-facets input[name=text]", "<img src=x onerror=alert(1)>")
        page.locator("#pt-facets input[type=checkbox]").first.check()
        _visit(page, f"{live_server}/datasets/rsj-0001/")
        page.evaluate("""() => document.querySelectorAll('*').forEach(e => {
            for (const type of ['mouseover', 'mouseenter', 'focus', 'click']) {
              if (type === 'click' && e.closest('a[href], form, button')) continue;
              e.dispatchEvent(new Event(type, {bubbles: true}));
            }})""")
        if page.evaluate("window.__xss.length"):
            fired["interaction"] = page.evaluate("window.__xss")
    assert dialogs == [], f"dialogs opened: {dialogs}"
    assert fired == {}, f"payloads ran: {fired}"
    assert errors == [], f"page errors: {errors}"
    assert len(visits) >= 25
    # Sanity: every payload is on the pages visited, as text.
    text = "".join(BeautifulSoup((site / p).read_text(encoding="utf-8"), "html.parser").get_text()
                   for p in ("datasets/jtj-0001/index.html", "index.html", "about/index.html"))
    assert [p for p in PAYLOADS if p not in text] == []
