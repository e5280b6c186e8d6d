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

from search_api.engine.base import FILTER_KEYS, SORTS

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

ERROR = {"type": "object", "required": ["ok", "error", "errors", "status"],
         "additionalProperties": False,
         "properties": {"ok": {"const": False}, "error": {"type": "string"},
                        "errors": {"type": "array", "items": {"type": "string"},
                                   "minItems": 1},
                        "status": {"type": "integer", "minimum": 400, "maximum": 599}}}
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
_PROVISIONAL = {"type": "boolean",
                "description": "True: the due date is provisional (暂定), counted through a "
                               "year whose State Council holiday notice is not loaded yet "
                               "(statutory holidays only); it may move when the notice is "
                               "loaded, and those concerned are then told."}
DEADLINE = {
    "type": "object", "required": ["what", "name", "due", "status", "basis", "provisional"],
    "properties": {"what": {"type": "string"}, "name": {"type": "string"},
                   "due": {"type": ["string", "null"], "format": "date",
                           "description": "null while the period is paused"},
                   "status": {"type": "string",
                              "enum": ["running", "due_soon", "overdue", "paused"]},
                   "basis": {"type": "string"}, "provisional": _PROVISIONAL}}
REQUEST_STATUS = {
    "type": "object",
    "required": ["ok", "number", "dataset_id", "state", "state_name", "received", "deadlines",
                 "events", "decision"],
    "properties": {
        "ok": {"const": True}, "number": {"type": "string"}, "dataset_id": {"type": "string"},
        "state": {"type": "string"}, "state_name": {"type": "string"},
        "received": {"type": "string"},
        "deadlines": {"type": "array", "items": DEADLINE},
        "events": {"type": "array", "items": {"type": "object"}},
        "decision": {"type": ["object", "null"]},
        "access_code": {"type": "string", "description": "Only in the answer to filing."},
        "message": {"type": "string"},
    },
}
APPLICATION = {
    "type": "object",
    "required": ["dataset_id", "applicant_type", "applicant_name", "identity_number",
                 "purpose", "scope_of_use", "period_of_use", "security_measures",
                 "commitment_accepted"],
    "properties": {
        "dataset_id": {"type": "string", "description": "A conditional dataset's identifier."},
        "applicant_type": {"type": "string", "enum": ["person", "organisation"]},
        "applicant_name": {"type": "string"},
        "identity_number": {"type": "string",
                            "description": "ID number (person) or unified social credit "
                                           "code (organisation), checked."},
        "phone": {"type": "string"}, "email": {"type": "string"},
        "data_description": {"type": "string"}, "purpose": {"type": "string"},
        "scope_of_use": {"type": "string"}, "period_of_use": {"type": "string"},
        "security_measures": {"type": "string"},
        "delivery_method": {"type": "string",
                            "description": "download, api or sandbox, one of the dataset's provision; absent: the first it allows"},
        "commitment_accepted": {"type": "boolean",
                                "description": "Must be true: the data-use commitment."},
    },
}
# Public participation (participation_api.py): what anyone may file and read.
_TEXT = {"type": "string"}
# A statistics day: 1900-01-01 or later (see statistics_api.FIRST_DAY).
STATISTICS_DAY = "^(19[0-9]{2}|[2-9][0-9]{3})-[0-9]{2}-[0-9]{2}$"
_SUBMITTER = {"name": {"type": "string", "description": "Optional; never published."},
              "contact": {"type": "string", "description": "Never published."}}
DEMAND = {"type": "object", "required": ["title", "text"], "properties": {
    "title": {"type": "string", "description": "The data wanted (≤ 100 characters)."},
    "text": {"type": "string", "description": "Data items, scope, use (≤ 2000 characters)."},
    "department": {"type": "string", "description": "A department code, if known."},
    **_SUBMITTER}}
SUGGESTION = {"type": "object", "required": ["title", "text"], "properties": {
    "title": _TEXT, "text": _TEXT,
    "dataset_id": {"type": "string", "description": "The dataset it is about, if any."},
    "department": _TEXT, **_SUBMITTER}}
