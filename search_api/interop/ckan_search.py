"""``package_search`` of the CKAN Action API: ``q`` and ``fq`` (CKAN's Solr
syntax, parsed in :mod:`search_api.interop.ckan_query`), sorting, paging and
facets; filters the engine knows run in the engine, the rest over package
dicts."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from search_api.engine.base import SearchQuery
from search_api.interop.ckan_common import (
    MAX_ROWS,
    MAX_START,
    CkanError,
    all_packages,
    package_of,
    param_int,
    param_text,
    portal_engine,
    portal_labels,
    request_params,
)
from search_api.interop.ckan_query import And, QueryError, engine_filters, is_plain, parse_fq

PAGE = 100  # the engine's largest page
# CKAN fq fields the engine filters on itself (values identical to the
# portal's filter values); every other field is read from the package dicts.
ENGINE_FIELDS = {"organization": "department", "groups": "theme", "open_type": "open_type",
                 "update_frequency": "update_frequency", "region": "region"}
# CKAN facet fields → how to read them from a package dict.
FACET_FIELDS: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "organization": lambda p: [p["organization"]["name"]],
    "groups": lambda p: [g["name"] for g in p["groups"]],
    "tags": lambda p: [t["name"] for t in p["tags"]],
    "res_format": lambda p: sorted({r["format"] for r in p["resources"]}),
    "license_id": lambda p: [p["license_id"]] if p["license_id"] else [],
}
# CKAN sort strings → (engine sort or None, key over package dicts, descending).
SORTS: dict[str, tuple[str | None, Callable[[dict[str, Any]], Any] | None, bool]] = {
    "score desc, metadata_modified desc": ("relevance", None, False),
    "relevance asc, metadata_modified desc": ("relevance", None, False),
    "metadata_modified desc": ("updated", lambda p: p["metadata_modified"] or "", True),
    "metadata_modified asc": (None, lambda p: p["metadata_modified"] or "", False),
    "metadata_created desc": (None, lambda p: p["metadata_created"] or "", True),
    "metadata_created asc": (None, lambda p: p["metadata_created"] or "", False),
    "name asc": (None, lambda p: p["name"], False),
    "name desc": (None, lambda p: p["name"], True),
    "id asc": (None, lambda p: p["id"], False),
    "id desc": (None, lambda p: p["id"], True),
    "title_string asc": ("name", lambda p: p["title"], False),
    "title_string desc": (None, lambda p: p["title"], True),
}
DEFAULT_SORT = "score desc, metadata_modified desc"


def _fq(params: dict[str, Any]) -> Any:
    """fq, and CKAN 2.9's fq_list (a list of fq strings AND-ed), as one predicate."""
    texts = [param_text(params, "fq")]
    extra = params.get("fq_list")
    if isinstance(extra, str):
        try:
            extra = json.loads(extra) if extra.strip().startswith("[") else [extra]
        except ValueError:
            raise CkanError("Validation Error", "fq_list: must be a JSON list of strings",
                            409) from None
    if extra is not None:
        if not isinstance(extra, list) or not all(isinstance(x, str) for x in extra):
            raise CkanError("Validation Error", "fq_list: must be a list of strings", 409)
        texts.extend(extra)
    try:
        parts = [parse_fq(t) for t in texts if t.strip()]
        return parts[0] if len(parts) == 1 else And(tuple(parts))
    except QueryError as exc:
        raise CkanError("Validation Error", str(exc), 409) from None


def _facet_fields(params: dict[str, Any]) -> list[str]:
    raw = params.get("facet.field")
    if raw in (None, "", []):
        return []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise CkanError("Validation Error", 'facet.field: write a JSON list such as '
                            '["organization","res_format"]', 409) from None
    if not isinstance(raw, list) or not all(isinstance(f, str) for f in raw):
        raise CkanError("Validation Error", "facet.field: must be a list of field names", 409)
    unknown = [f for f in raw if f not in FACET_FIELDS]
    if unknown:
        raise CkanError("Validation Error", f"facet.field: cannot count {', '.join(unknown)}; "
                        f"use {', '.join(FACET_FIELDS)}", 409)
    return list(dict.fromkeys(raw))


def _facets(counters: dict[str, Counter[str]], limit: int, mincount: int
            ) -> tuple[dict[str, Any], dict[str, Any]]:
    """CKAN's ``facets`` ({field: {value: count}}) and ``search_facets``
    ({field: {title, items: [{name, display_name, count}]}})."""
    label_keys = {"organization": "department", "groups": "theme"}
    facets: dict[str, Any] = {}
    search_facets: dict[str, Any] = {}
    for field, counter in counters.items():
        ranked = [(v, c) for v, c in sorted(counter.items(), key=lambda x: (-x[1], x[0]))
                  if c >= mincount]
        if limit >= 0:
            ranked = ranked[:limit]
        facets[field] = dict(ranked)
        key = label_keys.get(field)
        search_facets[field] = {"title": field, "items": [
            {"name": v, "display_name": portal_labels().name(key, v) if key else v, "count": c}
            for v, c in ranked]}
    return facets, search_facets



