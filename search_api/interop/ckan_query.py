"""The part of Solr's query syntax that CKAN clients put in ``fq``, read into a
predicate over CKAN package dicts.

Harvesters and scripts send filters such as ``organization:rsj``,
``res_format:"CSV"``, ``tags:公交``, ``(organization:a OR organization:b)``,
``-groups:health``, ``+dataset_type:dataset`` and the incremental-harvest
range ``metadata_modified:[2026-01-01T00:00:00Z TO *]``. This module parses
that subset (clauses joined by AND — CKAN's Solr schema makes AND the default
operator —, OR, NOT, ``+``/``-`` prefixes, parentheses, quoted values, ranges
with ``TO`` and ``*``) and evaluates it on package dicts; anything else is a
``QueryError`` whose message says what to write instead.

Pure: no Flask, no engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

MAX_FQ_CHARS = 2000
MAX_CLAUSES = 100


class QueryError(ValueError):
    """The fq text cannot be read; the message says what to change."""


def _organization(p: Mapping[str, Any]) -> list[str]:
    org = p.get("organization") or {}
    return [str(org.get("name") or ""), str(org.get("id") or "")]


def _resource_values(key: str) -> Callable[[Mapping[str, Any]], list[str]]:
    return lambda p: [str(r.get(key) or "") for r in p.get("resources") or []]


def _extra(key: str) -> Callable[[Mapping[str, Any]], list[str]]:
    def values(p: Mapping[str, Any]) -> list[str]:
        return [str(e.get("value") or "") for e in p.get("extras") or [] if e.get("key") == key]
    return values


def _key(key: str) -> Callable[[Mapping[str, Any]], list[str]]:
    return lambda p: [str(p.get(key))] if p.get(key) is not None else []


# Field → the values a package has for it. Text comparison is case-insensitive
# for formats and identifiers (CKAN indexes res_format as given; clients send
# both "CSV" and "csv").
FIELDS: dict[str, Callable[[Mapping[str, Any]], list[str]]] = {
    "id": _key("id"),
    "name": _key("name"),
    "title": _key("title"),
    "organization": _organization,
    "owner_org": _key("owner_org"),
    "groups": lambda p: [str(g.get("name") or "") for g in p.get("groups") or []],
    "tags": lambda p: [str(t.get("name") or "") for t in p.get("tags") or []],
    "res_format": _resource_values("format"),
    "res_name": _resource_values("name"),
    "license_id": _key("license_id"),
    "state": _key("state"),
    "type": _key("type"),
    "dataset_type": _key("type"),
    "private": lambda p: ["true" if p.get("private") else "false"],
    "capacity": lambda p: ["private" if p.get("private") else "public"],
    "isopen": lambda p: ["true" if p.get("isopen") else "false"],
    "metadata_modified": _key("metadata_modified"),
    "metadata_created": _key("metadata_created"),
    "open_type": _extra("open_type"),
    "update_frequency": _extra("update_frequency"),
    "region": _extra("region"),
}
DATE_FIELDS = frozenset({"metadata_modified", "metadata_created"})
CASE_FOLDED = frozenset({"res_format", "license_id", "state", "type", "dataset_type",
                         "private", "capacity", "isopen"})


@dataclass(frozen=True)
class Term:
    field: str
    value: str  # exact value; "*" means "has any value"

    def test(self, package: Mapping[str, Any]) -> bool:
        values = FIELDS[self.field](package)
        if self.value == "*":
            return any(values)
        if self.field in DATE_FIELDS:
            wanted = _instant(self.value, self.field)
            return any(_instant(v, self.field) == wanted for v in values if v)
        if self.field in CASE_FOLDED:
            return self.value.casefold() in (v.casefold() for v in values)
        return self.value in values


@dataclass(frozen=True)
class Range:
    field: str
    low: str | None  # None: unbounded ("*")
    high: str | None
    low_inclusive: bool = True
    high_inclusive: bool = True

    def test(self, package: Mapping[str, Any]) -> bool:
        for raw in FIELDS[self.field](package):
            if not raw:
                continue
            value: Any = _instant(raw, self.field) if self.field in DATE_FIELDS else raw
            if self.low is not None:
                low = _instant(self.low, self.field) if self.field in DATE_FIELDS else self.low
                if value < low or (value == low and not self.low_inclusive):
                    continue
            if self.high is not None:
                high = _instant(self.high, self.field) if self.field in DATE_FIELDS else self.high
                if value > high or (value == high and not self.high_inclusive):
                    continue
            return True
        return False


@dataclass(frozen=True)
class Not:
    inner: Node

    def test(self, package: Mapping[str, Any]) -> bool:
        return not self.inner.test(package)


@dataclass(frozen=True)
class And:
    parts: tuple[Node, ...]

    def test(self, package: Mapping[str, Any]) -> bool:
        return all(p.test(package) for p in self.parts)


@dataclass(frozen=True)
class Or:
    parts: tuple[Node, ...]

    def test(self, package: Mapping[str, Any]) -> bool:
        return any(p.test(package) for p in self.parts)


Node = Term | Range | Not | And | Or
MATCH_ALL = And(())


def _instant(text: str, field: str) -> datetime:
    """A Solr date (``2026-01-01T00:00:00Z``, with or without fraction or
    zone, or a plain date) or ``NOW``, as an aware UTC datetime."""
    text = text.strip()
    if text.upper() == "NOW":
        return datetime.now(UTC)
    candidate = text[:-1] + "+00:00" if text.endswith("Z") else text
    try:
        parsed = datetime.fromisoformat(candidate)
    except ValueError:
        raise QueryError(f"fq: {field} needs a date such as 2026-01-01T00:00:00Z, "
                         f"not {text!r}") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


_TOKEN = re.compile(r"""
    \s*(?:
      (?P<lparen>\()|(?P<rparen>\))
    | (?P<range>[\[{][^\]}]*[\]}])
    | (?P<quoted>"(?:[^"\\]|\\.)*")
    | (?P<word>[^\s()"\[\]{}]+)
    )""", re.VERBOSE)


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None and text[pos:].lstrip().startswith('"'):
            raise QueryError("fq: the quotes of a value are not closed; add the missing '\"'")
        if m is None or m.end() == pos:
            raise QueryError(f"fq: cannot read {text[pos:pos + 30]!r}; write field:value, "
                             "field:\"quoted value\" or field:[A TO B]")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class _Parser:
    """Recursive descent: or_expr := and_expr (OR and_expr)*;
    and_expr := unary ((AND)? unary)*; unary := (NOT|-|+|!)? atom."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens, self.i, self.clauses = tokens, 0, 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> Node:
        node = self.or_expr()
        if self.peek() is not None:
            raise QueryError(f"fq: unexpected {self.peek()[1]!r}; "  # type: ignore[index]
                             "check the parentheses")
        return node

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while self._is_word("OR") or self._is_word("||"):
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self) -> Node:
        parts = [self.unary()]
        while True:
            token = self.peek()
            if token is None or token[0] == "rparen" or self._is_word("OR") or self._is_word("||"):
                break
            if self._is_word("AND") or self._is_word("&&"):
                self.take()
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self) -> Node:
        token = self.peek()
        if token is None:
            raise QueryError("fq: a condition is missing at the end; remove the dangling operator")
        if self._is_word("NOT") or token[1] == "!":
            self.take()
            return Not(self.unary())
        if token[0] == "word" and token[1][0] in "+-!" and len(token[1]) > 1:
            # "+field:value" / "-field:value": strip the sign, read the rest as a clause.
            self.tokens[self.i] = ("word", token[1][1:])
            inner = self.unary()
            return Not(inner) if token[1][0] in "-!" else inner
        if token[1] in ("+", "-"):
            self.take()
            inner = self.unary()
            return Not(inner) if token[1] == "-" else inner
        return self.atom()

    def atom(self) -> Node:
        kind, text = self.take()
        if kind == "lparen":
            node = self.or_expr()
            if self.peek() is None or self.take()[0] != "rparen":
                raise QueryError("fq: a '(' is not closed; add the missing ')'")
            return node
        if kind != "word" or ":" not in text:
            raise QueryError(f"fq: cannot read {text!r}; write field:value (e.g. "
                             "organization:rsj or res_format:CSV)")
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            raise QueryError(f"fq: more than {MAX_CLAUSES} conditions; split the query")
        field, value = text.split(":", 1)
        field = field.strip()
        if field not in FIELDS:
            raise QueryError(f"fq: unsupported field {field!r}; use one of "
                             f"{', '.join(sorted(FIELDS))}")
        if value == "":
            follow = self.peek()
            if follow is None or follow[0] not in ("quoted", "range", "lparen"):
                raise QueryError(f"fq: {field}: has no value; write {field}:value")
            fkind, ftext = self.take()
            if fkind == "lparen":
                return self._grouped_values(field)
            return _value_node(field, fkind, ftext)
        if value.startswith('"'):
            raise QueryError(f"fq: the quotes of {field} are not closed")
        return _value_node(field, "word", value)

    def _grouped_values(self, field: str) -> Node:
        """``field:(a OR b)`` / ``field:(a b)``: values of one field."""
        parts: list[Node] = []
        operator = "OR"
        while True:
            token = self.peek()
            if token is None:
                raise QueryError("fq: a '(' is not closed; add the missing ')'")
            self.take()
            if token[0] == "rparen":
                break
            if token[0] == "word" and token[1] in ("OR", "AND", "||", "&&"):
                operator = "AND" if token[1] in ("AND", "&&") else "OR"
                continue
            parts.append(_value_node(field, token[0], token[1]))
        if not parts:
            raise QueryError(f"fq: {field}:() holds no value")
        return And(tuple(parts)) if operator == "AND" else Or(tuple(parts))

    def _is_word(self, word: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "word" and token[1] == word


def _value_node(field: str, kind: str, text: str) -> Node:
    if kind == "quoted":
        return Term(field, re.sub(r"\\(.)", r"\1", text[1:-1]))
    if kind == "range":
        return _range(field, text)
    if kind == "word":
        value = text.replace("\\", "")
        if field in DATE_FIELDS and value != "*":
            _instant(value, field)  # refuse a malformed date now, not per package
        return Term(field, value)
    raise QueryError(f"fq: cannot read the value of {field}")


def _range(field: str, text: str) -> Range:
    low_inclusive, high_inclusive = text[0] == "[", text[-1] == "]"
    body = text[1:-1].strip()
    parts = re.split(r"\s+TO\s+", body)
    if len(parts) != 2:
        raise QueryError(f"fq: {field}: write a range as [A TO B] (use * for no bound)")
    low, high = (p.strip().strip('"') for p in parts)
    bounds = [None if b == "*" else b for b in (low, high)]
    if field in DATE_FIELDS:
        for bound in bounds:
            if bound is not None:
                _instant(bound, field)
    return Range(field, bounds[0], bounds[1], low_inclusive, high_inclusive)


def parse_fq(text: str) -> Node:
    """The predicate of ``text``; MATCH_ALL for an empty text.

    Raises:
        QueryError: the text is longer than MAX_FQ_CHARS, uses a field outside
            FIELDS, has unbalanced parentheses or quotes, or a malformed date.
    """
    if len(text) > MAX_FQ_CHARS:
        raise QueryError(f"fq has {len(text)} characters; shorten it to {MAX_FQ_CHARS}")
    tokens = _tokens(text)
    if not tokens:
        return MATCH_ALL
    return _Parser(tokens).parse()


def engine_filters(node: Node, mapping: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """The part of ``node`` a search engine can apply itself: top-level AND-ed
    terms, or OR-groups of terms, on one field each that ``mapping`` translates
    to an engine filter key. The result selects a superset of what ``node``
    selects (the package predicate still decides)."""
    parts = node.parts if isinstance(node, And) else (node,)
    filters: dict[str, tuple[str, ...]] = {}
    for part in parts:
        terms = part.parts if isinstance(part, Or) else (part,)
        if not terms or not all(isinstance(t, Term) and t.value != "*" for t in terms):
            continue
        fields = {t.field for t in terms if isinstance(t, Term)}
        if len(fields) != 1:
            continue
        field = fields.pop()
        key = mapping.get(field)
        if key is None or key in filters:
            continue
        filters[key] = tuple(t.value for t in terms if isinstance(t, Term))
    return filters


def is_plain(node: Node, mapping: Mapping[str, str]) -> bool:
    """True when ``engine_filters`` captures ``node`` exactly (no residue for
    the package predicate): only AND-ed single-field OR-groups of mapped terms,
    at most one group per field."""
    parts = node.parts if isinstance(node, And) else (node,)
    seen: set[str] = set()
    for part in parts:
        terms = part.parts if isinstance(part, Or) else (part,)
        if not terms or not all(isinstance(t, Term) and t.value != "*" for t in terms):
            return False
        fields = {t.field for t in terms if isinstance(t, Term)}
        if len(fields) != 1:
            return False
        field = fields.pop()
        if field not in mapping or field in seen:
            return False
        seen.add(field)
    return True
