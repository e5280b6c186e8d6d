"""A read-only subset of the CKAN Action API (``/api/3/action/...``).

Harvesters and scripts written for CKAN portals (e.g. the ``ckanapi``
package, which POSTs JSON by default) work against this portal unmodified.
Answers use CKAN's envelope ``{"help", "success", "result"}`` and, on
failure, ``{"success": false, "error": {"__type", "message"}}``: that is
what CKAN clients parse, so these endpoints do not use the portal's own
error shape.
"""

from __future__ import annotations

import json
import math
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from flask import Blueprint, current_app, jsonify, request

from search_api.engine.base import SearchError, SearchQuery
from search_api.interop.ckan_dicts import (
    group_dict,
    organization_dict,
    package_dict,
    resource_id,
    tag_dict,
)
from search_api.interop.ckan_query import And, QueryError, engine_filters, is_plain, parse_fq

bp = Blueprint("ckan", __name__, url_prefix="/api/3/action")

MAX_ROWS = 1000
MAX_START = 10_000_000
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


class CkanError(Exception):
    def __init__(self, kind: str, message: str, status: int):
        super().__init__(message)
        self.kind, self.message, self.status = kind, message, status


def _params() -> dict[str, Any]:
    params: dict[str, Any] = dict(request.args.items())
    if request.method == "POST":
        body = request.get_json(silent=True)
        if isinstance(body, dict):
            params.update(body)
        elif request.is_json and request.get_data():
            # As CKAN does: a JSON body that cannot be read is refused, not ignored.
            raise CkanError("Bad request", "JSON Error: the request body must be a JSON "
                            "object of the action's parameters", 400)
        else:
            params.update(request.form.items())
    return params


def _help_url(action: str) -> str:
    return f"{request.host_url}api/3/action/help_show?name={action}"


def _envelope(action: str, result: Any) -> Any:
    return jsonify({"help": _help_url(action), "success": True, "result": result})


def _int(params: dict[str, Any], name: str, default: int, upper: int) -> int:
    raw = params.get(name, default)
    try:
        value = int(raw)
    except (TypeError, ValueError, OverflowError):
        raise CkanError("Validation Error", f"{name}: must be a whole number", 409) from None
    if value < 0 or value > upper:
        raise CkanError("Validation Error", f"{name}: must be between 0 and {upper}", 409)
    return value


def _flag(params: dict[str, Any], name: str, default: bool = False) -> bool:
    raw = params.get(name, default)
    if isinstance(raw, bool):
        return raw
    return str(raw).strip().lower() in ("true", "1", "yes", "on")


def _text(params: dict[str, Any], name: str) -> str:
    raw = params.get(name)
    return "" if raw is None else str(raw).strip()


def _absolute(path: str) -> str:
    base = current_app.config.get("PUBLIC_SITE_URL") or request.host_url
    return base.rstrip("/") + "/" + path.lstrip("/")


def _package(record: dict[str, Any]) -> dict[str, Any]:
    return package_dict(record, _absolute)


def _engine() -> Any:
    return current_app.extensions["portal_engine"]


def _labels() -> Any:
    return current_app.extensions["portal_labels"]


def _all_packages() -> Iterator[dict[str, Any]]:
    for record in _engine().records():
        yield _package(record)


def _fq(params: dict[str, Any]) -> Any:
    """fq, and CKAN 2.9's fq_list (a list of fq strings AND-ed), as one predicate."""
    texts = [_text(params, "fq")]
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
            {"name": v, "display_name": _labels().name(key, v) if key else v, "count": c}
            for v, c in ranked]}
    return facets, search_facets


def package_list() -> Any:
    """Return the names of the site's datasets (packages), sorted.

    :param limit: how many to return (optional); :param offset: where to start."""
    params = _params()
    names = sorted(_engine().all_ids())
    offset = _int(params, "offset", 0, MAX_START)
    if "limit" in params:
        return names[offset:offset + _int(params, "limit", 0, MAX_START)]
    return names[offset:]


