"""The triples of one dataset in DCAT-AP 3 (its distributions, contact,
licence, themes), and the references to the nodes many datasets share
(written once, in the header, by ``builder.dcat``)."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD
from rdflib.term import Node

from builder.dcat_vocab import (
    EU_ACCESS,
    EU_FILE_TYPE,
    EU_FREQ,
    EU_LANGUAGE,
    EU_THEME,
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
from domain.catalogue.model import Contact, OpenType
from domain.catalogue.public_record import PublicRecord

# A reference to a node that is described once, in the header.
Shared = tuple[str, ...]


IRI_SAFE = ":/?#[]@!$&'()*+,;=%-._~"


def iri(portal: PortalInfo, path: str) -> URIRef:
    """The IRI of a page of the portal (``path`` under its base URL)."""
    return URIRef(quote(absolute(portal, path), safe=IRI_SAFE))


def graph() -> Graph:
    """An empty graph with the DCAT-AP prefixes bound (and no others)."""
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


class DatasetTriples:
    """The triples of one dataset, and the shared nodes it points to."""

    def __init__(self, portal: PortalInfo) -> None:
        self.portal = portal
        self.g = _TripleList()
        self.shared: set[Shared] = set()

    def typed(self, node: URIRef, cls: URIRef) -> URIRef:
        self.shared.add(("typed", str(node), str(cls)))
        return node

    def contact(self, subject: URIRef, contact: Contact) -> None:
        name, email, phone = contact.name, contact.email, contact.phone
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

    def dataset(self, r: PublicRecord, downloads: list[dict[str, Any]]) -> None:
        g = self.g
        page = self.typed(iri(self.portal, r.url), FOAF.Document)
        node = URIRef(f"{page}#dataset")
        g.add((node, RDF.type, DCAT.Dataset))
        g.add((node, DCTERMS.identifier, Literal(r.id)))
        g.add((node, DCTERMS.title, Literal(r.title, lang=ZH)))
        summary = r.summary.strip()
        g.add((node, DCTERMS.description, Literal(summary or composed_description(r), lang=ZH)))
        self.shared.add(("agent", r.department, r.department_name))
        g.add((node, DCTERMS.publisher, iri(self.portal, f"departments/{r.department}/")))
        self.shared.add(("theme", r.theme, r.theme_name))
        g.add((node, DCAT.theme, iri(self.portal, f"themes/{r.theme}")))
        eu = eu_theme(r.theme_name)
        if eu:
            self.shared.add(("eu-theme", eu))
            g.add((node, DCAT.theme, EU_THEME[eu]))
        for keyword in r.keywords:
            g.add((node, DCAT.keyword, Literal(keyword, lang=ZH)))
        g.add((node, DCAT.landingPage, page))
        g.add((node, DCTERMS.language, self.typed(EU_LANGUAGE.ZHO, DCTERMS.LinguisticSystem)))
        open_access = r.open_type is OpenType.UNCONDITIONAL
        g.add((node, DCTERMS.accessRights, self.typed(
            EU_ACCESS["PUBLIC" if open_access else "RESTRICTED"], DCTERMS.RightsStatement)))
        if r.published:
            g.add((node, DCTERMS.issued, _day(r.published)))
        if r.last_updated:
            g.add((node, DCTERMS.modified, _day(r.last_updated)))
        if r.update_frequency in EU_FREQUENCY:
            g.add((node, DCTERMS.accrualPeriodicity, self.typed(
                EU_FREQ[EU_FREQUENCY[r.update_frequency]], DCTERMS.Frequency)))
        if r.region_name:
            place = URIRef(f"{page}#spatial")
            g.add((place, RDF.type, DCTERMS.Location))
            g.add((place, SKOS.prefLabel, Literal(r.region_name, lang=ZH)))
            g.add((node, DCTERMS.spatial, place))
        if r.temporal:
            period = URIRef(f"{page}#temporal")
            g.add((period, RDF.type, DCTERMS.PeriodOfTime))
            g.add((period, DCAT.startDate, _day(r.temporal.start)))
            if r.temporal.end:
                g.add((period, DCAT.endDate, _day(r.temporal.end)))
            g.add((node, DCTERMS.temporal, period))
        self.contact(node, r.contact)
        licence = self.licence(r.licence_url or self.portal.licence_url or "",
                               r.licence or self.portal.licence_name or "")
        for d in downloads:
            g.add((node, DCAT.distribution, self.distribution(r, d, licence)))

    def distribution(self, r: PublicRecord, d: dict[str, Any],
                     licence: URIRef | None) -> URIRef:
        g = self.g
        url = iri(self.portal, r.url + d["filename"])
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
        if r.last_updated:
            g.add((node, DCTERMS.modified, _day(r.last_updated)))
        return node


def _day(day: date) -> Literal:
    """An xsd:date literal (its ISO text, as catalog.json gives it)."""
    return Literal(day.isoformat(), datatype=XSD.date)
