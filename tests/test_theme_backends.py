"""Both theme backends (mkdocs-material and Zensical) build the same site.

The sample catalogue is built with each (the default one's is the sample
built once for the run); the pages are compared as parsed HTML (title,
header, navigation, main content, footer), not as text: the two generators
write different markup around the same content.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path
from urllib.parse import urljoin

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from builder.build import BuildConfig, build
from builder.theme import DEFAULT_BACKEND, THEME_BACKENDS, ThemeError, build_theme_pages
from tests.conftest import MINIMAL, REPO, TODAY

SITE = "https://data.example.gov.cn/"


def _build(catalog: Path, root: Path, backend: str) -> Path:
    out = root / backend / "site"
    build(BuildConfig(catalog_dir=catalog, out_dir=out, today=date(2026, 11, 23),
                      cache_dir=out.parent / "cache", theme_backend=backend))
    return out


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory, built_sample: Path) -> dict[str, Path]:
    """The sample catalogue under each generator: the default one's is the
    sample built once for the run (the same options); the others are built."""
    root = tmp_path_factory.mktemp("backends")
    assert DEFAULT_BACKEND == THEME_BACKENDS[0]
    return {backend: built_sample if backend == DEFAULT_BACKEND
            else _build(REPO / "datasets", root, backend) for backend in THEME_BACKENDS}


def _pages(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html")
            if not p.relative_to(site).as_posix().startswith("assets/")}


def _text(node: object) -> str:
    return re.sub(r"\s+", " ", node.get_text(" ", strip=True)) if node else ""  # type: ignore[attr-defined]


def _parts(site: Path, rel: str) -> dict[str, object]:
    """What a reader sees of a page: title, header, navigation (text and
    address resolved against the page), main content and footer."""
    soup = BeautifulSoup((site / rel).read_text(encoding="utf-8"), "html.parser")
    here = urljoin(SITE, rel.removesuffix("index.html"))  # the page is its folder
    tabs = [(_text(a), urljoin(here, a["href"])) for a in soup.select("a.md-tabs__link")]
    nav = [(_text(a), urljoin(here, a["href"]))
           for a in soup.select("nav.md-nav--primary a.md-nav__link")]
    return {"title": _text(soup.title),
            "header": [_text(t) for t in soup.select(".md-header__topic")],
            "tabs": tabs, "nav": nav,
            # XLSX downloads are written anew by each build and their
            # checksums differ (openpyxl stamps the time): not the theme's.
            "content": re.sub(r"\b[0-9a-f]{64}\b", "<sha256>",
                              _text(soup.select_one(".md-content article"))),
            "footer": _text(soup.select_one(".md-copyright"))}


@pytest.mark.slow  # two builds of the sample catalogue
def test_both_backends_publish_the_same_pages(sites: dict[str, Path]) -> None:
    material, zensical = (_pages(sites[b]) for b in THEME_BACKENDS)
    assert len(material) > 40
    assert zensical == material
    # Zensical's own search index is not published: the search API searches.
    assert not (sites["zensical"] / "search.json").exists()


@pytest.mark.slow  # two builds of the sample catalogue
@pytest.mark.parametrize("rel", ["index.html", "catalog/index.html", "departments/index.html",
                                 "announcements/index.html", "guide/index.html",
                                 "about/index.html", "statistics/index.html"])
def test_navigation_pages_match(sites: dict[str, Path], rel: str) -> None:
    material, zensical = (_parts(sites[b], rel) for b in THEME_BACKENDS)
    assert material["tabs"] and material["content"] and material["footer"]
    assert zensical == material


@pytest.mark.slow  # two builds of the sample catalogue
def test_dataset_and_department_pages_match(sites: dict[str, Path]) -> None:
    pages = sorted(p for p in _pages(sites["material"])
                   if p.startswith(("datasets/", "departments/")) and p.count("/") == 2)
    assert len(pages) > 30
    for rel in pages:
        material, zensical = (_parts(sites[b], rel) for b in THEME_BACKENDS)
        assert material["content"], rel
        assert zensical == material, rel


@pytest.mark.slow  # two builds of the sample catalogue
def test_zensical_pages_load_nothing_from_other_hosts_and_run_no_inline_script(
        sites: dict[str, Path]) -> None:
    site = sites["zensical"]
    for rel in ["index.html", "catalog/index.html", "datasets/jtj-0001/index.html"]:
        soup = BeautifulSoup((site / rel).read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(["script", "link", "img"]):
            address = tag.get("src") or tag.get("href") or ""
            assert not address.startswith(("http:", "https:", "//")) \
                or tag.get("rel") == ["canonical"], (rel, address)
        inline = [s for s in soup.find_all("script")
                  if not s.get("src")
                  and s.get("type") not in ("application/json", "application/ld+json")
                  and s.string and s.string.strip()]
        assert inline == [], rel


@pytest.mark.slow  # two builds of the sample catalogue
def test_zensical_writes_the_service_chrome(sites: dict[str, Path]) -> None:
    chrome = json.loads((sites["zensical"] / "assets/service-chrome.json").read_text("utf-8"))
    assert chrome["content_mark"] in chrome["page"]
    assert chrome["title_mark"] in chrome["page"] and chrome["root_mark"] in chrome["page"]
    assert "../../" not in chrome["page"]  # every link relative to the site root marker


def test_zensical_escapes_the_portal_name(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(MINIMAL, catalog)
    portal = catalog / "portal.yaml"
    text = re.sub(r"(?m)^name: .*$", 'name: "测试<i>x</i> & A"',
                  portal.read_text(encoding="utf-8"))
    portal.write_text(text, encoding="utf-8")
    sites = {b: _build(catalog, tmp_path, b) for b in THEME_BACKENDS}
    page = (sites["zensical"] / "about/index.html").read_text(encoding="utf-8")
    assert "<i>x</i>" not in page
    assert _parts(sites["zensical"], "about/index.html")["title"] == "关于 - 测试<i>x</i> & A"
    assert _parts(sites["zensical"], "about/index.html") == \
        _parts(sites["material"], "about/index.html")


def test_unknown_backend_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ThemeError, match="unknown theme backend 'hugo'"):
        build_theme_pages([], config_file=REPO / "builder/mkdocs.yml", staging=tmp_path,
                          site_name="x", site_url=SITE, backend="hugo")
    from portal.cli import main
    result = CliRunner().invoke(main, ["build", str(MINIMAL), "--out", str(tmp_path / "s"),
                                       "--theme-backend", "hugo"])
    assert result.exit_code == 2 and "'hugo' is not one of" in result.output


def test_the_cli_switches_to_zensical(tmp_path: Path) -> None:
    from portal.cli import main
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["build", str(MINIMAL), "--out", str(out), "--quiet",
                                       "--today", TODAY.isoformat(),
                                       "--theme-backend", "zensical"])
    assert result.exit_code in (0, 2), result.output
    assert "classic/main" in (out / "index.html").read_text(encoding="utf-8")
