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

    add = list.append  # a call less for each of a dataset's ≈ 70 triples


class _Iris:
    """The terms of an rdflib namespace as plain IRIs (``str``), each made
    once: rdflib makes and checks a new URIRef at every attribute access,
    about seventy times a dataset. An unknown term of a closed namespace
    raises as rdflib does."""

    def __init__(self, namespace: Any) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> str:
        if name.startswith("__"):  # copy and pickle probe for special methods
            raise AttributeError(name)
        iri = str(getattr(self._namespace, name))
        setattr(self, name, iri)
        return iri

    def __getitem__(self, name: str) -> str:
        found = self.__dict__.get(name)
        if found is None:
            found = self.__dict__[name] = str(self._namespace[name])
        return str(found)


_RDF, _DCAT, _DCT, _FOAF, _SKOS, _VCARD, _SPDX = (
    _Iris(ns) for ns in (RDF, DCAT, DCTERMS, FOAF, SKOS, VCARD, SPDX))
_EU_THEME, _EU_FREQ, _EU_ACCESS, _EU_FILE_TYPE, _EU_LANGUAGE = (
    _Iris(ns) for ns in (EU_THEME, EU_FREQ, EU_ACCESS, EU_FILE_TYPE, EU_LANGUAGE))


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
        g.add((node, _RDF.type, _VCARD.Organization))
        g.add((node, _RDF.type, _VCARD.Kind))
        if name:
            g.add((node, _VCARD.fn, Lit(name, ZH)))
        if email:
            g.add((node, _VCARD.hasEmail, f"mailto:{quote(email, safe='@.+-_')}"))
        if phone:
            g.add((node, _VCARD.hasTelephone, f"tel:{quote(phone.replace(' ', ''), safe='+-')}"))
        g.add((subject, _DCAT.contactPoint, node))

    def licence(self, url: str, title: str) -> str | None:
        if not url.lower().startswith(("http://", "https://")):
            return None
        url = quote(url, safe=IRI_SAFE)
        self.shared.add(("licence", url, title))
        return url

    def dataset(self, r: PublicRecord, downloads: list[dict[str, Any]]) -> None:
        g = self.g
        page = self.typed(iri_text(self.portal, r.url), _FOAF.Document)
        node = f"{page}#dataset"
        g.add((node, _RDF.type, _DCAT.Dataset))
        g.add((node, _DCT.identifier, Lit(r.id)))
        g.add((node, _DCT.title, Lit(r.title, ZH)))
        summary = r.summary.strip()
        g.add((node, _DCT.description, Lit(summary or composed_description(r), ZH)))
        self.shared.add(("agent", r.department, r.department_name))
        g.add((node, _DCT.publisher, iri_text(self.portal, f"departments/{r.department}/")))
        self.shared.add(("theme", r.theme, r.theme_name))
        g.add((node, _DCAT.theme, iri_text(self.portal, f"themes/{r.theme}")))
        eu = eu_theme(r.theme_name)
        if eu:
            self.shared.add(("eu-theme", eu))
            g.add((node, _DCAT.theme, _EU_THEME[eu]))
        for keyword in r.keywords:
            g.add((node, _DCAT.keyword, Lit(keyword, ZH)))
        g.add((node, _DCAT.landingPage, page))
        g.add((node, _DCT.language, self.typed(_EU_LANGUAGE.ZHO, _DCT.LinguisticSystem)))
        open_access = r.open_type is OpenType.UNCONDITIONAL
        g.add((node, _DCT.accessRights, self.typed(
            _EU_ACCESS["PUBLIC" if open_access else "RESTRICTED"], _DCT.RightsStatement)))
        if r.published:
            g.add((node, _DCT.issued, _day(r.published)))
        if r.last_updated:
            g.add((node, _DCT.modified, _day(r.last_updated)))
        if r.update_frequency in EU_FREQUENCY:
            g.add((node, _DCT.accrualPeriodicity, self.typed(
                _EU_FREQ[EU_FREQUENCY[r.update_frequency]], _DCT.Frequency)))
        if r.region_name:
            place = f"{page}#spatial"
            g.add((place, _RDF.type, _DCT.Location))
            g.add((place, _SKOS.prefLabel, Lit(r.region_name, ZH)))
            g.add((node, _DCT.spatial, place))
        if r.temporal:
            period = f"{page}#temporal"
            g.add((period, _RDF.type, _DCT.PeriodOfTime))
            g.add((period, _DCAT.startDate, _day(r.temporal.start)))
            if r.temporal.end:
                g.add((period, _DCAT.endDate, _day(r.temporal.end)))
            g.add((node, _DCT.temporal, period))
        self.contact(node, r.contact)
        licence = self.licence(r.licence_url or self.portal.licence_url or "",
                               r.licence or self.portal.licence_name or "")
        for d in downloads:
            g.add((node, _DCAT.distribution, self.distribution(r, d, licence)))

    def distribution(self, r: PublicRecord, d: dict[str, Any], licence: str | None) -> str:
        g = self.g
        url = iri_text(self.portal, r.url + d["filename"])
        node = f"{url}#distribution"
        g.add((node, _RDF.type, _DCAT.Distribution))
        g.add((node, _DCAT.accessURL, url))
        g.add((node, _DCAT.downloadURL, url))
        if d.get("label"):
            g.add((node, _DCT.title, Lit(d["label"], ZH)))
        media = str(d.get("media_type") or "")
        if "/" in media:
            media_node = IANA + media.split(";")[0].strip()
            g.add((node, _DCAT.mediaType, self.typed(media_node, _DCT.MediaType)))
        extension = str(d["filename"]).rsplit(".", 1)[-1].lower()
        if extension in FILE_TYPES:
            g.add((node, _DCT["format"], self.typed(_EU_FILE_TYPE[FILE_TYPES[extension]],
                                                        _DCT.MediaTypeOrExtent)))
        if d.get("bytes") is not None:
            g.add((node, _DCAT.byteSize, Lit(str(int(d["bytes"])),
                                            datatype=_NON_NEGATIVE_INTEGER)))
        if d.get("sha256"):
            checksum = f"{node}-sha256"
            g.add((checksum, _RDF.type, _SPDX.Checksum))
            g.add((checksum, _SPDX.algorithm, _SPDX.checksumAlgorithm_sha256))
            g.add((checksum, _SPDX.checksumValue, hex_binary(str(d["sha256"]))))
            g.add((node, _SPDX.checksum, checksum))
        if licence is not None:
            g.add((node, _DCT.license, licence))
        if r.last_updated:
            g.add((node, _DCT.modified, _day(r.last_updated)))
        return node


_NON_NEGATIVE_INTEGER = str(XSD.nonNegativeInteger)
_DATE = str(XSD.date)


def _day(day: date) -> Lit:
    """An xsd:date literal (its ISO text, as catalog.json gives it)."""
    return Lit(day.isoformat(), datatype=_DATE)