REUSE = {"type": "object", "required": ["title", "text", "url", "dataset_ids", "contact"],
         "properties": {
             "title": _TEXT, "text": _TEXT,
             "url": {"type": "string", "description": "http:// or https:// only."},
             "dataset_ids": {"type": "array", "minItems": 1, "items": {"type": "string"},
                             "description": "Published datasets used (≤ 20)."},
             **_SUBMITTER}}
PARTICIPATION_RECEIPT = {
    "type": "object",
    "required": ["ok", "number", "kind", "status", "received", "due", "provisional"],
    "properties": {"ok": {"const": True}, "number": _TEXT, "kind": _TEXT, "status": _TEXT,
                   "status_name": _TEXT, "received": _TEXT,
                   "due": {"type": ["string", "null"]}, "provisional": _PROVISIONAL,
                   "message": _TEXT}}
PARTICIPATION_ITEM = {
    "type": "object",
    "required": ["number", "kind", "status", "status_name", "received", "title", "text",
                 "department", "department_name", "dataset_ids"],
    "properties": {"number": _TEXT, "kind": _TEXT, "kind_name": _TEXT, "status": _TEXT,
                   "status_name": _TEXT, "received": _TEXT, "title": _TEXT, "text": _TEXT,
                   "department": {"type": ["string", "null"]}, "department_name": _TEXT,
                   "dataset_ids": {"type": "array", "items": _TEXT}, "url": _TEXT,
                   "due": {"type": ["string", "null"]}, "provisional": _PROVISIONAL,
                   "reply": {"type": ["object", "null"]}}}
PARTICIPATION_LIST = {"type": "object", "required": ["ok", "kind", "items"], "properties": {
    "ok": {"const": True}, "kind": _TEXT,
    "items": {"type": "array", "items": PARTICIPATION_ITEM}}}
# Data error reports and catalogue corrections (report_api.py).
REPORT = {"type": "object", "required": ["kind", "description"], "properties": {
    "kind": {"type": "string", "enum": ["data_error", "catalogue_correction"],
             "description": "data_error: the data is wrong; catalogue_correction: the "
                            "catalogue entry (title, summary, update frequency...) is wrong."},
    "description": {"type": "string", "minLength": 1, "maxLength": 2000,
                    "description": "What is wrong and what is right; never published."},
    "field": {"type": "string", "maxLength": 200, "description": "The field, if known."},
    "row": {"type": "string", "maxLength": 64, "description": "Row number or record."},
    "evidence": {"type": "string", "maxLength": 2000,
                 "description": "The basis, if any (not yet kept: the store has no column "
                                "for it)."},
    "reporter_name": {"type": "string", "maxLength": 100,
                      "description": "Optional; sealed, never published."},
    "reporter_contact": {"type": "string", "maxLength": 200,
                         "description": "Optional; sealed, never published; an e-mail "
                                        "address gets the receipt and the answer."}}}
REPORT_RECEIPT = {
    "type": "object",
    "required": ["ok", "number", "kind", "kind_name", "dataset_id", "department", "received",
                 "due", "provisional", "notice", "message"],
    "properties": {"ok": {"const": True},
                   "number": {"type": "string", "pattern": "^JC-[0-9]{8}-[0-9]{4,}$"},
                   "kind": {"type": "string", "enum": ["data_error", "catalogue_correction"]},
                   "kind_name": _TEXT, "dataset_id": _TEXT, "department": _TEXT,
                   "received": {"type": "string", "format": "date"},
                   "due": {"type": ["string", "null"], "format": "date"},
                   "provisional": _PROVISIONAL,
                   "notice": {"type": "string", "description": "001 §26 / 004 §17: business "
                              "with valid documents is not refused during verification."},
                   "message": _TEXT}}
CKAN_OK = {"type": "object", "required": ["help", "success", "result"],
           "properties": {"help": {"type": "string"}, "success": {"const": True}, "result": {}}}
CKAN_ERROR = {"type": "object", "required": ["help", "success", "error"],
              "properties": {"help": {"type": "string"}, "success": {"const": False},
                             "error": {"type": "object", "required": ["__type", "message"],
                                       "properties": {"__type": {"type": "string"},
                                                      "message": {"type": "string"}}}}}
JSON = "application/json"


