"""OpenAPI paths of authorised operation (授权运营, 000 §34–36): filing a
scenario application, its status and the operator's steps, and the public
register of authorisations."""

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

ACCESS_CODE = {"name": "X-Access-Code", "in": "header", "required": True,
               "description": "The private access code shown once when the application "
                              "was filed.",
               "schema": {"type": "string"}}


def _text(limit: int, description: str) -> dict[str, Any]:
    return {"type": "string", "maxLength": limit, "description": description}


APPLICATION = {"type": "object", "required": [
    "scenario_title", "scenario", "datasets", "purpose", "security_measures", "organisation",
    "credit_code", "contact_name"], "properties": {
    "scenario_title": _text(100, "Name of the application scenario."),
    "scenario": _text(2000, "What service or product is built, for whom (at least 10 "
                            "characters)."),
    "datasets": {"oneOf": [{"type": "array", "items": {"type": "string"}, "maxItems": 20},
                           {"type": "string"}],
                 "description": "Dataset ids wanted, all of one providing department (a list, "
                                "or one id a line)."},
    "fields": _text(1000, "Fields wanted, separated by commas; empty: whole datasets."),
    "purpose": _text(2000, "What the data is used for."),
    "security_measures": _text(2000, "How the data is protected."),
    "organisation": _text(100, "The market entity's registered name; public once "
                               "authorised."),
    "credit_code": _text(32, "Unified social credit code (GB 32100); sealed, never public."),
    "contact_name": _text(50, "Contact person; sealed, never public."),
    "phone": _text(40, "Phone; sealed. A phone or an e-mail address is required."),
    "email": _text(254, "E-mail; sealed.")}}
DEADLINE = {"type": "object", "properties": {
    "what": {"type": "string", "enum": ["first_review", "decision", "feedback"]},
    "name": TEXT, "due": {"type": ["string", "null"], "format": "date"}, "status": TEXT,
    "status_name": TEXT, "remaining": {"type": "integer"}, "responsible": TEXT,
    "basis": {"type": "string", "description": "The article of the deployment's regulation "
                                               "that sets the period, or 本局规定 (bureau "
                                               "policy)."},
    "provisional": PROVISIONAL}}
STATUS = {"type": "object", "required": ["ok", "number", "state", "state_name", "deadlines",
                                         "actions"], "properties": {
    "ok": {"const": True}, "number": {"type": "string", "pattern": "^YY-[0-9]{8}-[0-9]{4,}$"},
    "state": {"type": "string", "enum": ["filed", "first_reviewed", "authorised", "rejected",
                                         "withdrawn"]},
    "state_name": TEXT, "received": {"type": "string", "format": "date"},
    "deadlines": {"type": "array", "items": DEADLINE},
    "first_review": {"type": ["object", "null"]}, "decision": {"type": ["object", "null"]},
    "authorisation": {"type": ["object", "null"]},
    "feedback_due": {"type": ["string", "null"], "format": "date"},
    "feedback_overdue": {"type": "boolean"},
    "actions": {"type": "array", "items": {"type": "string",
                                           "enum": ["feedback", "withdraw"]}}}}
FEEDBACK = {"type": "object", "properties": {
    "quality": _text(2000, "Quality of the data (at least 10 characters)."),
    "use": _text(2000, "Use made of it within the authorisation."),
    "effects": _text(2000, "Effects of the services and products built.")}}


def operation_paths() -> dict[str, Any]:
    """Filing, the register, status and the operator's steps."""
    return {
        "/api/v1/operations": {"post": {
            "summary": "File a scenario application for authorised operation (receipt YY-); "
                       "no CSRF, no cookies; counts against RATE_PUBLIC_WRITES",
            "requestBody": {"required": True, "content": {JSON: {"schema": APPLICATION}}},
            "responses": {"201": json_response("Filed: the status and the access code, "
                                               "shown this once", STATUS),
                          **error_responses(400, 413, 429)}}},
        "/api/v1/operations/register": {"get": {
            "summary": "Every authorisation: organisation, scenario, provider, datasets, "
                       "fields, term (no personal data)",
            "responses": {"200": json_response("The register", {
                "type": "object", "required": ["ok", "authorisations"],
                "properties": {"ok": {"const": True}, "authorisations": {
                    "type": "array", "items": {"type": "object"}}}})}}},
        "/api/v1/operations/{number}": {"get": {
            "summary": "Status of a scenario application",
            "parameters": [path_param("number"), ACCESS_CODE],
            "responses": {"200": json_response("Status", STATUS),
                          **error_responses(403, 429)}}},
        "/api/v1/operations/{number}/{action}": {"post": {
            "summary": "The operator's feedback report (000 §36(四)) or withdrawal",
            "parameters": [path_param("number"),
                           path_param("action", {"type": "string",
                                                 "enum": ["feedback", "withdraw"]}),
                           ACCESS_CODE],
            "requestBody": {"required": True, "content": {JSON: {"schema": FEEDBACK}}},
            "responses": {"200": json_response("Done: the new status with a message", STATUS),
                          "422": error_response("A feedback part nearly empty, or a report "
                                                "before the term starts"),
                          **error_responses(400, 403, 404, 409, 413, 429)}}},
    }
