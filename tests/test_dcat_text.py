"""The DCAT text writer's shortcuts give what the plain definitions give
(issue 17: a dataset's fragment is made for every dataset of a full build)."""

from __future__ import annotations

import re

import pytest
from rdflib.namespace import DCAT, DCTERMS, RDF

from builder.dcat_text import curie, group, jsonld_nodes, turtle_text
from builder.dcat_triples import Lit, _Iris
from builder.dcat_vocab import PREFIXES

_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def _curie_by_search(iri: str) -> str | None:
    """The definition: the longest namespace the IRI starts with whose rest
    is a local name (the first such prefix among namespaces alike)."""
    for namespace, prefix in sorted(((str(ns), p) for p, ns in PREFIXES.items()),
                                    key=lambda x: -len(x[0])):
        if iri.startswith(namespace) and _LOCAL.match(iri[len(namespace):]):
            return f"{prefix}:{iri[len(namespace):]}"
    return None


_IRIS = [str(ns) + local for ns in PREFIXES.values()
         for local in ("title", "_x-1", "", "1abc", "a/b", "a#b", "a.b", "bad\n", "x y", "数据")]
_IRIS += ["https://data.example.cn/datasets/a-1/#dataset", "mailto:a@b.cn", "tel:+86-10",
          "http://purl.org/dc/terms", "http://www.w3.org/ns/dcat#Dataset#x",
          "http://publications.europa.eu/resource/authority/file-type/CSV",
          "http://publications.europa.eu/resource/authority/", "", "/", "#", "urn:x"]


@pytest.mark.parametrize("iri", _IRIS)
def test_a_curie_is_the_one_a_search_of_every_namespace_finds(iri: str) -> None:
    assert curie(iri) == _curie_by_search(iri)


def test_pairs_alike_keep_their_order_and_are_written_so() -> None:
    subject, title = "https://x.cn/d/#dataset", str(DCTERMS.title)
    # Same predicate, same text: a literal with a language, an IRI, a typed literal.
    objects: list[str | Lit] = [Lit("a", "zh"), "a", Lit("a", datatype=str(DCAT.Dataset))]
    for order in (objects, objects[::-1]):
        grouped = group([(subject, title, o) for o in [Lit("b", "zh"), *order]])
        assert [o for _, o in grouped[0][1]] == [*order, Lit("b", "zh")]
        assert turtle_text(grouped) == turtle_text([(subject, title, o) for o in order]
                                                   + [(subject, title, Lit("b", "zh"))])
        assert jsonld_nodes(grouped)[0]["dct:title"][0] == (
            {"@value": "a", "@language": "zh"} if order is objects else
            {"@value": "a", "@type": "dcat:Dataset"})


def test_plain_namespace_terms_are_rdflibs_and_unknown_terms_fail_alike() -> None:
    plain = _Iris(DCTERMS)
    assert plain.title == str(DCTERMS.title) and type(plain.title) is str
    assert plain["format"] == str(DCTERMS["format"]) and plain.title is plain.title
    # rdflib refuses a term a closed namespace lacks (a typo in a predicate).
    for namespace in (RDF, _Iris(RDF)):
        with pytest.raises(AttributeError):
            namespace.noSuchTerm  # noqa: B018
