"""OpenAPI paths of conditional-open requests: the public register, filing,
status, the applicant's actions and third parties' consultation answers."""

from __future__ import annotations

from typing import Any

from search_api.interop.openapi_common import (
    JSON,
    PROVISIONAL,
    error_responses,
    json_response,
    path_param,
)

DEADLINE = {
    "type": "object", "required": ["what", "name", "due", "status", "basis", "provisional"],
    "properties": {"what": {"type": "string"}, "name": {"type": "string"},
                   "due": {"type": ["string", "null"], "format": "date",
                           "description": "null while the period is paused"},
                   "status": {"type": "string",
                              "enum": ["running", "due_soon", "overdue", "paused"]},
                   "basis": {"type": "string"}, "provisional": PROVISIONAL}}
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


def request_paths() -> dict[str, Any]:
    """The register, filing, status, actions and consultations."""
    return {
        "/api/v1/register": {"get": {
            "summary": "Public register of conditional-open requests (counts only)",
            "responses": {"200": json_response("Counts per department and dataset", {
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
            "responses": {"201": {**json_response("Filed: number, access code, deadlines (a "
                                                  "replay under the same Idempotency-Key answers "
                                                  "the first receipt again)", REQUEST_STATUS),
                                  "headers": {"Idempotent-Replayed": {
                                      "description": "true when this is a replay",
                                      "schema": {"type": "string", "enum": ["true"]}}}},
                          **error_responses(400, 409, 413, 422, 429)}}},
        "/api/v1/requests/{number}": {"get": {
            "summary": "Status of a request",
            "parameters": [path_param("number"), ACCESS_CODE],
            "responses": {"200": json_response("Status, deadlines, events, decision",
                                               REQUEST_STATUS),
                          **error_responses(403, 404, 429)}}},
        "/api/v1/requests/{number}/{action}": {"post": {
            "summary": "Answer a demand for explanation, withdraw, or report use",
            "parameters": [path_param("number"),
                           path_param("action", {"type": "string",
                                                 "enum": ["answer", "withdraw", "report"]}),
                           ACCESS_CODE],
            "requestBody": {"required": True, "content": {JSON: {"schema": {
                "type": "object", "properties": {"text": {"type": "string"}}}}}},
            "responses": {"200": json_response("The new status", REQUEST_STATUS),
                          **error_responses(400, 403, 404, 409, 413, 429)}}},
        "/api/v1/consultations/{token}": {"post": {
            "summary": "A third party's answer to a consultation",
            "parameters": [path_param("token")],
            "requestBody": {"required": True, "content": {JSON: {"schema": {
                "type": "object", "required": ["answer"],
                "properties": {"answer": {"type": "string", "enum": ["agree", "object"]},
                               "reasons": {"type": "string"}}}}}},
            "responses": {"200": json_response("Answer recorded", {
                "type": "object", "required": ["ok", "message"],
                "properties": {"ok": {"const": True}, "message": {"type": "string"}}}),
                **error_responses(400, 404, 409, 413, 429)}}},
    }
