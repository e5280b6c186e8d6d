"""OpenAPI paths of the data API (tables of a dataset, their rows) and of the
sandbox for approved keys."""

from __future__ import annotations

from typing import Any

from search_api.interop.openapi_common import (
    JSON,
    TEXT,
    error_response,
    error_responses,
    json_response,
    path_param,
    query_param,
)

ROW_FIELD = {"type": "object", "required": ["name", "type", "title"],
             "properties": {"name": TEXT, "type": {"type": "string", "description":
                                                     "Table Schema type"}, "title": TEXT}}
ROW_TABLE = {"type": "object", "required": ["name", "title", "rows", "fields", "url"],
             "properties": {"name": TEXT, "title": TEXT, "rows": {"type": "integer"},
                            "fields": {"type": "array", "items": ROW_FIELD}, "url": TEXT}}
ROW_PAGE = {"type": "object",
            "required": ["ok", "dataset", "resource", "total", "count", "limit", "offset", "next",
                         "fields", "rows"],
            "properties": {"ok": {"const": True}, "dataset": TEXT, "resource": TEXT,
                           "total": {"type": "integer"}, "count": {"type": "integer"},
                           "limit": {"type": "integer"}, "offset": {"type": "integer"},
                           "next": {"type": ["string", "null"]},
                           "fields": {"type": "array", "items": ROW_FIELD},
                           "rows": {"type": "array", "items": {
                               "type": "object", "description": "Field name → value, typed by "
                               "the Table Schema (numbers, true/false, ISO dates as text)"}}}}
# Conditions on the table's own fields: <field>=v, <field>__gte=, <field>__lte=,
# <field>__contains= (names differ per table, hence a free-form parameter).
ROW_FILTERS = {"name": "conditions", "in": "query", "required": False, "style": "form",
               "explode": True,
               "description": "Conditions on fields: field=value (equals), field__gte=, "
                              "field__lte=, field__contains=. An unknown field or a value "
                              "of the wrong type gets 400 naming it.",
               "schema": {"type": "object", "additionalProperties": {"type": "string"}}}


KEY_ERRORS = {"401": error_response("No key, or an unknown, replaced or revoked key"),
              "403": error_response("Outside the approved period or scope, suspended, or a key of "
                                    "the other delivery method"),
              "429": error_response("The key's daily quota is used up")}
# Approved applicants' keys (issue #16): with `Authorization: Bearer <key>`
# the two rows paths above serve the approved conditional table instead.
SANDBOX_PATHS = {
    "/api/v1/sandbox/query": {"post": {
        "security": [{"approvedKey": []}],
        "summary": "Run one read-only SQL query on the approved tables (数据沙箱; "
                   "Authorization: Bearer <key>)",
        "requestBody": {"required": True, "content": {JSON: {"schema": {
            "type": "object", "required": ["sql"],
            "properties": {"sql": {"type": "string", "maxLength": 10000},
                           "format": {"type": "string", "enum": ["json", "csv"]}}}}}},
        "responses": {"200": {"description": "columns, rows, count, suppressed_groups "
                                             "(groups under the minimum, left out); or CSV",
                              "content": {JSON: {"schema": {"type": "object"}},
                                          "text/csv": {"schema": {"type": "string"}}}},
                      "400": error_response("Query refused; the message says why"), **KEY_ERRORS}}},
    "/api/v1/sandbox/tables": {"get": {
        "security": [{"approvedKey": []}],
        "summary": "The tables and columns a sandbox key may query",
        "responses": {"200": json_response("Tables with their approved columns", {"type": "object"}),
                      **KEY_ERRORS}}},
}


def rows_paths() -> dict[str, Any]:
    """The tables of a dataset, their rows, and the sandbox."""
    return {
        "/api/v1/datasets/{dataset_id}/resources": {"get": {
            "summary": "Tables of an unconditional dataset readable row by row (数据接口)",
            "parameters": [path_param("dataset_id")],
            "responses": {"200": json_response("Tables with their fields, row counts and rows URL", {
                "type": "object", "required": ["ok", "dataset", "resources"],
                "properties": {"ok": {"const": True}, "dataset": TEXT,
                               "resources": {"type": "array", "items": ROW_TABLE}}}),
                "404": error_response("Not an unconditional dataset with tables")}}},
        "/api/v1/datasets/{dataset_id}/resources/{resource}/rows": {"get": {
            "summary": "Rows of one table: filter, sort, page, choose fields; JSON or CSV",
            "parameters": [path_param("dataset_id"), path_param("resource"), ROW_FILTERS,
                           query_param("sort", {"type": "string", "maxLength": 500},
                                       "Fields to sort by, comma-separated; -field descends."),
                           query_param("limit", {"type": "integer", "minimum": 0,
                                                 "maximum": 1000}, "Rows per page (default 100)."),
                           query_param("offset", {"type": "integer", "minimum": 0},
                                       "Rows to skip (default 0)."),
                           query_param("fields", {"type": "string", "maxLength": 2000},
                                       "Fields to return, comma-separated (default: all)."),
                           query_param("format", {"type": "string", "enum": ["json", "csv"]})],
            "responses": {"200": {"description": "One page of rows: total, next page URL "
                                                 "(null on the last page), fields and rows; "
                                                 "with format=csv a CSV file (header row; "
                                                 "X-Total-Count and a Link rel=next header)",
                                  "content": {JSON: {"schema": ROW_PAGE},
                                              "text/csv": {"schema": {"type": "string"}}}},
                          **error_responses(400), "404": error_response("No such open table")}}},
        **SANDBOX_PATHS,
    }