def _json(description: str, schema: Mapping[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": dict(schema)}}}


def _error(description: str) -> dict[str, Any]:
    return _json(description, {"$ref": "#/components/schemas/Error"})


ROW_FIELD = {"type": "object", "required": ["name", "type", "title"],
             "properties": {"name": _TEXT, "type": {"type": "string", "description":
                                                     "Table Schema type"}, "title": _TEXT}}
ROW_TABLE = {"type": "object", "required": ["name", "title", "rows", "fields", "url"],
             "properties": {"name": _TEXT, "title": _TEXT, "rows": {"type": "integer"},
                            "fields": {"type": "array", "items": ROW_FIELD}, "url": _TEXT}}
ROW_PAGE = {"type": "object",
            "required": ["ok", "dataset", "resource", "total", "count", "limit", "offset", "next",
                         "fields", "rows"],
            "properties": {"ok": {"const": True}, "dataset": _TEXT, "resource": _TEXT,
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


KEY_ERRORS = {"401": _error("No key, or an unknown, replaced or revoked key"),
              "403": _error("Outside the approved period or scope, suspended, or a key of "
                            "the other delivery method"),
              "429": _error("The key's daily quota is used up")}
# Approved applicants' keys (issue #16): with `Authorization: Bearer <key>`
# the two rows paths above serve the approved conditional table instead.
SANDBOX_PATHS = {
    "/api/v1/sandbox/query": {"post": {
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
                      "400": _error("Query refused; the message says why"), **KEY_ERRORS}}},
    "/api/v1/sandbox/tables": {"get": {
        "summary": "The tables and columns a sandbox key may query",
        "responses": {"200": _json("Tables with their approved columns", {"type": "object"}),
                      **KEY_ERRORS}}},
}


def _errors(*statuses: int) -> dict[str, Any]:
    described = {400: "Bad parameter or body; the message says what to send",
                 403: "Wrong or missing access code (X-Access-Code)",
                 404: "Not found", 409: "Not possible in the current state",
                 422: "Idempotency-Key already used with another body",
                 413: "Body over 64 KB", 429: "Too many attempts from this client"}
    return {str(s): _error(described[s]) for s in statuses}


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


def _query(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    param: dict[str, Any] = {"name": name, "in": "query", "required": False, "schema": schema}
    if description:
        param["description"] = description
    return param


def _path(name: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True,
            "schema": schema or {"type": "string", "minLength": 1}}


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": "Optional; 1-200 visible ASCII characters, e.g. a new UUID per application. "
                   "A retry with the same key and the same JSON body within 24 hours files "
                   "nothing and answers the first receipt again (201, same number and access "
                   "code, header Idempotent-Replayed: true); the same key with another body "
                   "is refused with 422.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200,
               "pattern": "^[\\x21-\\x7e]+$"}}
ACCESS_CODE = {"name": "X-Access-Code", "in": "header", "required": True,
               "description": "The private access code shown once when the request was filed.",
               "schema": {"type": "string"}}


def _ckan_action(summary: str, params: list[dict[str, Any]]) -> dict[str, Any]:
    responses = {"200": _json("CKAN envelope", CKAN_OK),
                 **{s: _json("CKAN error envelope", CKAN_ERROR) for s in ("400", "404", "409")}}
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


def document(labels: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """The OpenAPI document; ``labels`` (facet values known to the search
    index, by filter) make the filters' accepted values explicit."""
    labels = labels or {}
    query_params: list[dict[str, Any]] = [
        _query("q", {"type": "string", "maxLength": 200},
               "Chinese full-text query (≤ 200 characters)."),
        *[_filter_param(k, labels.get(k)) for k in FILTER_KEYS],
        # An empty value means the default (as a form with an empty field sends).
        _query("sort", {"type": "string", "enum": [*SORTS, ""]}, "Default: relevance."),
        _query("page", {"anyOf": [{"type": "integer", "minimum": 1}, {"const": ""}]},
               "1-based page (default 1); a page past the last one gets 400."),
        _query("per_page", {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 100},
                                      {"const": ""}]}, "Default: 20."),
    ]
    return {
        "openapi": "3.1.0",
        # ASCII title: client generators derive package names from it.
        "info": {"title": "Open Data Portal API", "version": "1",
                 "x-title-zh": "开放数据门户 API",
                 "description": "Search the open catalogue, read dataset metadata, file and "
                                "follow conditional-open requests. Errors under /api/v1 share "
                                "one JSON shape (Error); /api/3 answers in CKAN's envelope."},
        "paths": {
            "/api/v1/search": {"get": {
                "summary": "Search datasets with facets", "parameters": query_params,
                "responses": {"200": _json("Hits, total and facet counts", SEARCH_RESULT),
                              **_errors(400)}}},
            "/api/v1/datasets/{identifier}": {"get": {
                "summary": "Published metadata of one dataset",
                "parameters": [_path("identifier")],
                "responses": {"200": _json("The dataset record", {
                    "type": "object", "required": ["ok", "dataset"],
                    "properties": {"ok": {"const": True}, "dataset": {"type": "object"}}}),
                    "404": _error("No such published dataset")}}},
            "/api/v1/datasets/{dataset_id}/resources": {"get": {
                "summary": "Tables of an unconditional dataset readable row by row (数据接口)",
                "parameters": [_path("dataset_id")],
                "responses": {"200": _json("Tables with their fields, row counts and rows URL", {
                    "type": "object", "required": ["ok", "dataset", "resources"],
                    "properties": {"ok": {"const": True}, "dataset": _TEXT,
                                   "resources": {"type": "array", "items": ROW_TABLE}}}),
                    "404": _error("Not an unconditional dataset with tables")}}},
            "/api/v1/datasets/{dataset_id}/resources/{resource}/rows": {"get": {
                "summary": "Rows of one table: filter, sort, page, choose fields; JSON or CSV",
                "parameters": [_path("dataset_id"), _path("resource"), ROW_FILTERS,
                               _query("sort", {"type": "string", "maxLength": 500},
                                      "Fields to sort by, comma-separated; -field descends."),
                               _query("limit", {"type": "integer", "minimum": 0,
                                                "maximum": 1000}, "Rows per page (default 100)."),
                               _query("offset", {"type": "integer", "minimum": 0},
                                      "Rows to skip (default 0)."),
                               _query("fields", {"type": "string", "maxLength": 2000},
                                      "Fields to return, comma-separated (default: all)."),
                               _query("format", {"type": "string", "enum": ["json", "csv"]})],
                "responses": {"200": {"description": "One page of rows: total, next page URL "
                                                     "(null on the last page), fields and rows; "
                                                     "with format=csv a CSV file (header row; "
                                                     "X-Total-Count and a Link rel=next header)",
                                      "content": {JSON: {"schema": ROW_PAGE},
                                                  "text/csv": {"schema": {"type": "string"}}}},
                              **_errors(400), "404": _error("No such open table")}}},
            **SANDBOX_PATHS,
            "/api/v1/datasets/{dataset_id}/reports": {"get": {
                "summary": "Answered data error reports of a dataset (no reporter data)",
                "parameters": [_path("dataset_id")],
                "responses": {"200": _json("Findings and answers", {
                    "type": "object", "required": ["ok", "dataset_id", "answers"],
                    "properties": {"ok": {"const": True}, "dataset_id": {"type": "string"},
                                   "answers": {"type": "array", "items": {"type": "object"}}}})}},
                "post": {
                    "summary": "File a data error report or catalogue correction (receipt JC-); "
                               "no CSRF, no cookies; counts against RATE_PUBLIC_WRITES",
                    "parameters": [_path("dataset_id")],
                    "requestBody": {"required": True, "content": {JSON: {"schema": REPORT}}},
                    "responses": {"201": _json("Filed: receipt number, deadline, the notice "
                                               "that business is not refused meanwhile",
                                               REPORT_RECEIPT),
                                  "404": _error("No such dataset"),
                                  **_errors(400, 413, 429)}}},
            "/api/v1/register": {"get": {
                "summary": "Public register of conditional-open requests (counts only)",
                "responses": {"200": _json("Counts per department and dataset", {
                    "type": "object", "required": ["ok", "by_department", "by_dataset"],
                    "properties": {"ok": {"const": True},
                                   "by_department": {"type": "object"},
                                   "by_dataset": {"type": "object"},
                                   "use_reports": {"type": "array", "items": {
                                       "type": "object", "description": "Moderated text of "
                                       "an approved applicant's usage report"}}}})}}},
            "/api/v1/requests": {"post": {
                "summary": "File a conditional-open request",
                "parameters": [IDEMPOTENCY_KEY],
                "requestBody": {"required": True, "content": {JSON: {"schema": APPLICATION}}},
                "responses": {"201": {**_json("Filed: number, access code, deadlines (a "
                                              "replay under the same Idempotency-Key answers "
                                              "the first receipt again)", REQUEST_STATUS),
                                      "headers": {"Idempotent-Replayed": {
                                          "description": "true when this is a replay",
                                          "schema": {"type": "string", "enum": ["true"]}}}},
                              **_errors(400, 409, 413, 422, 429)}}},
            "/api/v1/requests/{number}": {"get": {
                "summary": "Status of a request",
                "parameters": [_path("number"), ACCESS_CODE],
                "responses": {"200": _json("Status, deadlines, events, decision",
                                           REQUEST_STATUS),
                              **_errors(403, 404, 429)}}},
            "/api/v1/requests/{number}/{action}": {"post": {
                "summary": "Answer a demand for explanation, withdraw, or report use",
                "parameters": [_path("number"),
                               _path("action", {"type": "string",
                                                "enum": ["answer", "withdraw", "report"]}),
                               ACCESS_CODE],
                "requestBody": {"required": True, "content": {JSON: {"schema": {
                    "type": "object", "properties": {"text": {"type": "string"}}}}}},
                "responses": {"200": _json("The new status", REQUEST_STATUS),
                              **_errors(400, 403, 404, 409, 413, 429)}}},
            "/api/v1/consultations/{token}": {"post": {
                "summary": "A third party's answer to a consultation",
                "parameters": [_path("token")],
                "requestBody": {"required": True, "content": {JSON: {"schema": {
                    "type": "object", "required": ["answer"],
                    "properties": {"answer": {"type": "string", "enum": ["agree", "object"]},
                                   "reasons": {"type": "string"}}}}}},
                "responses": {"200": _json("Answer recorded", {
                    "type": "object", "required": ["ok", "message"],
                    "properties": {"ok": {"const": True}, "message": {"type": "string"}}}),
                    **_errors(400, 404, 409, 413, 429)}}},
            **{f"/api/v1/{name}": {
                "get": {"summary": f"Moderated {name} (never pending or refused ones)",
                        "responses": {"200": _json("Public items", PARTICIPATION_LIST)}},
                "post": {"summary": f"File one of the {name}; public after moderation",
                         "requestBody": {"required": True,
                                         "content": {JSON: {"schema": schema}}},
                         "responses": {"201": _json("Receipt number", PARTICIPATION_RECEIPT),
                                       **_errors(400, 413, 429)}}}
               for name, schema in (("demands", DEMAND), ("suggestions", SUGGESTION),
                                    ("reuses", REUSE))},
            "/api/v1/datasets/{dataset_id}/reuses": {"get": {
                "summary": "Published reuses of a dataset",
                "parameters": [_path("dataset_id")],
                "responses": {"200": _json("Reuses", {
                    "type": "object", "required": ["ok", "dataset_id", "reuses"],
                    "properties": {"ok": {"const": True}, "dataset_id": _TEXT,
                                   "reuses": {"type": "array", "items": PARTICIPATION_ITEM}}})}}},
            "/api/v1/statistics/participation": {"get": {
                "summary": "Demands and suggestions received, answered, answered in time, "
                           "overdue, per department; reuses and usage reports",
                "responses": {"200": _json("Counts", {
                    "type": "object",
                    "required": ["ok", "reply_days", "by_department", "totals"],
                    "properties": {"ok": {"const": True}, "reply_days": {"type": "integer"},
                                   "reply_period_basis": _TEXT,
                                   "by_department": {"type": "object"},
                                   "totals": {"type": "object"}}})}}},
            "/api/v1/statistics/downloads": {"get": {
                "summary": "Downloads per dataset, file and day (counters only, no personal "
                           "data); format=csv for a spreadsheet",
                "parameters": [
                    _query("from", {"type": "string", "format": "date",
                                    "pattern": STATISTICS_DAY},
                           "First day (YYYY-MM-DD, 1900 or later); default 364 days before "
                           "`to`."),
                    _query("to", {"type": "string", "format": "date",
                                  "pattern": STATISTICS_DAY},
                           "Last day (YYYY-MM-DD, 1900 or later); default today (China)."),
                    _query("dataset", {"type": "string"}, "Only this dataset."),
                    _query("top", {"type": "integer", "minimum": 1, "maximum": 1000},
                           "How many datasets, most downloaded first (default 100)."),
                    _query("format", {"type": "string", "enum": ["json", "csv"]})],
                "responses": {"200": {"description": "Counts", "content": {
                    JSON: {"schema": {
                        "type": "object",
                        "required": ["ok", "from", "to", "total", "datasets", "days"],
                        "properties": {"ok": {"const": True}, "from": _TEXT, "to": _TEXT,
                                       "total": {"type": "integer"},
                                       "datasets": {"type": "array", "items": {"type": "object"}},
                                       "days": {"type": "array", "items": {"type": "object"}}}}},
                    "text/csv": {"schema": {"type": "string"}}}},
                    **_errors(400)}}},
            "/api/v1/statistics/yearly": {"get": {
                "summary": "The yearly report per department: requests, error reports, demands "
                           "and suggestions received in the year and answered (in time), and "
                           "downloads; format=csv for a spreadsheet",
                "parameters": [
                    _query("year", {"type": "string", "pattern": "^20[0-9]{2}$"},
                           "Year (default: this year)."),
                    _query("format", {"type": "string", "enum": ["json", "csv"]})],
                "responses": {"200": {"description": "One row per department and a total",
                                      "content": {JSON: {"schema": {
                    "type": "object",
                    "required": ["ok", "year", "as_of", "columns", "departments", "total"],
                    "properties": {"ok": {"const": True}, "year": {"type": "integer"},
                                   "as_of": _TEXT, "columns": {"type": "object"},
                                   "departments": {"type": "array",
                                                   "items": {"type": "object"}},
                                   "total": {"type": "object"}}}},
                                                  "text/csv": {"schema": {"type": "string"}}}},
                              **_errors(400)}}},
            "/api/v1/statistics/reports": {"get": {
                "summary": "Data error reports and catalogue corrections per department: "
                           "received, answered, in time, open, overdue",
                "parameters": [_query("format", {"type": "string", "enum": ["json", "csv"]})],
                "responses": {"200": {"description": "Counts per department and kind",
                                      "content": {JSON: {"schema": {
                    "type": "object", "required": ["ok", "as_of", "departments"],
                    "properties": {"ok": {"const": True}, "as_of": _TEXT,
                                   "departments": {"type": "array",
                                                   "items": {"type": "object"}}}}},
                                                  "text/csv": {"schema": {"type": "string"}}}},
                              **_errors(400)}}},
            "/api/v1/openapi.json": {"get": {
                "summary": "This document",
                "responses": {"200": _json("OpenAPI 3.1", {
                    "type": "object", "required": ["openapi", "paths"]})}}},
            "/api/3/action/package_list": _ckan_action("CKAN: all dataset ids", []),
            "/api/3/action/package_show": _ckan_action("CKAN: one dataset", [
                _query("id", {"type": "string"})]),
            "/api/3/action/package_search": _ckan_action("CKAN: search", [
                _query("q", {"type": "string", "maxLength": 200}),
                _query("fq", {"type": "string"},
                       "field:value terms; fields: organization, groups, res_format, "
                       "open_type, update_frequency, region"),
                _query("rows", {"type": "integer", "minimum": 0, "maximum": 1000}),
                _query("start", {"type": "integer", "minimum": 0, "maximum": 10_000_000}),
                _query("sort", {"type": "string"})]),
            "/api/3/action/organization_list": _ckan_action("CKAN: departments", [
                _query("all_fields", {"type": "string"},
                       "true or 1: full records instead of codes")]),
        },
        "components": {"schemas": {"Error": ERROR}},
    }


@bp.get("/openapi.json")
def openapi_json() -> Any:
    return jsonify(document(current_app.extensions["portal_labels"].get()))
