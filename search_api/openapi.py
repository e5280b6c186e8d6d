"""The OpenAPI 3.1 document of the API, at ``/api/v1/openapi.json``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from search_api.engine.base import FILTER_KEYS, SORTS

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

ERROR = {"type": "object", "required": ["ok", "error", "errors", "status"],
         "properties": {"ok": {"const": False}, "error": {"type": "string"},
                        "errors": {"type": "array", "items": {"type": "string"}},
                        "status": {"type": "integer"}}}


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _filter_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "style": "form", "explode": True,
            "description": f"Filter by {name}; repeat or separate values with commas.",
            "schema": {"type": "array", "items": {"type": "string", "maxLength": 64}}}


def _ckan_action(summary: str, params: list[dict[str, Any]]) -> dict[str, Any]:
    envelope = {"type": "object", "required": ["success"],
                "properties": {"help": {"type": "string"}, "success": {"type": "boolean"},
                               "result": {}, "error": {"type": "object"}}}
    response = {"content": {"application/json": {"schema": envelope}}}
    return {"get": {"summary": summary, "tags": ["CKAN"], "parameters": params,
                    "responses": {"200": {"description": "CKAN envelope", **response},
                                  "400": {"description": "CKAN error envelope", **response},
                                  "404": {"description": "CKAN error envelope", **response},
                                  "409": {"description": "CKAN error envelope", **response}}}}


def document() -> dict[str, Any]:
    query_params: list[dict[str, Any]] = [
        {"name": "q", "in": "query", "description": "Chinese full-text query (≤ 200 characters).",
         "schema": {"type": "string"}},
        *[_filter_param(k) for k in FILTER_KEYS],
        {"name": "sort", "in": "query", "schema": {"type": "string", "enum": list(SORTS)}},
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "per_page", "in": "query",
         "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
    ]
    return {
        "openapi": "3.1.0",
        "info": {"title": "开放数据门户 API", "version": "1",
                 "description": "Search the open catalogue and read dataset metadata. "
                                "Errors share one JSON shape (Error)."},
        "paths": {
            "/api/v1/search": {"get": {
                "summary": "Search datasets with facets", "parameters": query_params,
                "responses": {"200": {"description": "Hits, total and facet counts",
                                      "content": {"application/json": {"schema": {
                                          "type": "object",
                                          "required": ["ok", "total", "hits", "facets"]}}}},
                              "400": _error_response("Bad parameter")}}},
            "/api/v1/datasets/{identifier}": {"get": {
                "summary": "Published metadata of one dataset",
                "parameters": [{"name": "identifier", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "responses": {"200": {"description": "The dataset record",
                                      "content": {"application/json": {"schema": {
                                          "type": "object", "required": ["ok", "dataset"]}}}},
                              "404": _error_response("No such published dataset")}}},
            "/api/3/action/package_list": _ckan_action("CKAN: all dataset ids", []),
            "/api/3/action/package_show": _ckan_action("CKAN: one dataset", [
                {"name": "id", "in": "query", "schema": {"type": "string"}}]),
            "/api/3/action/package_search": _ckan_action("CKAN: search", [
                {"name": "q", "in": "query", "schema": {"type": "string"}},
                {"name": "fq", "in": "query", "schema": {"type": "string"}},
                {"name": "rows", "in": "query", "schema": {"type": "integer"}},
                {"name": "start", "in": "query", "schema": {"type": "integer"}},
                {"name": "sort", "in": "query", "schema": {"type": "string"}}]),
            "/api/3/action/organization_list": _ckan_action("CKAN: departments", [
                {"name": "all_fields", "in": "query", "schema": {"type": "boolean"}}]),
        },
        "components": {"schemas": {"Error": ERROR}},
    }


@bp.get("/openapi.json")
def openapi_json() -> Any:
    return jsonify(document())
