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
_RDF_TYPE = str(RDF.type)
# Each namespace's prefix (the first of the longest, as _PREFIX_ORDER finds them).
_BY_NAMESPACE: dict[str, str] = {}
for _namespace, _prefix in _PREFIX_ORDER:
    _BY_NAMESPACE.setdefault(_namespace, _prefix)
# When every namespace ends with "/" or "#" (a local name holds neither), an
# IRI's only possible namespace is its text up to its last "/" or "#".
_CUT_AT_SEPARATOR = all(ns.endswith(("/", "#")) for ns in _BY_NAMESPACE)


@functools.lru_cache(maxsize=65536)
def curie(iri: str) -> str | None:
    """``prefix:local`` for an IRI under one of the PREFIXES, else None.
    (rdflib's own ``n3(namespace_manager)`` spent half of the writing time.)"""
    if _CUT_AT_SEPARATOR:  # one lookup instead of a test of each namespace
        cut = max(iri.rfind("/"), iri.rfind("#")) + 1
        prefix = _BY_NAMESPACE.get(iri[:cut])
        if prefix is None or not _LOCAL_NAME.match(iri[cut:]):
            return None
        return f"{prefix}:{iri[cut:]}"
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


def _ttl_term(term: Obj) -> str:
    # IRIs here are percent-encoded web addresses and mailto:/tel: forms.
    if isinstance(term, Lit):
        value, language, datatype = term
        text = '"' + value.translate(_TURTLE_ESCAPES) + '"'
        if language:
            return f"{text}@{language}"
        if datatype:
            return f"{text}^^{curie(datatype) or f'<{datatype}>'}"
        return text
    return curie(term) or f"<{term}>"


def group(g: Iterable[tuple[object, object, object]]) -> Grouped:
    """The triples of ``g`` grouped by subject, in the order both texts
    write them (made once when a graph is written both ways): subjects
    sorted, each subject's pairs by predicate and then the object's text
    (a Lit's value, an IRI itself), pairs alike keeping their order."""
    grouped: dict[str, list[tuple[str, str, int, Obj]]] = {}
    for index, (subject, predicate, obj) in enumerate(g):
        plain = _plain(obj)
        # The sort key is (predicate, text, place): never compares objects.
        grouped.setdefault(str(subject), []).append((
            str(predicate), plain.value if isinstance(plain, Lit) else plain,
            index, plain))
    return Grouped((subject, [(p, o) for p, _, _, o in sorted(pairs)])
                   for subject, pairs in sorted(grouped.items()))


def turtle_text(g: Iterable[tuple[object, object, object]] | Grouped) -> str:
    """Turtle statements of ``g`` (triples, or :func:`group` of them)
    grouped by subject, with the PREFIXES (declared once at the top of the
    file, not here)."""
    out: list[str] = []
    rdf_type = _RDF_TYPE
    for subject, pairs in _grouped(g):
        lines = [f"    {'a' if p == rdf_type else curie(p) or f'<{p}>'} {_ttl_term(o)}"
                 for p, o in pairs]
        out.append(f"{curie(subject) or f'<{subject}>'}\n" + " ;\n".join(lines) + " .\n")
    return "".join(out)


def _grouped(g: Iterable[tuple[object, object, object]] | Grouped) -> Grouped:
    return g if isinstance(g, Grouped) else group(g)


def _json_value(obj: Obj) -> dict[str, str]:
    if isinstance(obj, Lit):
        value, language, datatype = obj
        if language:
            return {"@value": value, "@language": language}
        if datatype:
            return {"@value": value, "@type": curie(datatype) or datatype}
        return {"@value": value}
    return {"@id": curie(obj) or obj}


def jsonld_nodes(g: Iterable[tuple[object, object, object]] | Grouped) -> list[dict[str, Any]]:
    """``g`` (triples, or :func:`group` of them) as JSON-LD node objects
    (compact IRIs under the PREFIXES context)."""
    nodes = []
    rdf_type = _RDF_TYPE
    for subject, pairs in _grouped(g):
        node: dict[str, Any] = {"@id": curie(subject) or subject}
        for predicate, obj in pairs:
            if predicate == rdf_type:
                text = obj.value if isinstance(obj, Lit) else obj
                node.setdefault("@type", []).append(curie(text) or text)
            else:
                node.setdefault(curie(predicate) or predicate, []).append(_json_value(obj))
        nodes.append(node)
    return nodes