def package_show() -> Any:
    """Return the metadata of a dataset (package) and its resources.

    :param id: the id or name of the dataset."""
    params = _params()
    identifier = _text(params, "id") or _text(params, "name_or_id")
    if not identifier:
        raise CkanError("Validation Error", "id: missing value", 409)
    record = _engine().get(identifier)
    if record is None:
        raise CkanError("Not Found Error", "Not found", 404)
    return _package(record)


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
    params = _params()
    rows = _int(params, "rows", 10, MAX_ROWS)
    start = _int(params, "start", 0, MAX_START)
    q = _text(params, "q")
    if q in ("*:*", "*"):
        q = ""
    sort_text = " ".join(_text(params, "sort").split()) or DEFAULT_SORT
    if sort_text not in SORTS:
        raise CkanError("Validation Error", f"sort: cannot sort by {sort_text!r}; use one of "
                        f"{', '.join(SORTS)}", 409)
    engine_sort, sort_key, descending = SORTS[sort_text]
    predicate = _fq(params)
    facet_fields = _facet_fields(params)
    facet_limit = _facet_limit(params)
    facet_mincount = _int(params, "facet.mincount", 1, MAX_START)
    if engine_sort is not None and not facet_fields and is_plain(predicate, ENGINE_FIELDS):
        total, results = _engine_page(q, engine_filters(predicate, ENGINE_FIELDS), engine_sort,
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
    page = [_engine().get(identifier) for _key, identifier in keys[start:start + rows]]
    facets, search_facets = _facets(counters, facet_limit, facet_mincount)
    return {"count": len(keys), "sort": sort_text,
            "results": [_package(r) for r in page if r is not None],
            "facets": facets, "search_facets": search_facets}


def _facet_limit(params: dict[str, Any]) -> int:
    raw = str(params.get("facet.limit", 50)).strip()
    if raw == "-1":
        return -1
    return _int({"facet.limit": raw}, "facet.limit", 50, MAX_ROWS)


def _engine_page(q: str, filters: dict[str, tuple[str, ...]], sort: str, start: int,
                 rows: int) -> tuple[int, list[dict[str, Any]]]:
    """Rows [start, start+rows) of an engine search, fetched page by page."""
    if rows == 0:
        result = _engine().search(SearchQuery(q=q, filters=filters, sort=sort, page=1,
                                              per_page=1))
        return result.total, []
    first, last = start // PAGE + 1, (start + rows - 1) // PAGE + 1
    hits: list[dict[str, Any]] = []
    total = 0
    for page in range(first, last + 1):
        result = _engine().search(SearchQuery(q=q, filters=filters, sort=sort, page=page,
                                              per_page=PAGE))
        total = result.total
        hits.extend(h.record for h in result.hits)
        if page >= math.ceil(total / PAGE):
            break
    offset = start - (first - 1) * PAGE
    return total, [_package(r) for r in hits[offset:offset + rows]]


def _candidates(q: str, predicate: Any) -> Iterator[dict[str, Any]]:
    """Packages that may match: every package when there are no search words,
    else the engine's hits for ``q`` (in its order), narrowed by the filters
    the engine can apply."""
    if not q:
        yield from _all_packages()
        return
    filters = engine_filters(predicate, ENGINE_FIELDS)
    page = 1
    while True:
        result = _engine().search(SearchQuery(q=q, filters=filters, sort="relevance",
                                              page=page, per_page=PAGE))
        for hit in result.hits:
            yield _package(hit.record)
        if page >= math.ceil(result.total / PAGE):
            return
        page += 1


def _counted(facet_key: str) -> dict[str, int]:
    result = _engine().search(SearchQuery(page=1, per_page=1))
    return dict(result.facets.get(facet_key, {}))


def _listing(params: dict[str, Any], facet_key: str,
             make: Callable[[str, str, int | None], dict[str, Any]]) -> Any:
    counts = _counted(facet_key)
    names = sorted(counts)
    if _text(params, "sort").startswith("package_count"):
        names.sort(key=lambda n: -counts[n])
    offset = _int(params, "offset", 0, MAX_START)
    limit = _int(params, "limit", len(names), MAX_START)
    names = names[offset:offset + limit]
    if not _flag(params, "all_fields"):
        return names
    return [make(code, _labels().name(facet_key, code), counts[code]) for code in names]


def organization_list() -> Any:
    """Return the names of the organizations (departments that publish).

    :param all_fields: return dicts with title and package_count (default false);
    :param sort: ``name`` or ``package_count``; :param limit; :param offset."""
    return _listing(_params(), "department", organization_dict)


def group_list() -> Any:
    """Return the names of the groups (the portal's themes).

    :param all_fields: return dicts with title and package_count (default false)."""
    return _listing(_params(), "theme", group_dict)


def _show(facet_key: str, kind: str,
          make: Callable[[str, str, int | None], dict[str, Any]]) -> Any:
    params = _params()
    code = _text(params, "id")
    if not code:
        raise CkanError("Validation Error", "id: missing value", 409)
    counts = _counted(facet_key)
    if code not in counts:
        raise CkanError("Not Found Error", f"{kind} not found", 404)
    found = make(code, _labels().name(facet_key, code), counts[code])
    found.update({"users": [], "extras": [], "groups": [], "tags": []})
    if _flag(params, "include_datasets", True):
        found["packages"] = _engine_page("", {facet_key: (code,)}, "name", 0, MAX_ROWS)[1]
    return found


def organization_show() -> Any:
    """Return one organization (department).

    :param id: its name; :param include_datasets: add its datasets (default true)."""
    return _show("department", "Organization", organization_dict)


def group_show() -> Any:
    """Return one group (theme).

    :param id: its name; :param include_datasets: add its datasets (default true)."""
    return _show("theme", "Group", group_dict)


def tag_list() -> Any:
    """Return the tags (keywords) of all datasets, sorted.

    :param query: only tags containing this text; :param all_fields: dicts."""
    params = _params()
    query = _text(params, "query")
    tags = sorted({str(k) for r in _engine().records() for k in r.get("keywords") or []
                   if query in str(k)})
    return [tag_dict(t) for t in tags] if _flag(params, "all_fields") else tags


_RESOURCE_INDEX: dict[str, Any] = {"built": 0.0, "count": -1, "map": {}}
RESOURCE_INDEX_SECONDS = 300


def _resource_owner(identifier: str) -> str | None:
    """The dataset id owning the resource UUID ``identifier`` (an index of all
    resource ids, rebuilt when the catalogue size changes or after 5 minutes)."""
    index = _RESOURCE_INDEX
    count = _engine().count()
    if (index["count"] != count or time.monotonic() - index["built"] > RESOURCE_INDEX_SECONDS
            or identifier not in index["map"]):
        index["map"] = {resource_id(str(r["id"]), str(d["filename"])): str(r["id"])
                        for r in _engine().records() for d in r.get("downloads") or []}
        index["count"], index["built"] = count, time.monotonic()
    owner = index["map"].get(identifier)
    return str(owner) if owner else None


def resource_show() -> Any:
    """Return one resource (a published file) by its id.

    :param id: the resource's UUID."""
    params = _params()
    identifier = _text(params, "id")
    if not identifier:
        raise CkanError("Validation Error", "id: missing value", 409)
    owner = _resource_owner(identifier)
    record = _engine().get(owner) if owner else None
    if record is None:
        raise CkanError("Not Found Error", "Resource was not found.", 404)
    for resource in _package(record)["resources"]:
        if resource["id"] == identifier:
            return resource
    raise CkanError("Not Found Error", "Resource was not found.", 404)


def status_show() -> Any:
    """Return the site's CKAN-compatible API version and name."""
    _params()
    return {"ckan_version": "2.10.0", "site_title": current_app.config.get("PORTAL_NAME", ""),
            "site_description": "", "site_url": _absolute(""), "locale_default": "zh_Hans_CN",
            "error_emails_to": None, "extensions": []}


def help_show() -> Any:
    """Return the help text of an action.

    :param name: the action's name."""
    params = _params()
    name = _text(params, "name")
    handler = ACTIONS.get(name)
    if handler is None:
        raise CkanError("Not Found Error", f"Action function not found: {name!r}", 404)
    return handler.__doc__


ACTIONS: dict[str, Callable[[], Any]] = {
    "package_list": package_list, "package_show": package_show,
    "package_search": package_search, "organization_list": organization_list,
    "organization_show": organization_show, "group_list": group_list,
    "group_show": group_show, "tag_list": tag_list, "resource_show": resource_show,
    "status_show": status_show, "help_show": help_show,
}


@bp.route("/<action>", methods=["GET", "POST"])
def action(action: str) -> Any:
    handler = ACTIONS.get(action)
    try:
        if handler is None:
            raise CkanError("Bad request", f"Action name not known: {action}. This portal "
                            f"supports {', '.join(sorted(ACTIONS))}", 400)
        return _envelope(action, handler())
    except SearchError as exc:
        return jsonify({"help": _help_url(action), "success": False,
                        "error": {"__type": "Validation Error", "message": str(exc)}}), 409
    except CkanError as exc:
        return jsonify({"help": _help_url(action), "success": False,
                        "error": {"__type": exc.kind, "message": exc.message}}), exc.status
