"""The dataset stage's shortcuts give what the long way gives: a dataset's
DCAT triples as plain values write the text rdflib's terms write; a CSV read
from the bytes already copied has the cells of the file; the page's preview
from the kept table is the file's preview; a page's folder is made when a
write finds none."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from builder import dcat
from builder.dcat_text import jsonld_nodes, turtle_text
from builder.dcat_triples import DatasetTriples, Lit, hex_binary
from builder.dcat_vocab import PREFIXES
from builder.downloads import write_downloads
from builder.files import write_if_changed
from builder.tables import csv_from_bytes, open_table, preview
from domain.catalogue.catalog import load_catalog
from domain.catalogue.model import Field, Resource
from domain.catalogue.publication import public_record
from tests.conftest import MINIMAL, REPO, TODAY

DOWNLOADS = [{"form": "csv", "label": "CSV（UTF-8）", "filename": "stops.csv", "bytes": 120,
              "sha256": "AB" * 32, "media_type": "text/csv", "rows": 3},
             {"form": "xlsx", "label": "Excel", "filename": "stops.xlsx", "bytes": 0,
              "sha256": "", "media_type": "application/vnd.ms-excel", "rows": 3}]


def _as_rdflib(triples: list[tuple[str, str, str | Lit]]) -> Graph:
    """The same triples as rdflib terms (what the builder made before)."""
    graph = Graph(bind_namespaces="none")
    for subject, predicate, obj in triples:
        term = obj if not isinstance(obj, Lit) else Literal(
            obj.value, lang=obj.language,
            datatype=None if obj.datatype is None else URIRef(obj.datatype))
        graph.add((URIRef(subject), URIRef(predicate),
                   term if isinstance(term, Literal) else URIRef(term)))
    return graph


@pytest.mark.parametrize("identifier", ["jtj-0001", "rsj-0001"])
def test_plain_triples_write_the_text_rdflib_terms_write(identifier: str) -> None:
    catalog, _ = load_catalog(MINIMAL)
    dataset = catalog.by_id()[identifier]
    record = public_record(dataset, catalog.vocab, TODAY)
    triples = DatasetTriples(catalog.portal)
    triples.dataset(record, DOWNLOADS)
    plain = list(triples.g)
    graph = _as_rdflib(plain)
    assert turtle_text(plain) == turtle_text(graph)
    assert orjson.dumps(jsonld_nodes(plain)) == orjson.dumps(jsonld_nodes(graph))
    # And the Turtle is the graph (rdflib reads it back as the same triples).
    prefixes = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())
    read = Graph().parse(data=prefixes + turtle_text(plain), format="turtle")
    assert isomorphic(read, graph)


@pytest.mark.parametrize("text", ["ABCDEF01", "abcdef01", "", "not hex", "ABC"])
def test_a_checksum_literal_is_written_as_rdflib_writes_it(text: str) -> None:
    assert hex_binary(text).value == str(Literal(text, datatype=XSD.hexBinary))


CSV = 'id,name\r\n1,"人民广场\n北口"\r\n2,"say ""hi"""\r\n3,\r\n'.encode()


@pytest.mark.parametrize("data", [CSV, b"\xef\xbb\xbf" + CSV, b"", b"id,name\n"])
def test_a_csv_read_from_its_bytes_has_the_cells_of_its_file(tmp_path: Path,
                                                             data: bytes) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    from_file = open_table(path, Resource("t", "t.csv", "csv"))
    from_bytes = csv_from_bytes(data)
    assert (from_bytes.header, list(from_bytes.rows)) == (from_file.header, list(from_file.rows))


@pytest.mark.parametrize("rows", [3, 40])
def test_the_preview_from_the_kept_table_is_the_files(tmp_path: Path, rows: int) -> None:
    source = tmp_path / "stops.csv"
    long = "长" * 300  # cut to the preview's cell length
    source.write_text("name,lines\n" + "".join(f"站{i},{long}\n" for i in range(rows)),
                      encoding="utf-8")
    resource = Resource("stops", "stops.csv", "csv", fields=(
        Field("name", "string", "站名"), Field("lines", "string", "线路")))
    out = tmp_path / "out"
    out.mkdir()
    written = write_downloads(source, resource, out, "stops")
    assert written.table is not None and written.table.utf8_data == source.read_bytes()
    assert written.table.preview(10) == preview(out / "stops.csv", resource, 10)


def test_a_write_makes_the_folder_it_needs_and_leaves_same_bytes_alone(tmp_path: Path) -> None:
    target = tmp_path / "datasets" / "a-1" / "index.html"
    assert write_if_changed(target, "页面") is True
    assert target.read_text(encoding="utf-8") == "页面"
    assert write_if_changed(target, "页面") is False
    assert write_if_changed(target, b"other") is True and target.read_bytes() == b"other"
    assert sorted(p.name for p in target.parent.iterdir()) == ["index.html"]  # no .tmp left


@pytest.mark.parametrize("read_ahead", [1, 4, 256])
def test_dcat_files_from_the_fragment_cache_are_the_files_made_in_memory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read_ahead: int) -> None:
    monkeypatch.setattr(dcat, "READ_AHEAD", read_ahead)
    catalog, _ = load_catalog(REPO / "datasets")
    records = sorted((public_record(d, catalog.vocab, TODAY) for d in catalog.published()),
                     key=lambda r: r.id)
    downloads = {r.id: DOWNLOADS for r in records[::3]}
    whole = dcat.dcat_files(catalog.portal, records, downloads, "2026-11-23")
    made = dcat.dcat_files(catalog.portal, records, downloads, "2026-11-23", tmp_path)
    kept = dcat.dcat_files(catalog.portal, records, downloads, "2026-11-23", tmp_path)
    assert len(records) > 8 and made == whole and kept == whole
