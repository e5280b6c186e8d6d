"""OpenAPI paths of the CKAN-compatible actions under ``/api/3``."""

from __future__ import annotations

from typing import Any

from search_api.interop.openapi_common import JSON, json_response, query_param

CKAN_OK = {"type": "object", "required": ["help", "success", "result"],
           "properties": {"help": {"type": "string"}, "success": {"const": True}, "result": {}}}
CKAN_ERROR = {"type": "object", "required": ["help", "success", "error"],
              "properties": {"help": {"type": "string"}, "success": {"const": False},
                             "error": {"type": "object", "required": ["__type", "message"],
                                       "properties": {"__type": {"type": "string"},
                                                      "message": {"type": "string"}}}}}

def _ckan_action(summary: str, params: list[dict[str, Any]]) -> dict[str, Any]:
    responses = {"200": json_response("CKAN envelope", CKAN_OK),
                 **{s: json_response("CKAN error envelope", CKAN_ERROR) for s in ("400", "404", "409")}}
    # Values of any JSON type are read the way CKAN reads them (coerced).
    body_properties: dict[str, Any] = {p["name"]: {} for p in params}
    return {
        "get": {"summary": summary, "tags": ["CKAN"], "parameters": params,
                "responses": responses},
        # ckanapi and harvesters POST the same parameters as a JSON object.
        "post": {"summary": summary + " (parameters as a JSON body)", "tags": ["CKAN"],
                 "requestBody": {"required": False, "content": {JSON: {"schema": {
                     "type": "object", "properties": body_properties}}}},
                 "responses": responses},
    }


def ckan_paths() -> dict[str, Any]:
    """The CKAN actions: GET with query parameters or POST with a JSON body."""
    return {
        "/api/3/action/package_list": _ckan_action("CKAN: all dataset ids", []),
        "/api/3/action/package_show": _ckan_action("CKAN: one dataset", [
            query_param("id", {"type": "string"})]),
        "/api/3/action/package_search": _ckan_action("CKAN: search", [
            query_param("q", {"type": "string", "maxLength": 200}),
            query_param("fq", {"type": "string"},
                        "field:value terms; fields: organization, groups, res_format, "
                        "open_type, update_frequency, region"),
            query_param("rows", {"type": "integer", "minimum": 0, "maximum": 1000}),
            query_param("start", {"type": "integer", "minimum": 0, "maximum": 10_000_000}),
            query_param("sort", {"type": "string"})]),
        "/api/3/action/organization_list": _ckan_action("CKAN: departments", [
            query_param("all_fields", {"type": "string"},
                        "true or 1: full records instead of codes")]),
    }
