"""Turtle statements and JSON-LD node objects of a small rdflib graph, written
directly: rdflib's own serialisers spent most of the build's DCAT time
(see :mod:`builder.dcat`). IRIs under the PREFIXES are written compact."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from builder.dcat_vocab import PREFIXES

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


def _ttl_term(term: Node) -> str:
    if isinstance(term, Literal):
        text = '"' + str(term).translate(_TURTLE_ESCAPES) + '"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype:
            return f"{text}^^{_ttl_term(term.datatype)}"
        return text
    iri = str(term)
    # IRIs here are percent-encoded web addresses and mailto:/tel: forms.
    return curie(iri) or f"<{iri}>"


def _by_subject(g: Iterable[tuple[Node, Node, Node]]) -> list[tuple[str, list[tuple[str, Node]]]]:
    grouped: dict[str, list[tuple[str, Node]]] = {}
    for subject, predicate, obj in g:
        grouped.setdefault(str(subject), []).append((str(predicate), obj))
    return [(subject, sorted(pairs, key=lambda po: (po[0], str(po[1]))))
            for subject, pairs in sorted(grouped.items())]


def turtle_text(g: Iterable[tuple[Node, Node, Node]]) -> str:
    """Turtle statements of ``g`` grouped by subject, with the PREFIXES
    (declared once at the top of the file, not here)."""
    out: list[str] = []
    rdf_type = str(RDF.type)
    for subject, pairs in _by_subject(g):
        lines = [f"    {'a' if p == rdf_type else _ttl_term(URIRef(p))} {_ttl_term(o)}"
                 for p, o in pairs]
        out.append(f"{_ttl_term(URIRef(subject))}\n" + " ;\n".join(lines) + " .\n")
    return "".join(out)


def _compact(iri: str) -> str:
    return curie(iri) or iri


def _json_value(obj: Node) -> dict[str, str]:
    if isinstance(obj, Literal):
        value: dict[str, str] = {"@value": str(obj)}
        if obj.language:
            value["@language"] = obj.language
        elif obj.datatype:
            value["@type"] = _compact(str(obj.datatype))
        return value
    return {"@id": _compact(str(obj))}


def jsonld_nodes(g: Iterable[tuple[Node, Node, Node]]) -> list[dict[str, Any]]:
    """``g`` as JSON-LD node objects (compact IRIs under the PREFIXES context)."""
    nodes = []
    rdf_type = str(RDF.type)
    for subject, pairs in _by_subject(g):
        node: dict[str, Any] = {"@id": _compact(subject)}
        for predicate, obj in pairs:
            if predicate == rdf_type:
                node.setdefault("@type", []).append(_compact(str(obj)))
            else:
                node.setdefault(_compact(predicate), []).append(_json_value(obj))
        nodes.append(node)
    return nodes
