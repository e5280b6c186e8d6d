"""The OpenAPI 3.1 document of the API, at ``/api/v1/openapi.json``.

It describes every route under ``/api/`` precisely enough for a client (or
a property-based tester such as schemathesis) to know what is accepted:
facet filters list the values the search index knows, and every answer has
its schema (the one error shape for ``/api/v1``, CKAN's envelope for
``/api/3``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, current_app, jsonify

from search_api.interop.openapi_ckan import ckan_paths
from search_api.interop.openapi_common import ERROR, json_response
from search_api.interop.openapi_operations import operation_paths
from search_api.interop.openapi_participation import participation_paths
from search_api.interop.openapi_reports import report_paths
from search_api.interop.openapi_requests import request_paths
from search_api.interop.openapi_rows import rows_paths
from search_api.interop.openapi_search import search_paths
from search_api.interop.openapi_statistics import statistics_paths

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")


def document(labels: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """The OpenAPI document; ``labels`` (facet values known to the search
    index, by filter) make the filters' accepted values explicit."""
    labels = labels or {}
    return {
        "openapi": "3.1.0",
        # ASCII title: client generators derive package names from it.
        "info": {"title": "Open Data Portal API", "version": "1",
                 "x-title-zh": "开放数据门户 API",
                 "description": "Search the open catalogue, read dataset metadata, file and "
                                "follow conditional-open requests. Errors under /api/v1 share "
                                "one JSON shape (Error); /api/3 answers in CKAN's envelope."},
        "paths": {
            **search_paths(labels),
            **rows_paths(),
            **report_paths(),
            **request_paths(),
            **participation_paths(),
            **operation_paths(),
            **statistics_paths(),
            "/api/v1/openapi.json": {"get": {
                "summary": "This document",
                "responses": {"200": json_response("OpenAPI 3.1", {
                    "type": "object", "required": ["openapi", "paths"]})}}},
            **ckan_paths(),
        },
        "components": {"schemas": {"Error": ERROR},
                       # An approved applicant's key (issue #16), sent as a Bearer token.
                       "securitySchemes": {"approvedKey": {"type": "http", "scheme": "bearer"}}},
    }


@bp.get("/openapi.json")
def openapi_json() -> Any:
    return jsonify(document(current_app.extensions["portal_labels"].get()))
