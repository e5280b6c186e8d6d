"""Per-department Atom feeds and feed autodiscovery on the sample portal,
read with feedparser (what feed readers use) and an HTML parser."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import urljoin

import feedparser
import pytest
from bs4 import BeautifulSoup

from domain.catalogue.catalog import load_catalog
from domain.catalogue.model import OpenType
from tests.conftest import REPO, run_build

pytestmark = pytest.mark.slow
SAMPLE = REPO / "datasets"


@pytest.fixture(scope="module")
def sample_site(built_sample: Path) -> Path:
    """The sample built once for the run (read only here)."""
    return built_sample


def _head_feeds(site: Path, rel: str) -> list[tuple[str, str]]:
    """(title, href resolved against the page's folder) of each feed link."""
    soup = BeautifulSoup((site / rel / "index.html").read_text(encoding="utf-8"), "html.parser")
    links = soup.head.find_all("link", rel="alternate", type="application/atom+xml")
    return [(link["title"], urljoin(f"/{rel}", link["href"])) for link in links]


def test_every_department_with_datasets_has_a_valid_feed_of_its_own(sample_site: Path) -> None:
    published = json.loads((sample_site / "catalog.json").read_text(encoding="utf-8"))["datasets"]
    departments = {r["department"] for r in published}
    names = {r["department"]: r["department_name"] for r in published}
    files = sorted((sample_site / "feeds" / "departments").glob("*.xml"))
    assert {f.stem for f in files} == departments
    for code in departments:
        feed = feedparser.parse((sample_site / "feeds/departments" / f"{code}.xml").read_bytes())
        assert feed.bozo == 0, (code, feed.get("bozo_exception"))
        assert feed.feed.title.endswith(f"{names[code]}数据更新")
        assert feed.feed.id.endswith(f"/feeds/departments/{code}.xml")
        mine = {r["id"] for r in published if r["department"] == code}
        ids = {e.id.rstrip("/").rsplit("/", 1)[1] for e in feed.entries}
        assert ids == mine  # the sample has fewer than 50 datasets per department
        assert all(names[code] in e.summary for e in feed.entries)


def test_feeds_never_list_not_open_datasets_and_never_link_data(sample_site: Path) -> None:
    catalog, _ = load_catalog(SAMPLE)
    hidden = {d.identifier for d in catalog.datasets if d.open_type is OpenType.NOT_OPEN}
    conditional = {d.identifier for d in catalog.datasets if d.open_type is OpenType.CONDITIONAL}
    assert hidden and conditional
    conditional_entries = 0
    for path in [sample_site / "feed.xml", *(sample_site / "feeds").rglob("*.xml")]:
        text = path.read_text(encoding="utf-8")
        assert not any(f"/{ident}/" in text for ident in hidden), path
        for entry in feedparser.parse(text).entries:
            assert all(link.href.endswith("/") for link in entry.links)  # pages, no files
            conditional_entries += entry.id.rstrip("/").rsplit("/", 1)[1] in conditional
    # A conditional dataset's metadata is public: it is announced, by its page only.
    assert conditional_entries > 0


def test_withdrawn_dataset_is_an_entry_of_its_department_feed(sample_site: Path) -> None:
    feed = feedparser.parse((sample_site / "feeds/departments/jtj.xml").read_bytes())
    withdrawn = [e for e in feed.entries if e.id.endswith("/datasets/jtj-0005/")]
    assert len(withdrawn) == 1 and withdrawn[0].title.startswith("撤回：")
    site = feedparser.parse((sample_site / "feed.xml").read_bytes())
    assert site.bozo == 0
    assert [e.title for e in site.entries if e.id.endswith("/datasets/jtj-0005/")][0] \
        .startswith("撤回：")


def test_feed_ids_are_stable_across_builds(sample_site: Path, tmp_path: Path) -> None:
    again = tmp_path / "site"
    run_build(SAMPLE, again)
    for path in (sample_site / "feeds" / "departments").glob("*.xml"):
        first = feedparser.parse(path.read_bytes())
        second = feedparser.parse((again / path.relative_to(sample_site)).read_bytes())
        assert first.feed.id == second.feed.id
        assert [e.id for e in first.entries] == [e.id for e in second.entries]
    shutil.rmtree(again)


def test_pages_name_their_feeds_in_the_head(sample_site: Path) -> None:
    home = _head_feeds(sample_site, "")
    assert [href for _, href in home] == ["/feed.xml"]
    assert home[0][0].endswith("数据更新")
    department = _head_feeds(sample_site, "departments/jtj/")
    assert [href for _, href in department] == ["/feeds/departments/jtj.xml"]
    assert "交通" in department[0][0]
    dataset = _head_feeds(sample_site, "datasets/jtj-0001/")
    assert dataset == department
    for _, href in home + department:
        assert (sample_site / href.lstrip("/")).is_file()
