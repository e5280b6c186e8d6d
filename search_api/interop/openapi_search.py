"""OpenAPI paths of search and dataset metadata (``/api/v1/search``,
``/api/v1/datasets/{identifier}``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from search_api.engine.base import FILTER_KEYS, SORTS
from search_api.interop.openapi_common import (
    error_response,
    error_responses,
    json_response,
    path_param,
    query_param,
)

# GET /api/v1/search: query answer (search_views.result_body).
SEARCH_RESULT = {
    "type": "object",
    "required": ["ok", "query", "total", "page", "per_page", "pages", "hits", "facets"],
    "properties": {
        "ok": {"const": True},
        "query": {"type": "object"},
        "total": {"type": "integer", "minimum": 0},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
        "pages": {"type": "integer", "minimum": 1},
        "hits": {"type": "array", "items": {
            "type": "object", "required": ["id", "title", "url", "highlights"],
            "properties": {"id": {"type": "string"}, "title": {"type": "string"},
                           "url": {"type": "string"}, "highlights": {"type": "object"}}}},
        "facets": {"type": "object", "additionalProperties": {"type": "array", "items": {
            "type": "object", "required": ["value", "label", "count"],
            "properties": {"value": {"type": "string"}, "label": {"type": "string"},
                           "count": {"type": "integer", "minimum": 0}}}}},
        "took_ms": {"type": "number"},
        "corrected": {"oneOf": [
            {"type": "null"},
            {"type": "object", "required": ["q", "message"],
             "description": "Nothing held every word: the hits are for this corrected query",
             "properties": {"q": {"type": "string"}, "message": {"type": "string"}}}]},
    },
}

def _filter_param(name: str, known: Mapping[str, Any] | None) -> dict[str, Any]:
    description = (f"Filter by {name} code; repeat or separate values with commas. "
                   "A code the search index does not know gets 400.")
    if known:
        # Codes are documented, not declared as an enum: a generated client
        # must not need regenerating whenever a department is added.
        codes = ", ".join(f"{code} ({label})" for code, label in sorted(known.items()))
        description += f" Codes known when this document was served: {codes}."
    return {"name": name, "in": "query", "required": False, "style": "form", "explode": True,
            "description": description,
            "schema": {"type": "array", "items": {"type": "string", "maxLength": 100}}}


def search_paths(labels: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Search and one dataset's metadata; ``labels`` (facet values known to
    the search index, by filter) make the filters' accepted values explicit."""
    query_params: list[dict[str, Any]] = [
        query_param("q", {"type": "string", "maxLength": 200},
                    "Chinese full-text query (≤ 200 characters)."),
        *[_filter_param(k, labels.get(k)) for k in FILTER_KEYS],
        # An empty value means the default (as a form with an empty field sends).
        query_param("sort", {"type": "string", "enum": [*SORTS, ""]}, "Default: relevance."),
        query_param("page", {"anyOf": [{"type": "integer", "minimum": 1}, {"const": ""}]},
                    "1-based page (default 1); a page past the last one gets 400."),
        query_param("per_page", {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 100},
                                           {"const": ""}]}, "Default: 20."),
    ]
    return {
        "/api/v1/search": {"get": {
            "summary": "Search datasets with facets", "parameters": query_params,
            "responses": {"200": json_response("Hits, total and facet counts", SEARCH_RESULT),
                          **error_responses(400)}}},
        "/api/v1/datasets/{identifier}": {"get": {
            "summary": "Published metadata of one dataset",
            "parameters": [path_param("identifier")],
            "responses": {"200": json_response("The dataset record", {
                "type": "object", "required": ["ok", "dataset"],
                "properties": {"ok": {"const": True}, "dataset": {"type": "object"}}}),
                "404": error_response("No such published dataset")}}},
    }
