"""DCAT-AP 3: the catalogue graph validates against the official DCAT-AP
3.0.1 SHACL shapes (tests/data/dcat-ap, from SEMIC; see SOURCE.md there) with
pySHACL, in JSON-LD and in Turtle, on the sample and on a real catalogue."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, XSD

from builder.build import BuildConfig, build
from builder.dcat_vocab import composed_description, eu_theme
from builder.importer import import_catalog
from domain.catalogue.public_record import PublicRecord
from tests.conftest import REPO

SHAPES = Path(__file__).parent / "data" / "dcat-ap"
REAL = REPO.parent / "shared" / "real-catalogs"
OPERATOR = Path(__file__).parent / "data" / "import" / "real"


@cache
def shapes() -> Graph:
    graph = Graph().parse(SHAPES / "shapes.ttl")
    graph.parse(SHAPES / "range.ttl")
    return graph


def violations(data: Graph) -> list[str]:
    _conforms, report, _text = validate(data, shacl_graph=shapes(), inference="none",
                                        allow_warnings=True)
    sh = "http://www.w3.org/ns/shacl#"
    return sorted({f"{report.value(r, URIRef(sh + 'resultPath'))}: "
                   f"{report.value(r, URIRef(sh + 'resultMessage'))}"
                   for r in report.subjects(URIRef(sh + "resultSeverity"),
                                            URIRef(sh + "Violation"))})


@pytest.fixture(scope="module")
def sample(built_sample: Path) -> Path:
    """The sample site (built once per run, read-only)."""
    return built_sample


@pytest.mark.parametrize("name, fmt", [("dcat.jsonld", "json-ld"), ("dcat.ttl", "turtle")])
def test_sample_catalogue_validates(sample: Path, name: str, fmt: str) -> None:
    graph = Graph().parse(sample / name, format=fmt)
    assert violations(graph) == []
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 33
    # The catalogue links every dataset (the links are written beside the
    # header's graph, not in it), and nothing else.
    catalogues = list(graph.subjects(RDF.type, DCAT.Catalog))
    assert len(catalogues) == 1
    assert set(graph.objects(catalogues[0], DCAT.dataset)) == datasets
    assert f"共{len(datasets)}个数据集" in str(graph.value(catalogues[0], DCTERMS.description))


def test_every_dataset_carries_licence_contact_publisher_and_iri_themes(sample: Path) -> None:
    graph = Graph().parse(sample / "dcat.ttl", format="turtle")
    for dataset in graph.subjects(RDF.type, DCAT.Dataset):
        assert graph.value(dataset, DCAT.contactPoint) is not None, dataset
        assert graph.value(dataset, DCTERMS.publisher) is not None, dataset
        themes = list(graph.objects(dataset, DCAT.theme))
        assert themes and all(isinstance(t, URIRef) for t in themes), dataset
        for distribution in graph.objects(dataset, DCAT.distribution):
            assert graph.value(distribution, DCAT.accessURL) is not None
            assert graph.value(distribution, DCTERMS.license) is not None
            size = graph.value(distribution, DCAT.byteSize)
            assert isinstance(size, Literal) and size.datatype == XSD.nonNegativeInteger
            assert str(graph.value(distribution, DCAT.mediaType)).startswith(
                "https://www.iana.org/assignments/media-types/")
    transport = URIRef("https://data.yunhe.example.gov.cn/datasets/jtj-0001/#dataset")
    assert URIRef("http://publications.europa.eu/resource/authority/data-theme/TRAN") in set(
        graph.objects(transport, DCAT.theme))


def test_a_broken_graph_is_caught() -> None:
    """The validation can fail: a distribution without an access URL and a
    byte size typed decimal are violations."""
    graph = Graph()
    dist = URIRef("https://example.org/d")
    graph.add((dist, RDF.type, DCAT.Distribution))
    graph.add((dist, DCAT.byteSize, Literal("12", datatype=XSD.decimal)))
    found = violations(graph)
    assert any("accessURL" in v for v in found) and any("byteSize" in v for v in found)


def test_theme_names_map_to_eu_themes_and_descriptions_are_composed(sample: Path) -> None:
    assert eu_theme("交通出行") == "TRAN" and eu_theme("医疗卫生") == "HEAL"
    assert eu_theme("默认主题") is None
    record = PublicRecord.from_json(json.loads(
        (sample / "catalog.json").read_text(encoding="utf-8"))["datasets"][0])
    text = composed_description(dataclasses.replace(
        record, title="公交站点", department_name="市交通运输局", theme_name="交通出行",
        update_frequency_name="每月"))
    assert "市交通运输局" in text and "公交站点" in text and "根据目录信息生成" in text


@pytest.mark.slow
def test_a_real_catalogue_validates(tmp_path: Path) -> None:
    source = REAL / "guizhou_guiyang.json"
    if not source.is_file():
        pytest.skip(f"{source} is absent")
    root = tmp_path / "catalog"
    import_catalog(source, root, defaults=OPERATOR / "guiyang-defaults.yaml",
                   value_map=OPERATOR / "guiyang-values.yaml")
    site = tmp_path / "site"
    build(BuildConfig(catalog_dir=root, out_dir=site, today=date(2026, 11, 23),
                      cache_dir=tmp_path / "cache"))
    graph = Graph().parse(site / "dcat.ttl", format="turtle")
    assert len(set(graph.subjects(RDF.type, DCAT.Dataset))) > 2000
    assert violations(graph) == []


def test_cached_fragments_give_the_same_files_and_follow_changes(sample: Path,
                                                                 tmp_path: Path) -> None:
    from builder.dcat import dcat_files
    from domain.catalogue.catalog import PortalInfo

    entries = json.loads((sample / "catalog.json").read_text(encoding="utf-8"))["datasets"]
    downloads = {r["id"]: r.get("downloads") or [] for r in entries}
    records = [PublicRecord.from_json(r) for r in entries]
    portal = PortalInfo(name="测试平台", bureau="测试局", base_url="https://data.test.example/")
    fresh = dcat_files(portal, records, downloads, "2026-11-23")
    cache = tmp_path / "cache"
    assert dcat_files(portal, records, downloads, "2026-11-23", cache) == fresh
    assert dcat_files(portal, records, downloads, "2026-11-23", cache) == fresh  # from cache
    changed = [dataclasses.replace(records[0], title="改过的标题")] + records[1:]
    again = dcat_files(portal, changed, downloads, "2026-11-23", cache)
    assert again == dcat_files(portal, changed, downloads, "2026-11-23")
    graph = Graph().parse(data=again["dcat.ttl"], format="turtle")
    assert Literal("改过的标题", lang="zh") in set(graph.objects(None, DCTERMS.title))
    assert violations(graph) == []
    # The fragment file holds this catalogue's fragments only: the changed
    # dataset's old one was deleted; a dataset dropped takes its own along.
    import sqlite3

    from builder.dcat import CACHE_FILE
    with sqlite3.connect(cache / CACHE_FILE) as db:
        assert db.execute("SELECT count(*) FROM fragment").fetchone()[0] == len(records)
    dcat_files(portal, changed[1:], downloads, "2026-11-23", cache)
    with sqlite3.connect(cache / CACHE_FILE) as db:
        assert db.execute("SELECT count(*) FROM fragment").fetchone()[0] == len(records) - 1


def test_fragments_made_beside_the_pages_give_the_same_files(tmp_path: Path) -> None:
    """A first build makes each dataset's fragment in the page workers and
    stores it in the build cache: the DCAT files are those made without it."""
    import sqlite3

    from builder import dcat
    from domain.catalogue.catalog import load_catalog
    from domain.catalogue.publication import public_record

    catalog, _ = load_catalog(REPO / "datasets")
    today = date(2026, 11, 23)
    records = sorted((public_record(d, catalog.vocab, today) for d in catalog.published()),
                     key=lambda r: r.id)
    downloads = {r.id: [{"form": "csv", "label": "CSV", "filename": "data.csv", "bytes": 12,
                            "sha256": "ab" * 32, "media_type": "text/csv", "rows": 1}]
                 for r in records[::2]}
    plain = dcat.dcat_files(catalog.portal, records, downloads, "2026-11-23", tmp_path / "a")
    dcat.store_fragments(tmp_path / "b", [dcat.fragment_row(
        catalog.portal, r, downloads.get(r.id, [])) for r in records])
    with sqlite3.connect(tmp_path / "b" / dcat.CACHE_FILE) as db:
        assert db.execute("SELECT count(*) FROM fragment").fetchone()[0] == len(records)
    assert dcat.dcat_files(catalog.portal, records, downloads, "2026-11-23",
                           tmp_path / "b") == plain
