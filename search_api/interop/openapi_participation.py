"""OpenAPI paths of public participation: demands, suggestions, reuses."""

from __future__ import annotations

from typing import Any

from search_api.interop.openapi_common import (
    JSON,
    PROVISIONAL,
    TEXT,
    error_responses,
    json_response,
    path_param,
)

# Public participation (participation_api.py): what anyone may file and read.
_SUBMITTER = {"name": {"type": "string", "description": "Optional; never published."},
              "contact": {"type": "string", "description": "Never published."}}
DEMAND = {"type": "object", "required": ["title", "text"], "properties": {
    "title": {"type": "string", "description": "The data wanted (≤ 100 characters)."},
    "text": {"type": "string", "description": "Data items, scope, use (≤ 2000 characters)."},
    "department": {"type": "string", "description": "A department code, if known."},
    **_SUBMITTER}}
SUGGESTION = {"type": "object", "required": ["title", "text"], "properties": {
    "title": TEXT, "text": TEXT,
    "dataset_id": {"type": "string", "description": "The dataset it is about, if any."},
    "department": TEXT, **_SUBMITTER}}
REUSE = {"type": "object", "required": ["title", "text", "url", "dataset_ids", "contact"],
         "properties": {
             "title": TEXT, "text": TEXT,
             "url": {"type": "string", "description": "http:// or https:// only."},
             "dataset_ids": {"type": "array", "minItems": 1, "items": {"type": "string"},
                             "description": "Published datasets used (≤ 20)."},
             **_SUBMITTER}}
PARTICIPATION_RECEIPT = {
    "type": "object",
    "required": ["ok", "number", "kind", "status", "received", "due", "provisional"],
    "properties": {"ok": {"const": True}, "number": TEXT, "kind": TEXT, "status": TEXT,
                   "status_name": TEXT, "received": TEXT,
                   "due": {"type": ["string", "null"]}, "provisional": PROVISIONAL,
                   "message": TEXT}}
PARTICIPATION_ITEM = {
    "type": "object",
    "required": ["number", "kind", "status", "status_name", "received", "title", "text",
                 "department", "department_name", "dataset_ids"],
    "properties": {"number": TEXT, "kind": TEXT, "kind_name": TEXT, "status": TEXT,
                   "status_name": TEXT, "received": TEXT, "title": TEXT, "text": TEXT,
                   "department": {"type": ["string", "null"]}, "department_name": TEXT,
                   "dataset_ids": {"type": "array", "items": TEXT}, "url": TEXT,
                   "due": {"type": ["string", "null"]}, "provisional": PROVISIONAL,
                   "reply": {"type": ["object", "null"]}}}
PARTICIPATION_LIST = {"type": "object", "required": ["ok", "kind", "items"], "properties": {
    "ok": {"const": True}, "kind": TEXT,
    "items": {"type": "array", "items": PARTICIPATION_ITEM}}}


def participation_paths() -> dict[str, Any]:
    """Filing and reading demands, suggestions and reuses; a dataset's reuses."""
    return {
        **{f"/api/v1/{name}": {
            "get": {"summary": f"Moderated {name} (never pending or refused ones)",
                    "responses": {"200": json_response("Public items", PARTICIPATION_LIST)}},
            "post": {"summary": f"File one of the {name}; public after moderation",
                     "requestBody": {"required": True,
                                     "content": {JSON: {"schema": schema}}},
                     "responses": {"201": json_response("Receipt number", PARTICIPATION_RECEIPT),
                                   **error_responses(400, 413, 429)}}}
           for name, schema in (("demands", DEMAND), ("suggestions", SUGGESTION),
                                ("reuses", REUSE))},
        "/api/v1/datasets/{dataset_id}/reuses": {"get": {
            "summary": "Published reuses of a dataset",
            "parameters": [path_param("dataset_id")],
            "responses": {"200": json_response("Reuses", {
                "type": "object", "required": ["ok", "dataset_id", "reuses"],
                "properties": {"ok": {"const": True}, "dataset_id": TEXT,
                               "reuses": {"type": "array", "items": PARTICIPATION_ITEM}}})}}},
    }
