"""Turtle statements and JSON-LD node objects of a small graph, written
directly: rdflib's own serialisers spent most of the build's DCAT time
(see :mod:`builder.dcat`). IRIs under the PREFIXES are written compact.

A graph is any iterable of triples: an rdflib graph (the header) or a
dataset's plain triples (``builder.dcat_triples``: IRIs as ``str``,
literals as :class:`~builder.dcat_triples.Lit`); both give the same text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

from rdflib import Literal
from rdflib.namespace import RDF

from builder.dcat_triples import Lit
from builder.dcat_vocab import PREFIXES

# An object of a triple: an IRI (str, or rdflib's URIRef), an rdflib Literal or a Lit.
Obj = str | Lit
Triples = Iterable[tuple[str, str, Obj]]


class Grouped(list[tuple[str, list[tuple[str, Obj]]]]):
    """A graph's triples grouped by subject, sorted (subjects, then each
    subject's predicates and objects): :func:`group`."""

_PREFIX_ORDER = sorted(((str(ns), p) for p, ns in PREFIXES.items()), key=lambda x: -len(x[0]))
_LOCAL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@functools.lru_cache(maxsize=65536)
def curie(iri: str) -> str | None:
    """``prefix:local`` for an IRI under one of the PREFIXES, else None.
    (rdflib's own ``n3(namespace_manager)`` spent half of the writing time.)"""
    for namespace, prefix in _PREFIX_ORDER:
        if iri.startswith(namespace) and _LOCAL_NAME.match(iri[len(namespace):]):
            return f"{prefix}:{iri[len(namespace):]}"
    return None


_TURTLE_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r",
                                 "\t": "\\t"})


def _plain(obj: object) -> Obj:
    """An rdflib Literal as a Lit; anything else (an IRI) as its text."""
    if obj.__class__ is str or obj.__class__ is Lit:  # a dataset's triples: most objects
        return obj
    if isinstance(obj, Literal):  # before str: an rdflib Literal is a str too
        return Lit(str(obj), obj.language, None if obj.datatype is None else str(obj.datatype))
    return obj if isinstance(obj, Lit) else str(obj)


def _iri_term(iri: str) -> str:
    # IRIs here are percent-encoded web addresses and mailto:/tel: forms.
    return curie(iri) or f"<{iri}>"


def _ttl_term(term: Obj) -> str:
    if isinstance(term, Lit):
        text = '"' + term.value.translate(_TURTLE_ESCAPES) + '"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype:
            return f"{text}^^{_iri_term(term.datatype)}"
        return text
    return _iri_term(term)


def _sort_text(obj: Obj) -> str:
    return obj.value if isinstance(obj, Lit) else obj


def group(g: Iterable[tuple[object, object, object]]) -> Grouped:
    """The triples of ``g`` grouped by subject, in the order both texts
    write them (made once when a graph is written both ways)."""
    grouped: dict[str, list[tuple[str, Obj]]] = {}
    for subject, predicate, obj in g:
        grouped.setdefault(str(subject), []).append((str(predicate), _plain(obj)))
    return Grouped((subject, sorted(pairs, key=lambda po: (po[0], _sort_text(po[1]))))
                   for subject, pairs in sorted(grouped.items()))


def turtle_text(g: Iterable[tuple[object, object, object]] | Grouped) -> str:
    """Turtle statements of ``g`` (triples, or :func:`group` of them)
    grouped by subject, with the PREFIXES (declared once at the top of the
    file, not here)."""
    out: list[str] = []
    rdf_type = str(RDF.type)
    for subject, pairs in _grouped(g):
        lines = [f"    {'a' if p == rdf_type else _iri_term(p)} {_ttl_term(o)}"
                 for p, o in pairs]
        out.append(f"{_iri_term(subject)}\n" + " ;\n".join(lines) + " .\n")
    return "".join(out)


def _grouped(g: Iterable[tuple[object, object, object]] | Grouped) -> Grouped:
    return g if isinstance(g, Grouped) else group(g)


def _compact(iri: str) -> str:
    return curie(iri) or iri


def _json_value(obj: Obj) -> dict[str, str]:
    if isinstance(obj, Lit):
        value: dict[str, str] = {"@value": obj.value}
        if obj.language:
            value["@language"] = obj.language
        elif obj.datatype:
            value["@type"] = _compact(obj.datatype)
        return value
    return {"@id": _compact(obj)}


def jsonld_nodes(g: Iterable[tuple[object, object, object]] | Grouped) -> list[dict[str, Any]]:
    """``g`` (triples, or :func:`group` of them) as JSON-LD node objects
    (compact IRIs under the PREFIXES context)."""
    nodes = []
    rdf_type = str(RDF.type)
    for subject, pairs in _grouped(g):
        node: dict[str, Any] = {"@id": _compact(subject)}
        for predicate, obj in pairs:
            if predicate == rdf_type:
                node.setdefault("@type", []).append(_compact(_sort_text(obj)))
            else:
                node.setdefault(_compact(predicate), []).append(_json_value(obj))
        nodes.append(node)
    return nodes
