"""The catalogue as a DCAT-AP 3 graph (rdflib), written as JSON-LD
(``dcat.jsonld``) and Turtle (``dcat.ttl``).

rdflib's own serialisers take about 15 ms a dataset here (30 s and more
for 10,000 datasets, on every change), so each dataset's triples are built
with rdflib into a small graph of their own and written by ``fragments`` as
Turtle statements and JSON-LD node objects; the fragments are kept in the
build cache under a key of the record, so a rebuild after one change writes
one fragment. Nodes that many datasets point to (departments, themes,
licences, the EU vocabularies' terms) are written once, in the header.

Made from the public records only (``domain.catalogue.publication``), like every other
catalogue-wide file. The graph satisfies the official DCAT-AP 3.0.1 SHACL
shapes (checked by the test suite with pySHACL): every distribution has an
access URL, sizes are non-negative integers, media types are IANA IRIs,
checksums are hexBinary, themes are concepts with IRIs (the EU data-theme
vocabulary where a theme's name maps to one, and always the portal's own
concept scheme), licences are licence documents and contact points vCards.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from builder.dcat_text import jsonld_nodes, turtle_text
from builder.dcat_vocab import (
    EU_ACCESS,
    EU_FILE_TYPE,
    EU_FREQ,
    EU_LANGUAGE,
    EU_THEME,
    EU_THEME_LABELS,
    FILE_TYPES,
    IANA,
    PREFIXES,
    SPDX,
    VCARD,
    ZH,
    composed_description,
    eu_theme,
)
from builder.feeds import EU_FREQUENCY, absolute
from domain.catalogue.catalog import PortalInfo

# Bump when the triples written for a dataset change (cached fragments are
# keyed by it).
FRAGMENT_VERSION = "1"
CACHE_FILE = "dcat-fragments.json"

# A reference to a node that is described once, in the header.
Shared = tuple[str, ...]


IRI_SAFE = ":/?#[]@!$&'()*+,;=%-._~"


def _iri(portal: PortalInfo, path: str) -> URIRef:
    return URIRef(quote(absolute(portal, path), safe=IRI_SAFE))


def _graph() -> Graph:
    g = Graph(bind_namespaces="none")
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    return g


class _TripleList(list[tuple[URIRef, URIRef, Node]]):
    """Triples of rdflib terms in a plain list: a dataset's triples are made
    once and never repeated, and rdflib's indexed store cost two thirds of
    the time per dataset."""

    def add(self, triple: tuple[URIRef, URIRef, Node]) -> None:
        self.append(triple)


class _DatasetTriples:
    """The triples of one dataset, and the shared nodes it points to."""

    def __init__(self, portal: PortalInfo) -> None:
        self.portal = portal
        self.g = _TripleList()
        self.shared: set[Shared] = set()

    def typed(self, node: URIRef, cls: URIRef) -> URIRef:
        self.shared.add(("typed", str(node), str(cls)))
        return node

    def contact(self, subject: URIRef, contact: dict[str, Any]) -> None:
        name = str(contact.get("name") or "")
        email = str(contact.get("email") or "")
        phone = str(contact.get("phone") or "")
        if not (name or email or phone):
            return
        node = URIRef(f"{subject}-contact")
        g = self.g
        g.add((node, RDF.type, VCARD.Organization))
        g.add((node, RDF.type, VCARD.Kind))
        if name:
            g.add((node, VCARD.fn, Literal(name, lang=ZH)))
        if email:
            g.add((node, VCARD.hasEmail, URIRef(f"mailto:{quote(email, safe='@.+-_')}")))
        if phone:
            g.add((node, VCARD.hasTelephone,
                   URIRef(f"tel:{quote(phone.replace(' ', ''), safe='+-')}")))
        g.add((subject, DCAT.contactPoint, node))

    def licence(self, url: str, title: str) -> URIRef | None:
        if not url.lower().startswith(("http://", "https://")):
            return None
        url = quote(url, safe=IRI_SAFE)
        self.shared.add(("licence", url, title))
        return URIRef(url)

    def dataset(self, r: dict[str, Any], downloads: list[dict[str, Any]]) -> None:
        g = self.g
        page = self.typed(_iri(self.portal, r["url"]), FOAF.Document)
        node = URIRef(f"{page}#dataset")
        g.add((node, RDF.type, DCAT.Dataset))
        g.add((node, DCTERMS.identifier, Literal(r["id"])))
        g.add((node, DCTERMS.title, Literal(r["title"], lang=ZH)))
        summary = str(r.get("summary") or "").strip()
        g.add((node, DCTERMS.description, Literal(summary or composed_description(r), lang=ZH)))
        self.shared.add(("agent", str(r["department"]), str(r["department_name"])))
        g.add((node, DCTERMS.publisher, _iri(self.portal, f"departments/{r['department']}/")))
        self.shared.add(("theme", str(r["theme"]), str(r["theme_name"])))
        g.add((node, DCAT.theme, _iri(self.portal, f"themes/{r['theme']}")))
        eu = eu_theme(str(r["theme_name"]))
        if eu:
            self.shared.add(("eu-theme", eu))
            g.add((node, DCAT.theme, EU_THEME[eu]))
        for keyword in r.get("keywords") or []:
            g.add((node, DCAT.keyword, Literal(keyword, lang=ZH)))
        g.add((node, DCAT.landingPage, page))
        g.add((node, DCTERMS.language, self.typed(EU_LANGUAGE.ZHO, DCTERMS.LinguisticSystem)))
        open_access = r["open_type"] == "unconditional"
        g.add((node, DCTERMS.accessRights, self.typed(
            EU_ACCESS["PUBLIC" if open_access else "RESTRICTED"], DCTERMS.RightsStatement)))
        if r.get("published"):
            g.add((node, DCTERMS.issued, Literal(r["published"], datatype=XSD.date)))
        if r.get("last_updated"):
            g.add((node, DCTERMS.modified, Literal(r["last_updated"], datatype=XSD.date)))
        if r.get("update_frequency") in EU_FREQUENCY:
            g.add((node, DCTERMS.accrualPeriodicity, self.typed(
                EU_FREQ[EU_FREQUENCY[r["update_frequency"]]], DCTERMS.Frequency)))
        if r.get("region_name"):
            place = URIRef(f"{page}#spatial")
            g.add((place, RDF.type, DCTERMS.Location))
            g.add((place, SKOS.prefLabel, Literal(r["region_name"], lang=ZH)))
            g.add((node, DCTERMS.spatial, place))
        temporal = r.get("temporal")
        if temporal:
            period = URIRef(f"{page}#temporal")
            g.add((period, RDF.type, DCTERMS.PeriodOfTime))
            g.add((period, DCAT.startDate, Literal(temporal["start"], datatype=XSD.date)))
            if temporal["end"]:
                g.add((period, DCAT.endDate, Literal(temporal["end"], datatype=XSD.date)))
            g.add((node, DCTERMS.temporal, period))
        self.contact(node, r.get("contact") or {})
        licence = self.licence(str(r.get("licence_url") or self.portal.licence_url or ""),
                               str(r.get("licence") or self.portal.licence_name or ""))
        for d in downloads:
            g.add((node, DCAT.distribution, self.distribution(r, d, licence)))

    def distribution(self, r: dict[str, Any], d: dict[str, Any],
                     licence: URIRef | None) -> URIRef:
        g = self.g
        url = _iri(self.portal, r["url"] + d["filename"])
        node = URIRef(f"{url}#distribution")
        g.add((node, RDF.type, DCAT.Distribution))
        g.add((node, DCAT.accessURL, url))
        g.add((node, DCAT.downloadURL, url))
        if d.get("label"):
            g.add((node, DCTERMS.title, Literal(d["label"], lang=ZH)))
        media = str(d.get("media_type") or "")
        if "/" in media:
            media_node = URIRef(IANA + media.split(";")[0].strip())
            g.add((node, DCAT.mediaType, self.typed(media_node, DCTERMS.MediaType)))
        extension = str(d["filename"]).rsplit(".", 1)[-1].lower()
        if extension in FILE_TYPES:
            g.add((node, DCTERMS["format"], self.typed(EU_FILE_TYPE[FILE_TYPES[extension]],
                                                        DCTERMS.MediaTypeOrExtent)))
        if d.get("bytes") is not None:
            g.add((node, DCAT.byteSize, Literal(int(d["bytes"]),
                                                datatype=XSD.nonNegativeInteger)))
        if d.get("sha256"):
            checksum = URIRef(f"{node}-sha256")
            g.add((checksum, RDF.type, SPDX.Checksum))
            g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
            g.add((checksum, SPDX.checksumValue, Literal(d["sha256"], datatype=XSD.hexBinary)))
            g.add((node, SPDX.checksum, checksum))
        if licence is not None:
            g.add((node, DCTERMS.license, licence))
        if r.get("last_updated"):
            g.add((node, DCTERMS.modified, Literal(r["last_updated"], datatype=XSD.date)))
        return node


def _header(portal: PortalInfo, shared: Iterable[Shared], dataset_iris: Sequence[URIRef],
            generated: str) -> Graph:
    """The catalogue node, its theme scheme and every shared node."""
    g = _graph()
    catalogue = _iri(portal, "dcat.ttl")
    scheme = _iri(portal, "themes/")
    g.add((catalogue, RDF.type, DCAT.Catalog))
    g.add((catalogue, DCTERMS.title, Literal(portal.name, lang=ZH)))
    g.add((catalogue, DCTERMS.description, Literal(
        f"{portal.bureau or portal.name}发布的公共数据开放目录，共{len(dataset_iris)}个数据集。",
        lang=ZH)))
    bureau = _iri(portal, "about/")
    g.add((bureau, RDF.type, FOAF.Agent))
    g.add((bureau, FOAF.name, Literal(portal.bureau or portal.name, lang=ZH)))
    g.add((catalogue, DCTERMS.publisher, bureau))
    home = _iri(portal, "")
    g.add((home, RDF.type, FOAF.Document))
    g.add((catalogue, FOAF.homepage, home))
    g.add((EU_LANGUAGE.ZHO, RDF.type, DCTERMS.LinguisticSystem))
    g.add((catalogue, DCTERMS.language, EU_LANGUAGE.ZHO))
    g.add((catalogue, DCTERMS.modified, Literal(generated, datatype=XSD.date)))
    g.add((catalogue, DCAT.themeTaxonomy, scheme))
    g.add((scheme, RDF.type, SKOS.ConceptScheme))
    g.add((scheme, DCTERMS.title, Literal(f"{portal.name}数据主题", lang=ZH)))
    shared = set(shared)
    if portal.licence_url.lower().startswith(("http://", "https://")):
        licence = quote(portal.licence_url, safe=IRI_SAFE)
        shared.add(("licence", licence, portal.licence_name))
        g.add((catalogue, DCTERMS.license, URIRef(licence)))
    for dataset in dataset_iris:
        g.add((catalogue, DCAT.dataset, dataset))
    for item in sorted(shared):
        kind = item[0]
        if kind == "typed":
            g.add((URIRef(item[1]), RDF.type, URIRef(item[2])))
        elif kind == "agent":
            node = _iri(portal, f"departments/{item[1]}/")
            g.add((node, RDF.type, FOAF.Agent))
            g.add((node, FOAF.name, Literal(item[2] or item[1], lang=ZH)))
        elif kind == "theme":
            node = _iri(portal, f"themes/{item[1]}")
            g.add((node, RDF.type, SKOS.Concept))
            g.add((node, SKOS.prefLabel, Literal(item[2] or item[1], lang=ZH)))
            g.add((node, SKOS.inScheme, scheme))
        elif kind == "eu-theme":
            node = EU_THEME[item[1]]
            english, chinese = EU_THEME_LABELS[item[1]]
            g.add((node, RDF.type, SKOS.Concept))
            g.add((node, SKOS.prefLabel, Literal(english, lang="en")))
            g.add((node, SKOS.prefLabel, Literal(chinese, lang=ZH)))
            g.add((node, SKOS.inScheme, URIRef(str(EU_THEME).rstrip("/"))))
        elif kind == "licence":
            node = URIRef(item[1])
            g.add((node, RDF.type, DCTERMS.LicenseDocument))
            if item[2]:
                g.add((node, RDFS.label, Literal(item[2], lang=ZH)))
    return g



def _fragment(portal: PortalInfo, record: dict[str, Any],
              downloads: list[dict[str, Any]]) -> dict[str, Any]:
    triples = _DatasetTriples(portal)
    triples.dataset(record, downloads)
    nodes = orjson.dumps(jsonld_nodes(triples.g)).decode()
    return {"ttl": turtle_text(triples.g), "jsonld": nodes[1:-1],
            "shared": sorted(list(s) for s in triples.shared)}


def _fragment_key(portal: PortalInfo, record: dict[str, Any],
                  downloads: list[dict[str, Any]]) -> str:
    digest = hashlib.sha256(FRAGMENT_VERSION.encode())
    digest.update(orjson.dumps([portal.base_url, portal.licence_url, portal.licence_name,
                                record, downloads], option=orjson.OPT_SORT_KEYS))
    return digest.hexdigest()


def _load_cache(path: Path | None) -> dict[str, Any]:
    if path is None or not path.is_file():
        return {}
    try:
        loaded = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}  # a damaged cache only costs time
    return loaded if isinstance(loaded, dict) else {}


def _save_cache(path: Path | None, cache: dict[str, Any]) -> None:
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(orjson.dumps(cache))
    os.replace(tmp, path)


def dcat_files(portal: PortalInfo, records: Sequence[dict[str, Any]],
               downloads: dict[str, list[dict[str, Any]]], generated: str,
               cache_dir: Path | None = None) -> dict[str, str]:
    """``dcat.jsonld`` and ``dcat.ttl`` of the catalogue (conditional datasets
    with restricted access rights and no distribution). ``cache_dir``: where
    the fragments of unchanged datasets are kept between builds."""
    cache_path = cache_dir / CACHE_FILE if cache_dir else None
    old = _load_cache(cache_path)
    new: dict[str, Any] = {}
    fragments = []
    for record in records:
        files = downloads.get(record["id"], [])
        key = _fragment_key(portal, record, files)
        fragment = old.get(key) or _fragment(portal, record, files)
        new[key] = fragment
        fragments.append(fragment)
    _save_cache(cache_path, new)
    shared = {tuple(s) for f in fragments for s in f["shared"]}
    iris = [URIRef(f"{_iri(portal, r['url'])}#dataset") for r in records]
    header = _header(portal, shared, iris, generated)
    prefixes = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())
    turtle = prefixes + "\n" + turtle_text(header) + "\n" + "\n".join(f["ttl"] for f in fragments)
    context = orjson.dumps({p: str(ns) for p, ns in PREFIXES.items()}).decode()
    header_nodes = orjson.dumps(jsonld_nodes(header)).decode()[1:-1]
    graph = ",".join(part for part in [header_nodes] + [f["jsonld"] for f in fragments] if part)
    jsonld = f'{{"@context":{context},"@graph":[{graph}]}}\n'
    return {"dcat.jsonld": jsonld, "dcat.ttl": turtle}
