"""Search and dataset metadata: ``/api/v1/search``, ``/api/v1/datasets/<id>``."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import orjson
from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.datastructures import MultiDict

from search_api.engine.base import FILTER_KEYS, SORTS, SearchQuery, SearchResult
from search_api.search.labels import LabelStore
from search_api.web.errors import ApiError

bp = Blueprint("search", __name__, url_prefix="/api/v1")

MAX_QUERY_CHARS = 200
MAX_PER_PAGE = 100
FILTER_LABELS = {"department": "数据提供部门", "theme": "数据领域", "open_type": "开放属性",
                 "format": "数据格式", "update_frequency": "更新频度", "region": "所属区域"}
PARAMS = ("q", *FILTER_KEYS, "sort", "page", "per_page")
HIT_KEYS = ("id", "title", "summary", "department", "department_name", "theme", "theme_name",
            "open_type", "open_type_name", "formats", "update_frequency", "last_updated",
            "freshness", "status", "url")


_WHOLE = re.compile(r"^[0-9]{1,30}(\.0*)?$")


def _positive_int(args: MultiDict[str, str], name: str, default: int, upper: int | None,
                  hint: str) -> int:
    raw = args.get(name, "").strip()
    if not raw:
        return default
    # A whole number; "5.0" is one too (JSON Schema's integer, as OpenAPI
    # clients may send it).
    if not _WHOLE.match(raw):
        raise ApiError(hint)
    value = int(raw.split(".")[0])
    if value < 1 or (upper is not None and value > upper):
        raise ApiError(hint)
    return value


def parse_search_args(args: MultiDict[str, str], labels: dict[str, dict[str, str]]) -> SearchQuery:
    """Turn query-string arguments into a SearchQuery (with autocorrect: a
    query no record fully matches may be answered for its correction).

    Raises:
        ApiError: an unknown parameter or value, or one out of range; the
            message says what to send instead.
    """
    unknown = sorted(set(args) - set(PARAMS))
    if unknown:
        raise ApiError(f"不支持参数“{unknown[0]}”。可用参数：{'、'.join(PARAMS)}。")
    q = " ".join(args.getlist("q")).strip()
    if len(q) > MAX_QUERY_CHARS:
        raise ApiError(f"搜索词过长（{len(q)} 个字），请缩短到 {MAX_QUERY_CHARS} 字以内。")
    filters: dict[str, tuple[str, ...]] = {}
    errors = []
    for key in FILTER_KEYS:
        values = [v.strip() for raw in args.getlist(key) for v in raw.split(",") if v.strip()]
        known = labels.get(key)
        for value in values:
            if known is not None and value not in known:
                errors.append(f"{FILTER_LABELS[key]}“{value}”不存在。可用的值见本接口返回的 "
                              f"facets.{key}。")
        if values:
            filters[key] = tuple(dict.fromkeys(values))
    if errors:
        raise ApiError(errors[0], errors=errors)
    sort = args.get("sort", "relevance").strip() or "relevance"
    if sort not in SORTS:
        raise ApiError("sort 只能是 relevance（相关度）、updated（更新时间）或 name（名称）。")
    page = _positive_int(args, "page", 1, None, "page 须为正整数，例如 page=2。")
    per_page = _positive_int(args, "per_page", 20, MAX_PER_PAGE,
                             f"per_page 须为 1 到 {MAX_PER_PAGE} 之间的整数。")
    return SearchQuery(q=q, filters=filters, sort=sort, page=page, per_page=per_page,
                       autocorrect=True)


def _labels() -> LabelStore:
    store: LabelStore = current_app.extensions["portal_labels"]
    return store


def result_body(query: SearchQuery, result: SearchResult,
                names: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    """The JSON answer of /api/v1/search, its facet values named from
    ``names`` (``LabelStore.get()``, read once per request: the same labels
    that checked the filters). ``corrected`` is null, or says which
    query the hits are for when the engine corrected a query that nothing
    matched (a homophone slip, misspelt pinyin), with a message to show."""
    pages = page_count(result.total, query.per_page)
    hits = []
    for hit in result.hits:
        item = {key: hit.record.get(key) for key in HIT_KEYS}
        item["highlights"] = hit.highlights
        hits.append(item)
    facets = {key: [{"value": value, "label": names.get(key, {}).get(value, value),
                     "count": count}
                    for value, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
              for key, counts in result.facets.items()}
    return {
        "ok": True,
        "query": {"q": query.q, "filters": {k: list(v) for k, v in query.filters.items()},
                  "sort": query.sort, "page": query.page, "per_page": query.per_page},
        "total": result.total, "page": query.page, "per_page": query.per_page, "pages": pages,
        "hits": hits, "facets": facets, "took_ms": round(result.took_ms, 2),
        "corrected": None if result.corrected is None else {
            "q": result.corrected,
            "message": f"没有找到与“{query.q}”匹配的数据集，以下是“{result.corrected}”的结果。",
        },
    }


def page_count(total: int, per_page: int) -> int:
    """Pages of ``total`` results at ``per_page`` a page (at least one)."""
    return max(1, math.ceil(total / per_page))


def beyond_last_page(page: int, total: int, pages: int) -> str:
    """The reader's message for a page after the last one."""
    return f"第 {page} 页超出范围：共 {total} 条结果、{pages} 页。"


@bp.get("/search")
def search() -> Any:
    names = _labels().get()  # one look at the labels file per request
    query = parse_search_args(request.args, names)
    result = current_app.extensions["portal_engine"].search(query)
    pages = page_count(result.total, query.per_page)
    if query.page > pages:
        raise ApiError(beyond_last_page(query.page, result.total, pages))
    # orjson: the answer is the service's largest JSON (about 4 times faster than json).
    return Response(orjson.dumps(result_body(query, result, names)),
                    mimetype="application/json")


@bp.get("/datasets/<identifier>")
def dataset(identifier: str) -> Any:
    record = current_app.extensions["portal_engine"].get(identifier)
    if record is None:
        raise ApiError(f"没有资源代码为“{identifier[:64]}”的公开数据集。可用 /api/v1/search 查找。",
                       status=404)
    return jsonify({"ok": True, "dataset": record})
