"""The Solr fq subset read into predicates (pure; no server)."""

from __future__ import annotations

from typing import Any

import pytest

from search_api.interop.ckan_query import QueryError, engine_filters, is_plain, parse_fq

MAPPING = {"organization": "department", "groups": "theme"}


def package(org: str, tags: list[str], formats: list[str], modified: str) -> dict[str, Any]:
    return {"organization": {"name": org, "id": org}, "tags": [{"name": t} for t in tags],
            "resources": [{"format": f} for f in formats], "metadata_modified": modified,
            "groups": [{"name": "traffic"}], "type": "dataset", "private": False}


A = package("jtj", ["公交", "地铁"], ["CSV"], "2026-03-01T00:00:00")
B = package("rsj", ["就业"], ["JSON"], "2025-12-31T23:59:59")
C = package("jtj", ["停车"], [], "2026-01-01T00:00:00")


@pytest.mark.parametrize("fq, matches", [
    ("", "ABC"),
    ("organization:jtj", "AC"),
    ("organization:jtj res_format:CSV", "A"),
    ("organization:jtj AND -res_format:CSV", "C"),
    ("organization:rsj OR tags:停车", "BC"),
    ("(organization:rsj || tags:停车) && NOT tags:就业", "C"),
    ('tags:"公交"', "A"),
    ("res_format:csv", "A"),
    ("metadata_modified:[2026-01-01T00:00:00Z TO *]", "AC"),
    ("metadata_modified:{2026-01-01T00:00:00Z TO *]", "A"),
    ("metadata_modified:[* TO 2026-01-01]", "BC"),
    ("metadata_modified:[* TO 2026-01-01}", "B"),
    ("+dataset_type:dataset +capacity:public", "ABC"),
    ("organization:(rsj OR jtj) -tags:公交", "BC"),
    ("res_format:*", "AB"),
    ("!organization:jtj", "B"),
])
def test_fq_selects(fq: str, matches: str) -> None:
    node = parse_fq(fq)
    found = "".join(name for name, p in zip("ABC", (A, B, C), strict=True) if node.test(p))
    assert found == matches


@pytest.mark.parametrize("fq", ["organization", "foo:bar", "(organization:jtj", "organization:",
                                "organization:jtj)", "metadata_modified:[2026 TO 2027 TO 2028]",
                                "metadata_modified:soon", "OR", 'tags:"x', "a:b " * 101])
def test_unreadable_fq_raises(fq: str) -> None:
    with pytest.raises(QueryError):
        parse_fq(fq)


def test_engine_gets_only_what_it_can_apply_exactly() -> None:
    plain = parse_fq("organization:(jtj OR rsj) groups:traffic")
    assert is_plain(plain, MAPPING)
    assert engine_filters(plain, MAPPING) == {"department": ("jtj", "rsj"), "theme": ("traffic",)}
    mixed = parse_fq("organization:jtj tags:公交")
    assert not is_plain(mixed, MAPPING)
    assert engine_filters(mixed, MAPPING) == {"department": ("jtj",)}
    negated = parse_fq("-organization:jtj")
    assert not is_plain(negated, MAPPING) and engine_filters(negated, MAPPING) == {}
    across = parse_fq("organization:jtj OR groups:traffic")
    assert not is_plain(across, MAPPING) and engine_filters(across, MAPPING) == {}
