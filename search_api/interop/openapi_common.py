"""Pieces shared by the areas of the OpenAPI document: the one error shape
of ``/api/v1``, response and parameter builders."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ERROR = {"type": "object", "required": ["ok", "error", "errors", "status"],
         "additionalProperties": False,
         "properties": {"ok": {"const": False}, "error": {"type": "string"},
                        "errors": {"type": "array", "items": {"type": "string"},
                                   "minItems": 1},
                        "status": {"type": "integer", "minimum": 400, "maximum": 599}}}
JSON = "application/json"
# Shared by every area: a plain text property.
TEXT = {"type": "string"}
# A due date that may still move (requests, reports, participation).
PROVISIONAL = {"type": "boolean",
               "description": "True: the due date is provisional (暂定), counted through a "
                              "year whose State Council holiday notice is not loaded yet "
                              "(statutory holidays only); it may move when the notice is "
                              "loaded, and those concerned are then told."}


def json_response(description: str, schema: Mapping[str, Any]) -> dict[str, Any]:
    """A response with a JSON body of ``schema``."""
    return {"description": description, "content": {JSON: {"schema": dict(schema)}}}


def error_response(description: str) -> dict[str, Any]:
    """A response with the one error shape of ``/api/v1``."""
    return json_response(description, {"$ref": "#/components/schemas/Error"})


def error_responses(*statuses: int) -> dict[str, Any]:
    """The error responses of ``statuses``, each with its usual meaning."""
    described = {400: "Bad parameter or body; the message says what to send",
                 403: "Wrong or missing access code (X-Access-Code)",
                 404: "Not found", 409: "Not possible in the current state",
                 422: "Idempotency-Key already used with another body",
                 413: "Body over 64 KB", 429: "Too many attempts from this client"}
    return {str(s): error_response(described[s]) for s in statuses}


def query_param(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    """An optional query parameter."""
    param: dict[str, Any] = {"name": name, "in": "query", "required": False, "schema": schema}
    if description:
        param["description"] = description
    return param


def path_param(name: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """A path parameter (a non-empty string unless ``schema`` says otherwise)."""
    return {"name": name, "in": "path", "required": True,
            "schema": schema or {"type": "string", "minLength": 1}}


