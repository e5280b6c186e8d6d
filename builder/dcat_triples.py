"""The triples of one dataset in DCAT-AP 3 (its distributions, contact,
licence, themes), and the references to the nodes many datasets share
(written once, in the header, by ``builder.dcat``).

A dataset's triples are plain values, not rdflib terms: an IRI is a ``str``
and a literal a :class:`Lit`. They are only ever written as text
(``builder.dcat_text``), and making rdflib's terms (each IRI checked, each
literal parsed into a Python value and back) was a third of the time of a
dataset's DCAT fragment, made for every dataset of a full build. The text is
the same: :class:`Lit` keeps the lexical form rdflib keeps for these
literals (see :func:`hex_binary`).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, NamedTuple
from urllib.parse import quote

from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

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


def iri_text(portal: PortalInfo, path: str) -> str:
    """The IRI of a page of the portal (``path`` under its base URL)."""
    return quote(absolute(portal, path), safe=IRI_SAFE)


def iri(portal: PortalInfo, path: str) -> URIRef:
    """:func:`iri_text` as an rdflib term (for the header's graph)."""
    return URIRef(iri_text(portal, path))


class Lit(NamedTuple):
    """A literal of a dataset's triples: its lexical form, with a language
    tag or a datatype IRI (not both)."""

    value: str
    language: str | None = None
    datatype: str | None = None


_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})*")


def hex_binary(text: str) -> Lit:
    """An xsd:hexBinary literal as rdflib writes it: valid hex in lower case
    (rdflib reads it as bytes and writes them back), anything else as given."""
    return Lit(text.lower() if _HEX.fullmatch(text) else text, datatype=str(XSD.hexBinary))


# Objects of a dataset's triples: an IRI (a str; rdflib's URIRef is one) or a literal.
Term = str | Lit


def graph() -> Graph:
    """An empty graph with the DCAT-AP prefixes bound (and no others)."""
    g = Graph(bind_namespaces="none")
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    return g


class _TripleList(list[tuple[str, str, Term]]):
    """A dataset's triples in a plain list: they are made once and never
    repeated, and rdflib's indexed store cost two thirds of the time per
    dataset."""

    def add(self, triple: tuple[str, str, Term]) -> None:
        self.append(triple)


class DatasetTriples:
    """The triples of one dataset, and the shared nodes it points to."""

    def __init__(self, portal: PortalInfo) -> None:
        self.portal = portal
        self.g = _TripleList()
        self.shared: set[Shared] = set()

    def typed(self, node: str, cls: str) -> str:
        self.shared.add(("typed", str(node), str(cls)))
        return node

    def contact(self, subject: str, contact: Contact) -> None:
        name, email, phone = contact.name, contact.email, contact.phone
        if not (name or email or phone):
            return
        node = f"{subject}-contact"
        g = self.g
        g.add((node, RDF.type, VCARD.Organization))
        g.add((node, RDF.type, VCARD.Kind))
        if name:
            g.add((node, VCARD.fn, Lit(name, ZH)))
        if email:
            g.add((node, VCARD.hasEmail, f"mailto:{quote(email, safe='@.+-_')}"))
        if phone:
            g.add((node, VCARD.hasTelephone, f"tel:{quote(phone.replace(' ', ''), safe='+-')}"))
        g.add((subject, DCAT.contactPoint, node))

    def licence(self, url: str, title: str) -> str | None:
        if not url.lower().startswith(("http://", "https://")):
            return None
        url = quote(url, safe=IRI_SAFE)
        self.shared.add(("licence", url, title))
        return url

    def dataset(self, r: PublicRecord, downloads: list[dict[str, Any]]) -> None:
        g = self.g
        page = self.typed(iri_text(self.portal, r.url), FOAF.Document)
        node = f"{page}#dataset"
        g.add((node, RDF.type, DCAT.Dataset))
        g.add((node, DCTERMS.identifier, Lit(r.id)))
        g.add((node, DCTERMS.title, Lit(r.title, ZH)))
        summary = r.summary.strip()
        g.add((node, DCTERMS.description, Lit(summary or composed_description(r), ZH)))
        self.shared.add(("agent", r.department, r.department_name))
        g.add((node, DCTERMS.publisher, iri_text(self.portal, f"departments/{r.department}/")))
        self.shared.add(("theme", r.theme, r.theme_name))
        g.add((node, DCAT.theme, iri_text(self.portal, f"themes/{r.theme}")))
        eu = eu_theme(r.theme_name)
        if eu:
            self.shared.add(("eu-theme", eu))
            g.add((node, DCAT.theme, EU_THEME[eu]))
        for keyword in r.keywords:
            g.add((node, DCAT.keyword, Lit(keyword, ZH)))
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
            place = f"{page}#spatial"
            g.add((place, RDF.type, DCTERMS.Location))
            g.add((place, SKOS.prefLabel, Lit(r.region_name, ZH)))
            g.add((node, DCTERMS.spatial, place))
        if r.temporal:
            period = f"{page}#temporal"
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

    def distribution(self, r: PublicRecord, d: dict[str, Any], licence: str | None) -> str:
        g = self.g
        url = iri_text(self.portal, r.url + d["filename"])
        node = f"{url}#distribution"
        g.add((node, RDF.type, DCAT.Distribution))
        g.add((node, DCAT.accessURL, url))
        g.add((node, DCAT.downloadURL, url))
        if d.get("label"):
            g.add((node, DCTERMS.title, Lit(d["label"], ZH)))
        media = str(d.get("media_type") or "")
        if "/" in media:
            media_node = IANA + media.split(";")[0].strip()
            g.add((node, DCAT.mediaType, self.typed(media_node, DCTERMS.MediaType)))
        extension = str(d["filename"]).rsplit(".", 1)[-1].lower()
        if extension in FILE_TYPES:
            g.add((node, DCTERMS["format"], self.typed(EU_FILE_TYPE[FILE_TYPES[extension]],
                                                        DCTERMS.MediaTypeOrExtent)))
        if d.get("bytes") is not None:
            g.add((node, DCAT.byteSize, Lit(str(int(d["bytes"])),
                                            datatype=_NON_NEGATIVE_INTEGER)))
        if d.get("sha256"):
            checksum = f"{node}-sha256"
            g.add((checksum, RDF.type, SPDX.Checksum))
            g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
            g.add((checksum, SPDX.checksumValue, hex_binary(str(d["sha256"]))))
            g.add((node, SPDX.checksum, checksum))
        if licence is not None:
            g.add((node, DCTERMS.license, licence))
        if r.last_updated:
            g.add((node, DCTERMS.modified, _day(r.last_updated)))
        return node


_NON_NEGATIVE_INTEGER = str(XSD.nonNegativeInteger)
_DATE = str(XSD.date)


def _day(day: date) -> Lit:
    """An xsd:date literal (its ISO text, as catalog.json gives it)."""
    return Lit(day.isoformat(), datatype=_DATE)
