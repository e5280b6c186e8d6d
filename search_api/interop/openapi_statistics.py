"""OpenAPI paths of the public statistics (participation, downloads, the
yearly report, error reports)."""

from __future__ import annotations

from typing import Any

from search_api.interop.openapi_common import (
    JSON,
    TEXT,
    error_responses,
    json_response,
    query_param,
)

# A statistics day: 1900-01-01 or later (see statistics_api.FIRST_DAY).
STATISTICS_DAY = "^(19[0-9]{2}|[2-9][0-9]{3})-[0-9]{2}-[0-9]{2}$"


def statistics_paths() -> dict[str, Any]:
    """The four statistics answers, JSON or CSV."""
    return {
        "/api/v1/statistics/participation": {"get": {
            "summary": "Demands and suggestions received, answered, answered in time, "
                       "overdue, per department; reuses and usage reports",
            "responses": {"200": json_response("Counts", {
                "type": "object",
                "required": ["ok", "reply_days", "by_department", "totals"],
                "properties": {"ok": {"const": True}, "reply_days": {"type": "integer"},
                               "reply_period_basis": TEXT,
                               "by_department": {"type": "object"},
                               "totals": {"type": "object"}}})}}},
        "/api/v1/statistics/downloads": {"get": {
            "summary": "Downloads per dataset, file and day (counters only, no personal "
                       "data); format=csv for a spreadsheet",
            "parameters": [
                query_param("from", {"type": "string", "format": "date",
                                     "pattern": STATISTICS_DAY},
                            "First day (YYYY-MM-DD, 1900 or later); default 364 days before "
                            "`to`."),
                query_param("to", {"type": "string", "format": "date",
                                   "pattern": STATISTICS_DAY},
                            "Last day (YYYY-MM-DD, 1900 or later); default today (China)."),
                query_param("dataset", {"type": "string"}, "Only this dataset."),
                query_param("top", {"type": "integer", "minimum": 1, "maximum": 1000},
                            "How many datasets, most downloaded first (default 100)."),
                query_param("format", {"type": "string", "enum": ["json", "csv"]})],
            "responses": {"200": {"description": "Counts", "content": {
                JSON: {"schema": {
                    "type": "object",
                    "required": ["ok", "from", "to", "total", "datasets", "days"],
                    "properties": {"ok": {"const": True}, "from": TEXT, "to": TEXT,
                                   "total": {"type": "integer"},
                                   "datasets": {"type": "array", "items": {"type": "object"}},
                                   "days": {"type": "array", "items": {"type": "object"}}}}},
                "text/csv": {"schema": {"type": "string"}}}},
                **error_responses(400)}}},
        "/api/v1/statistics/yearly": {"get": {
            "summary": "The yearly report per department: requests, error reports, demands "
                       "and suggestions received in the year and answered (in time), "
                       "downloads and keyed API calls; format=csv for a spreadsheet",
            "parameters": [
                query_param("year", {"type": "string", "pattern": "^20[0-9]{2}$"},
                            "Year (default: this year)."),
                query_param("format", {"type": "string", "enum": ["json", "csv"]})],
            "responses": {"200": {"description": "One row per department and a total",
                                  "content": {JSON: {"schema": {
                "type": "object",
                "required": ["ok", "year", "as_of", "columns", "departments", "total"],
                "properties": {"ok": {"const": True}, "year": {"type": "integer"},
                               "as_of": TEXT, "columns": {"type": "object"},
                               "departments": {"type": "array",
                                               "items": {"type": "object"}},
                               "total": {"type": "object"}}}},
                                              "text/csv": {"schema": {"type": "string"}}}},
                          **error_responses(400)}}},
        "/api/v1/statistics/reports": {"get": {
            "summary": "Data error reports and catalogue corrections per department: "
                       "received, answered, in time, open, overdue",
            "parameters": [query_param("format", {"type": "string", "enum": ["json", "csv"]})],
            "responses": {"200": {"description": "Counts per department and kind",
                                  "content": {JSON: {"schema": {
                "type": "object", "required": ["ok", "as_of", "departments"],
                "properties": {"ok": {"const": True}, "as_of": TEXT,
                               "departments": {"type": "array",
                                               "items": {"type": "object"}}}}},
                                              "text/csv": {"schema": {"type": "string"}}}},
                          **error_responses(400)}}},
    }
