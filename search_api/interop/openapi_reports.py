"""OpenAPI paths of data error reports and catalogue corrections."""

from __future__ import annotations

from typing import Any

from search_api.interop.openapi_common import (
    JSON,
    PROVISIONAL,
    TEXT,
    error_response,
    error_responses,
    json_response,
    path_param,
)

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
                   "kind_name": TEXT, "dataset_id": TEXT, "department": TEXT,
                   "received": {"type": "string", "format": "date"},
                   "due": {"type": ["string", "null"], "format": "date"},
                   "provisional": PROVISIONAL,
                   "notice": {"type": "string", "description": "001 §26 / 004 §17: business "
                              "with valid documents is not refused during verification."},
                   "message": TEXT}}


def report_paths() -> dict[str, Any]:
    """A dataset's answered reports, and filing one."""
    return {
        "/api/v1/datasets/{dataset_id}/reports": {"get": {
            "summary": "Answered data error reports of a dataset (no reporter data)",
            "parameters": [path_param("dataset_id")],
            "responses": {"200": json_response("Findings and answers", {
                "type": "object", "required": ["ok", "dataset_id", "answers"],
                "properties": {"ok": {"const": True}, "dataset_id": {"type": "string"},
                               "answers": {"type": "array", "items": {"type": "object"}}}})}},
            "post": {
                "summary": "File a data error report or catalogue correction (receipt JC-); "
                           "no CSRF, no cookies; counts against RATE_PUBLIC_WRITES",
                "parameters": [path_param("dataset_id")],
                "requestBody": {"required": True, "content": {JSON: {"schema": REPORT}}},
                "responses": {"201": json_response("Filed: receipt number, deadline, the notice "
                                                   "that business is not refused meanwhile",
                                                   REPORT_RECEIPT),
                              "404": error_response("No such dataset"),
                              **error_responses(400, 413, 429)}}},
    }
