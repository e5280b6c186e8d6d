"""The sample catalogue (datasets/) built as a portal: the cases the
sample exists to show, and the guarantee that conditional and not-open data
never reach the site (SPEC §3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from domain.catalogue.catalog import load_catalog
from domain.catalogue.model import OpenType
from tests.conftest import REPO

pytestmark = pytest.mark.slow
SAMPLE = REPO / "datasets"


@pytest.fixture(scope="module")
def sample_site(built_sample: Path) -> Path:
    """The sample site (built once per run, read-only)."""
    return built_sample


def page(site: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((site / rel / "index.html").read_text(encoding="utf-8"), "html.parser")


def test_no_line_of_unpublished_data_is_in_the_site(sample_site: Path) -> None:
    catalog, _ = load_catalog(SAMPLE)
    secret_lines: set[bytes] = set()
    for dataset in catalog.datasets:
        if dataset.data_is_public:
            continue
        for resource in dataset.resources:
            data = (SAMPLE / dataset.source_dir / resource.path).read_bytes()
            secret_lines |= {line.strip() for line in data.splitlines()[1:] if line.strip()}
    assert len(secret_lines) > 1000
    for path in sample_site.rglob("*"):
        if path.is_file():
            lines = {line.strip() for line in path.read_bytes().splitlines()}
            assert not (lines & secret_lines), f"unpublished data in {path}"
    not_open = [d.identifier for d in catalog.datasets if d.open_type is OpenType.NOT_OPEN]
    assert not_open
    for identifier in not_open:
        assert not (sample_site / "datasets" / identifier).exists()


def test_emergency_data_is_first_on_the_home_page(sample_site: Path) -> None:
    home = page(sample_site, "")
    emergency = home.select_one("#emergency")
    assert emergency is not None
    links = [a["href"] for a in emergency.find_next("div").select("a.pt-item-title")]
    assert links == ["datasets/yjj-0001/"]


def test_withdrawn_and_invalid_datasets_are_announced(sample_site: Path) -> None:
    notices = page(sample_site, "announcements")
    rows = [[td.get_text(strip=True) for td in tr.find_all("td")]
            for tr in notices.select("table tbody tr")]
    kinds = {row[2]: row[1] for row in rows}
    assert kinds["互联网租赁自行车电子围栏停放点"] == "撤回"
    assert kinds["2026年普通高考云河考区考点信息"] == "失效"
    withdrawn = page(sample_site, "datasets/jtj-0005")
    assert "已于 2026-06-30 撤回" in withdrawn.get_text()
    assert not withdrawn.select("table.pt-downloads")


def test_overdue_dataset_is_visibly_stale(sample_site: Path) -> None:
    stale = page(sample_site, "datasets/jtj-0004")
    assert stale.select_one(".pt-fresh-overdue") is not None
    assert "更新逾期" in stale.get_text()


def test_masked_personal_data_is_published(sample_site: Path) -> None:
    folder = sample_site / "datasets" / "mzj-0002"
    text = next(folder.glob("*.csv")).read_text(encoding="utf-8")
    assert "********" in text and "****" in text


def test_every_emitted_data_package_validates(sample_site: Path) -> None:
    from frictionless import validate

    packages = sorted((sample_site / "datasets").glob("*/datapackage.json"))
    assert len(packages) >= 20
    for descriptor in packages:
        report = validate(str(descriptor))
        assert report.valid, (descriptor, report.flatten(["rowNumber", "fieldName", "type"])[:5])
