"""`portal build` on the minimal fixture catalogue: pages, downloads,
catalogue files, and the rule that conditional and not-open data never
reach the site (SPEC §3; 003 §21)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from builder.build import BuildFailed, UnsafeOutput
from tests.conftest import MINIMAL, REPO, run_build


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_no_byte_of_conditional_or_not_open_data_reaches_the_site(minimal_site: Path) -> None:
    secrets = []
    for name in ("social-security/data/contributions.csv", "residents/data/residents.csv"):
        content = (MINIMAL / name).read_bytes()
        secrets += [line for line in content.splitlines()[1:] if line]
    assert secrets
    for path in minimal_site.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for secret in secrets:
                assert secret not in data, f"{secret!r} leaked into {path}"
            assert b"SECRET-MARKER" not in data, path
    # The conditional dataset has a page and nothing else.
    assert sorted(p.name for p in (minimal_site / "datasets" / "rsj-0001").iterdir()) == ["index.html"]


def test_not_open_dataset_appears_nowhere(minimal_site: Path) -> None:
    assert not (minimal_site / "datasets" / "gaj-0001").exists()
    for path in minimal_site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".xml", ".jsonld"):
            text = path.read_text(encoding="utf-8", errors="replace")
            assert "gaj-0001" not in text and "户籍人口明细" not in text, path


def test_dataset_page_shows_metadata_dictionary_preview_and_downloads(minimal_site: Path) -> None:
    page = soup(minimal_site / "datasets" / "jtj-0001" / "index.html")
    assert page.find("h1").get_text(strip=True) == "公交站点信息"
    meta = {tr.th.get_text(strip=True): tr.td.get_text(" ", strip=True)
            for tr in page.select("table.pt-meta tr")}
    assert meta["开放属性"] == "无条件开放"
    assert meta["数据提供部门"] == "云河市交通运输局"
    assert meta["更新频度"] == "每月"
    assert "2026-11-01" in meta["最近更新"]
    dictionary = [td.get_text(strip=True) for td in page.select("table.pt-dictionary td")]
    assert "站点名称" in dictionary and "数值" in dictionary
    preview = [td.get_text(strip=True) for td in page.select(".pt-preview td")]
    assert "人民广场" in preview
    links = {a["href"] for a in page.select("table.pt-downloads a")}
    assert links == {"bus-stops.csv", "bus-stops.excel.csv", "bus-stops.json", "bus-stops.xlsx"}
    assert re.search(r"共 \d+ 行、\d+ 列", page.select_one(".pt-table-size").get_text())
    hashes = [code.get_text() for code in page.select("code.pt-hash")]
    assert all(len(h) == 64 for h in hashes)
    snippets = page.select("pre.pt-snippet code")
    assert any("pd.read_csv(\"https://data.test.example/datasets/jtj-0001/bus-stops.csv\")"
               in s.get_text() for s in snippets)
    ld = json.loads(page.find("script", type="application/ld+json").string)
    assert ld["@type"] == "Dataset" and ld["identifier"] == "jtj-0001"
    assert ld["distribution"][0]["contentUrl"].endswith("bus-stops.csv")


def test_conditional_page_has_conditions_and_apply_button(minimal_site: Path) -> None:
    page = soup(minimal_site / "datasets" / "rsj-0001" / "index.html")
    button = page.select_one("a.pt-apply-button")
    assert button["href"] == "http://127.0.0.1:5000/apply/rsj-0001"
    assert "仅限金融机构" in page.select_one(".pt-apply").get_text()
    assert not page.select("table.pt-downloads")
    # Beside the request form, a plain link to apply for authorised operation
    # (000 §36(一)), with the dataset already filled in.
    link = page.select_one(".pt-apply a.pt-operation-link")
    assert link["href"] == "http://127.0.0.1:5000/operations/apply?datasets=rsj-0001"
    assert link.get_text() == "申请授权运营"


def test_only_conditional_pages_link_to_authorised_operation(minimal_site: Path) -> None:
    page = soup(minimal_site / "datasets" / "jtj-0001" / "index.html")
    assert not page.select("a.pt-operation-link")


def test_downloads_are_exact_excel_safe_and_typed(minimal_site: Path) -> None:
    folder = minimal_site / "datasets" / "jtj-0001"
    source = (MINIMAL / "bus-stops" / "data" / "bus-stops.csv").read_bytes()
    assert (folder / "bus-stops.csv").read_bytes() == source
    excel = (folder / "bus-stops.excel.csv").read_bytes()
    assert excel.startswith(b"\xef\xbb\xbf")
    assert "'=HYPERLINK" in excel.decode("utf-8-sig")
    records = json.loads((folder / "bus-stops.json").read_text(encoding="utf-8"))
    assert records[0] == {"stop_id": "S0001", "stop_name": "人民广场",
                          "longitude": 121.4737, "latitude": 31.2304}


def test_emitted_datapackage_validates_with_frictionless(minimal_site: Path) -> None:
    from frictionless import validate

    descriptor = minimal_site / "datasets" / "jtj-0001" / "datapackage.json"
    report = validate(str(descriptor))
    assert report.valid, report.flatten(["type", "message"])
    data = json.loads(descriptor.read_text(encoding="utf-8"))
    assert data["resources"][0]["hash"].startswith("sha256:")


def test_tampered_download_fails_frictionless_hash_check(tmp_path: Path, minimal_site: Path) -> None:
    from frictionless import validate

    copy = tmp_path / "pkg"
    shutil.copytree(minimal_site / "datasets" / "jtj-0001", copy)
    with (copy / "bus-stops.csv").open("a", encoding="utf-8") as handle:
        handle.write("S0009,篡改,121.0,31.0\n")
    report = validate(str(copy / "datapackage.json"))
    assert not report.valid
    assert {e[0] for e in report.flatten(["type"])} & {"hash-count", "byte-count"}


def test_catalogue_files(minimal_site: Path) -> None:
    catalog = json.loads((minimal_site / "catalog.json").read_text(encoding="utf-8"))
    assert [d["id"] for d in catalog["datasets"]] == ["jtj-0001", "rsj-0001"]
    from rdflib import Graph
    from rdflib.namespace import DCAT, RDF

    for name, fmt in (("dcat.jsonld", "json-ld"), ("dcat.ttl", "turtle")):
        dcat = Graph().parse(minimal_site / name, format=fmt)
        assert len(list(dcat.subjects(RDF.type, DCAT.Catalog))) == 1
        assert len(list(dcat.subjects(RDF.type, DCAT.Dataset))) == 2
    sitemap = (minimal_site / "sitemap.xml").read_text(encoding="utf-8")
    assert "https://data.test.example/datasets/jtj-0001/" in sitemap
    robots = (minimal_site / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert robots[0] == "User-agent: *"
    assert {"Disallow: /review/", "Disallow: /consult/", "Disallow: /requests/"} <= set(robots)
    assert "Sitemap: https://data.test.example/sitemap.xml" in robots
    assert "Disallow: /" not in robots  # the public pages stay crawlable
    from xml.etree import ElementTree

    feed = ElementTree.parse(minimal_site / "feed.xml").getroot()
    entries = feed.findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 2


def test_pages_load_nothing_from_other_hosts(minimal_site: Path) -> None:
    for path in minimal_site.rglob("*.html"):
        page = soup(path)
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src")):
            for element in page.find_all(tag):
                url = element.get(attr) or ""
                if tag == "link" and element.get("rel") in (["canonical"], ["alternate"]):
                    continue
                assert not url.startswith(("http:", "https:", "//")), f"{path}: {url}"


def test_home_counts_and_department_page(minimal_site: Path) -> None:
    home = soup(minimal_site / "index.html")
    numbers = [s.get_text() for s in home.select(".pt-stat-number")]
    assert numbers[:2] == ["2", "2"]
    dept = soup(minimal_site / "departments" / "jtj" / "index.html")
    assert [a.get_text() for a in dept.select("a.pt-item-title")] == ["公交站点信息"]


def test_rebuild_reuses_unchanged_pages_and_follows_a_change(tmp_path: Path,
                                                              catalog_copy: Path) -> None:
    out = tmp_path / "site"
    first = run_build(catalog_copy, out)
    assert first.pages_written == 2
    again = run_build(catalog_copy, out)
    assert again.pages_written == 0 and again.pages_reused == 2
    descriptor = catalog_copy / "bus-stops" / "datapackage.yaml"
    descriptor.write_text(descriptor.read_text(encoding="utf-8").replace(
        "title: 公交站点信息", "title: 公交站点基础信息"), encoding="utf-8")
    changed = run_build(catalog_copy, out)
    assert changed.pages_written == 1 and changed.pages_reused == 1
    assert "公交站点基础信息" in (out / "datasets" / "jtj-0001" / "index.html").read_text("utf-8")


def test_rebuild_follows_a_change_into_department_page_and_catalogue_files(
        tmp_path: Path, catalog_copy: Path) -> None:
    # Department pages and catalog.json are skipped while their key holds:
    # a title change must still reach both, and a deleted file comes back.
    out = tmp_path / "site"
    run_build(catalog_copy, out)
    department = out / "departments" / "jtj" / "index.html"
    catalog_json = out / "catalog.json"
    stamp = department.stat().st_mtime_ns, catalog_json.stat().st_mtime_ns
    run_build(catalog_copy, out)
    assert (department.stat().st_mtime_ns, catalog_json.stat().st_mtime_ns) == stamp
    descriptor = catalog_copy / "bus-stops" / "datapackage.yaml"
    descriptor.write_text(descriptor.read_text(encoding="utf-8").replace(
        "title: 公交站点信息", "title: 公交站点基础信息"), encoding="utf-8")
    catalog_json.unlink()
    run_build(catalog_copy, out)
    assert "公交站点基础信息" in department.read_text(encoding="utf-8")
    titles = [d["title"] for d in json.loads(catalog_json.read_text("utf-8"))["datasets"]]
    assert "公交站点基础信息" in titles


def test_rebuild_notices_a_schema_file_edit_and_a_link_repointed_outside(
        tmp_path: Path, catalog_copy: Path) -> None:
    # The loader reuses datasets of unchanged folders: an edit of a file the
    # descriptor only refers to, and a link re-pointed out of the catalogue,
    # must both be seen on the next build.
    out = tmp_path / "site"
    folder = catalog_copy / "bus-stops"
    data = yaml.safe_load((folder / "datapackage.yaml").read_text(encoding="utf-8"))
    (folder / "schema.json").write_text(json.dumps(
        data["resources"][0]["schema"], ensure_ascii=False), encoding="utf-8")
    data["resources"][0]["schema"] = "schema.json"
    (folder / "datapackage.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                             encoding="utf-8")
    run_build(catalog_copy, out)
    schema = json.loads((folder / "schema.json").read_text(encoding="utf-8"))
    schema["fields"][0]["title"] = "站点编号（修订）"
    (folder / "schema.json").write_text(json.dumps(schema, ensure_ascii=False),
                                        encoding="utf-8")
    run_build(catalog_copy, out)
    assert "站点编号（修订）" in (out / "datasets" / "jtj-0001" / "index.html").read_text("utf-8")
    outside = tmp_path / "outside.csv"
    shutil.copy(folder / data["resources"][0]["path"], outside)
    (folder / "data" / "linked.csv").symlink_to(folder / data["resources"][0]["path"])
    data["resources"][0]["path"] = "data/linked.csv"
    (folder / "datapackage.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                             encoding="utf-8")
    run_build(catalog_copy, out)  # a link inside the folder is fine
    (folder / "data" / "linked.csv").unlink()
    (folder / "data" / "linked.csv").symlink_to(outside)
    # A link leading out of the catalogue withholds the dataset (and takes
    # its page down); the rest of the portal is built.
    result = run_build(catalog_copy, out)
    assert "resource-path-unsafe" in result.changes.withheld["jtj-0001"]
    assert "jtj-0001" in result.changes.taken_down
    assert not (out / "datasets" / "jtj-0001" / "bus-stops.csv").exists()


def test_a_new_calendar_file_moves_the_due_date_on_the_page(tmp_path: Path,
                                                           catalog_copy: Path) -> None:
    # Daily data promised in working days: a calendar file that makes
    # 2026-11-24 a day off moves "下次应于" from 11-24 to 11-25 on the next
    # build, although no dataset file changed.
    vocab = catalog_copy / "vocabularies.yaml"
    text = vocab.read_text(encoding="utf-8")
    assert "code: daily" in text
    vocab.write_text(re.sub(r"(\{code: daily, name: 每日)[^}]*\}",
                            r"\1, max_age_working_days: 2}", text), encoding="utf-8")
    descriptor = catalog_copy / "bus-stops" / "datapackage.yaml"
    descriptor.write_text(descriptor.read_text(encoding="utf-8").replace(
        "update_frequency: monthly", "update_frequency: daily").replace(
        "last_updated: 2026-11-01", "last_updated: 2026-11-20"), encoding="utf-8")
    out = tmp_path / "site"
    page = out / "datasets" / "jtj-0001" / "index.html"
    run_build(catalog_copy, out)
    assert "下次应于 2026-11-24 前更新" in page.read_text(encoding="utf-8")
    shipped = json.loads((REPO / "domain" / "data" / "calendars" / "2026.json").read_text("utf-8"))
    shipped["holidays"].append("2026-11-24")
    (catalog_copy / "calendars").mkdir()
    (catalog_copy / "calendars" / "2026.json").write_text(json.dumps(shipped), encoding="utf-8")
    run_build(catalog_copy, out)
    assert "下次应于 2026-11-25 前更新" in page.read_text(encoding="utf-8")


def test_dataset_made_not_open_loses_page_and_files(tmp_path: Path, catalog_copy: Path) -> None:
    out = tmp_path / "site"
    run_build(catalog_copy, out)
    assert (out / "datasets" / "jtj-0001" / "bus-stops.csv").exists()
    descriptor = catalog_copy / "bus-stops" / "datapackage.yaml"
    data = yaml.safe_load(descriptor.read_text(encoding="utf-8"))
    data.update(open_type="not_open", legal_basis="《测试条例》第一条")
    descriptor.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run_build(catalog_copy, out)
    # Issue 13 changed this: the page is not deleted but becomes a short
    # 暂停发布 notice without data (000 §33: a withdrawal is announced).
    assert [p.name for p in (out / "datasets" / "jtj-0001").iterdir()] == ["index.html"]
    notice = (out / "datasets" / "jtj-0001" / "index.html").read_text("utf-8")
    assert "暂停发布" in notice and "开放属性已调整" in notice
    assert result.files_removed >= 4
    assert result.changes.taken_down["jtj-0001"].reason == "not-open"
    assert not result.changes.withheld


def test_a_dataset_with_errors_is_withheld_and_the_rest_published(
        tmp_path: Path, catalog_copy: Path) -> None:
    descriptor = catalog_copy / "social-security" / "datapackage.yaml"
    text = descriptor.read_text(encoding="utf-8")
    assert "legal_basis: 《社会保险法》第八十一条\n" in text
    descriptor.write_text(text.replace("legal_basis: 《社会保险法》第八十一条\n", ""),
                          encoding="utf-8")
    ident = yaml.safe_load(text)["name"]
    out = tmp_path / "site"
    result = run_build(catalog_copy, out)
    assert result.changes.withheld == {ident: ["legal-basis-missing"]}
    assert ident not in result.changes.published and result.changes.published
    assert not (out / "datasets" / ident).exists()
    for rel in ("catalog.json", "sitemap.xml"):
        assert ident not in (out / rel).read_text("utf-8")


def test_a_catalogue_wide_error_writes_nothing(tmp_path: Path, catalog_copy: Path) -> None:
    (catalog_copy / "vocabularies.yaml").write_text("themes: [1, 2\n", encoding="utf-8")
    out = tmp_path / "site"
    with pytest.raises(BuildFailed):
        run_build(catalog_copy, out)
    assert not out.exists() or not any(out.iterdir())


def test_refuses_a_foreign_non_empty_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(UnsafeOutput):
        run_build(MINIMAL, out)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_statistics_page_and_exports(minimal_site: Path) -> None:
    import csv
    import io

    stats = json.loads((minimal_site / "statistics.json").read_text(encoding="utf-8"))
    rows = {row["department"]: row for row in stats["departments"]}
    assert rows["jtj"]["datasets"] == 1 and rows["jtj"]["on_time_rate"] == 100.0
    assert stats["total"]["datasets"] == 2
    raw = (minimal_site / "statistics.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table[0][:4] == ["部门代码", "部门", "数据集", "无条件开放"]
    assert table[-1][1] == "全部" and table[-1][2] == "2"
    page = soup(minimal_site / "statistics" / "index.html")
    assert "云河市交通运输局" in page.get_text()
    # Charts drawn at build time, with the numbers in their tooltips.
    charts = page.select("svg.pt-chart")
    assert [c["aria-label"] for c in charts] == [
        "各部门开放数据集数量", "各部门数据集更新情况", "各领域数据集数量"]
    tips = [t.get_text() for t in charts[0].select("rect > title")]
    assert any(t.startswith("云河市交通运输局：无条件开放 1") for t in tips)
    live = page.select_one("#pt-live-stats")
    assert live is not None and json.loads(live["data-departments"])["jtj"] == "云河市交通运输局"


def test_dataset_page_shows_quality_criteria(minimal_site: Path) -> None:
    page = soup(minimal_site / "datasets" / "jtj-0001" / "index.html")
    assert page.select_one("a.pt-quality").get_text(strip=True) == "质量 67 分"
    assert len(page.select(".pt-quality-list li")) == 7
    assert len(page.select(".pt-quality-list li.pt-quality-na")) == 1  # no report data here


def test_without_build_state_stale_data_files_are_still_removed(tmp_path: Path,
                                                                catalog_copy: Path) -> None:
    out = tmp_path / "site"
    run_build(catalog_copy, out)
    assert (out / "datasets" / "jtj-0001" / "bus-stops.csv").exists()
    shutil.rmtree(tmp_path / "cache")  # lost state: new machine, other --cache-dir
    descriptor = catalog_copy / "bus-stops" / "datapackage.yaml"
    data = yaml.safe_load(descriptor.read_text(encoding="utf-8"))
    data.update(open_type="conditional", open_conditions="仅限科研", legal_basis="《测试条例》第一条")
    descriptor.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    run_build(catalog_copy, out)
    assert sorted(p.name for p in (out / "datasets" / "jtj-0001").iterdir()) == ["index.html"]


def test_preview_columns_are_headed_by_chinese_titles_and_booleans_read_yes_no() -> None:
    from builder.pages import readable_preview

    fields = [{"name": "stop_name", "title": "站点名称", "type": "string"},
              {"name": "shelter", "title": "有无候车亭", "type": "boolean"},
              {"name": "note", "title": "", "type": "string"}]
    columns, rows = readable_preview(fields, ["stop_name", "shelter", "note"],
                                     [["人民广场", "true", "true"], ["东站", "0", "1"],
                                      ["西站", "", "x"]])
    assert columns == [{"title": "站点名称", "name": "stop_name"},
                       {"title": "有无候车亭", "name": "shelter"},
                       {"title": "note", "name": "note"}]
    # Only the boolean column changes; an empty cell stays empty.
    assert rows == [["人民广场", "是", "true"], ["东站", "否", "1"], ["西站", "", "x"]]


def test_each_open_table_has_an_xlsx_with_chinese_titles_and_typed_cells(
        minimal_site: Path) -> None:
    from openpyxl import load_workbook

    book = load_workbook(minimal_site / "datasets" / "jtj-0001" / "bus-stops.xlsx")
    rows = list(book.active.iter_rows(values_only=True))
    csv_rows = (minimal_site / "datasets" / "jtj-0001" / "bus-stops.csv").read_text(
        encoding="utf-8").splitlines()
    assert len(rows) == len(csv_rows)  # header + every row
    assert "站点名称" in rows[0]
    numbers = [v for row in rows[1:] for v in row if isinstance(v, int | float)]
    assert numbers, "numeric columns are stored as numbers"


def test_guide_and_api_page_examples_read_a_real_csv(minimal_site: Path) -> None:
    base = "https://data.test.example/"
    for page in ("guide", "developers"):
        html = (minimal_site / page / "index.html").read_text(encoding="utf-8")
        urls = re.findall(r'pd\.read_csv\(&#34;([^&]+)&#34;\)|pd\.read_csv\("([^"]+)"\)', html)
        found = [a or b for a, b in urls]
        assert found, f"{page}: no pandas example"
        for url in found:
            assert url.startswith(base) and url.endswith(".csv"), url
            assert (minimal_site / url[len(base):]).is_file(), url
    api = (minimal_site / "developers" / "index.html").read_text(encoding="utf-8")
    for path in ("/api/v1/search", "/api/3/action/package_search", "/api/3/action/package_show"):
        assert path in api
    assert "按行查询接口" in api


def test_only_a_folder_empty_before_the_build_skips_the_stale_file_walk(tmp_path: Path) -> None:
    from builder.site_output import SiteOutput

    assert SiteOutput(tmp_path / "missing", {}).started_empty
    (tmp_path / "empty").mkdir()
    assert SiteOutput(tmp_path / "empty", {}).started_empty
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "stale.csv").write_text("x", encoding="utf-8")
    site = SiteOutput(tmp_path / "old", {})
    assert not site.started_empty
    assert site.remove_stale() == 1 and not (tmp_path / "old" / "stale.csv").exists()