def package_search() -> Any:
    """Search for datasets (packages).

    :param q: search words (``*:*`` for all); :param fq: Solr filter query
    (field:value, "quoted", AND/OR/NOT, parentheses, ranges [A TO B] on
    metadata_modified/metadata_created, tags:, res_format:, organization:,
    groups:, license_id:); :param fq_list: more filter queries;
    :param rows: at most 1000 (default 10); :param start: offset;
    :param sort: e.g. ``metadata_modified desc``, ``name asc``;
    :param facet.field: JSON list of organization, groups, tags, res_format,
    license_id; :param facet.limit: default 50 (-1: all); :param facet.mincount."""
    params = request_params()
    rows = param_int(params, "rows", 10, MAX_ROWS)
    start = param_int(params, "start", 0, MAX_START)
    q = param_text(params, "q")
    if q in ("*:*", "*"):
        q = ""
    sort_text = " ".join(param_text(params, "sort").split()) or DEFAULT_SORT
    if sort_text not in SORTS:
        raise CkanError("Validation Error", f"sort: cannot sort by {sort_text!r}; use one of "
                        f"{', '.join(SORTS)}", 409)
    engine_sort, sort_key, descending = SORTS[sort_text]
    predicate = _fq(params)
    facet_fields = _facet_fields(params)
    facet_limit = _facet_limit(params)
    facet_mincount = param_int(params, "facet.mincount", 1, MAX_START)
    if engine_sort is not None and not facet_fields and is_plain(predicate, ENGINE_FIELDS):
        total, results = engine_page(q, engine_filters(predicate, ENGINE_FIELDS), engine_sort,
                                      start, rows)
        return {"count": total, "sort": sort_text, "results": results, "facets": {},
                "search_facets": {}}
    if sort_key is None and not q:
        # Relevance without search words: newest first, as CKAN's secondary key.
        sort_key, descending = SORTS["metadata_modified desc"][1], True
    # Only (sort key, id) of each match is kept: a harvest of 100,000 packages
    # must not hold 100,000 package dicts.
    keys: list[tuple[Any, str]] = []
    counters: dict[str, Counter[str]] = {f: Counter() for f in facet_fields}
    for position, package in enumerate(_candidates(q, predicate)):
        if not predicate.test(package):
            continue
        keys.append((sort_key(package) if sort_key else position, package["id"]))
        for field in facet_fields:
            counters[field].update(FACET_FIELDS[field](package))
    if sort_key is not None:
        # Ties in id order, whatever the direction, so pages never overlap.
        keys.sort(key=lambda k: k[1])
        keys.sort(key=lambda k: k[0], reverse=descending)
    page = [portal_engine().get(identifier) for _key, identifier in keys[start:start + rows]]
    facets, search_facets = _facets(counters, facet_limit, facet_mincount)
    return {"count": len(keys), "sort": sort_text,
            "results": [package_of(r) for r in page if r is not None],
            "facets": facets, "search_facets": search_facets}


def _facet_limit(params: dict[str, Any]) -> int:
    raw = str(params.get("facet.limit", 50)).strip()
    if raw == "-1":
        return -1
    return param_int({"facet.limit": raw}, "facet.limit", 50, MAX_ROWS)


def engine_page(q: str, filters: dict[str, tuple[str, ...]], sort: str, start: int,
                 rows: int) -> tuple[int, list[dict[str, Any]]]:
    """Rows [start, start+rows) of an engine search, fetched page by page."""
    if rows == 0:
        result = portal_engine().search(SearchQuery(q=q, filters=filters, sort=sort, page=1,
                                              per_page=1))
        return result.total, []
    first, last = start // PAGE + 1, (start + rows - 1) // PAGE + 1
    hits: list[dict[str, Any]] = []
    total = 0
    for page in range(first, last + 1):
        result = portal_engine().search(SearchQuery(q=q, filters=filters, sort=sort, page=page,
                                              per_page=PAGE))
        total = result.total
        hits.extend(h.record for h in result.hits)
        if page >= math.ceil(total / PAGE):
            break
    offset = start - (first - 1) * PAGE
    return total, [package_of(r) for r in hits[offset:offset + rows]]


def _candidates(q: str, predicate: Any) -> Iterator[dict[str, Any]]:
    """Packages that may match: every package when there are no search words,
    else the engine's hits for ``q`` (in its order), narrowed by the filters
    the engine can apply."""
    if not q:
        yield from all_packages()
        return
    filters = engine_filters(predicate, ENGINE_FIELDS)
    page = 1
    while True:
        result = portal_engine().search(SearchQuery(q=q, filters=filters, sort="relevance",
                                              page=page, per_page=PAGE))
        for hit in result.hits:
            yield package_of(hit.record)
        if page >= math.ceil(result.total / PAGE):
            return
        page += 1


