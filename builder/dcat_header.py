"""The DCAT catalogue's own node and the nodes many datasets share
(``builder.dcat``: written once, in the files' header)."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from builder.dcat_triples import IRI_SAFE, Shared, graph, iri, iri_text
from builder.dcat_vocab import EU_LANGUAGE, EU_THEME, EU_THEME_LABELS, ZH
from domain.catalogue.catalog import PortalInfo


def catalogue_header(portal: PortalInfo, shared: Iterable[Shared], dataset_count: int,
            generated: str) -> Graph:
    """The catalogue node, its theme scheme and every shared node; not the
    catalogue's links to its datasets (:func:`dataset_links`)."""
    g = graph()
    catalogue = iri(portal, "dcat.ttl")
    scheme = iri(portal, "themes/")
    g.add((catalogue, RDF.type, DCAT.Catalog))
    g.add((catalogue, DCTERMS.title, Literal(portal.name, lang=ZH)))
    g.add((catalogue, DCTERMS.description, Literal(
        f"{portal.bureau or portal.name}发布的公共数据开放目录，共{dataset_count}个数据集。",
        lang=ZH)))
    bureau = iri(portal, "about/")
    g.add((bureau, RDF.type, FOAF.Agent))
    g.add((bureau, FOAF.name, Literal(portal.bureau or portal.name, lang=ZH)))
    g.add((catalogue, DCTERMS.publisher, bureau))
    home = iri(portal, "")
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
    for item in sorted(shared):
        kind = item[0]
        if kind == "typed":
            g.add((URIRef(item[1]), RDF.type, URIRef(item[2])))
        elif kind == "agent":
            node = iri(portal, f"departments/{item[1]}/")
            g.add((node, RDF.type, FOAF.Agent))
            g.add((node, FOAF.name, Literal(item[2] or item[1], lang=ZH)))
        elif kind == "theme":
            node = iri(portal, f"themes/{item[1]}")
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



def dataset_links(portal: PortalInfo, urls: Iterable[str]) -> list[tuple[str, str, str]]:
    """The catalogue's ``dcat:dataset`` link to each dataset (``urls``: their
    pages), as plain triples: in the header's rdflib graph, 100,000 of them
    took half a gigabyte at the build's peak for the short time the header
    was written."""
    catalogue, link = iri_text(portal, "dcat.ttl"), str(DCAT.dataset)
    return list(dict.fromkeys((catalogue, link, f"{iri_text(portal, url)}#dataset")
                              for url in urls))
