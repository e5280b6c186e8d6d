"""The service's figures of one year per department (000 §50, 004 §43–44,
003 §38): requests, error reports, demands and suggestions received in the
year and how they were answered, and the year's downloads. One function
for the live statistics API (/api/v1/statistics/yearly) and the yearly
evaluation report (``portal report yearly``): the same store queries. Keyed
API and sandbox calls are counted per providing department from the
per-minute key usage (no caller, no key).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from domain.procedures.reports import Verification
from domain.procedures.roles import AUTHORITY
from search_api.store import Store
from search_api.store.download_store import DownloadStore
from search_api.store.grants import KeyStore
from search_api.store.participation_store import ParticipationStore
from search_api.store.report_store import ReportStore

SERVICE_FIELDS = (
    "requests_received", "requests_answered", "requests_answered_in_time",
    "requests_approved", "requests_denied",
    "reports_received", "reports_answered", "reports_answered_in_time",
    "demands_received", "demands_answered", "demands_answered_in_time",
    "downloads", "api_calls",
)


def service_year(store: Store, verification: Verification, year: int, today: date,
                 department_of: Callable[[str], str | None]) -> dict[str, dict[str, Any]]:
    """Per department code (``authority`` for the authority's own items):
    :data:`SERVICE_FIELDS` for items received in ``year``. Downloads are
    attributed through ``department_of(dataset id)``: None leaves a dataset
    out (no longer published), "" gives it to the authority. API calls
    (``api_calls``: keyed calls on the Beijing days of ``year``) go to the
    department that granted the key."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    rows: dict[str, dict[str, Any]] = {}

    def row(code: str | None) -> dict[str, Any]:
        key = code or AUTHORITY
        return rows.setdefault(key, {"department": key, **{k: 0 for k in SERVICE_FIELDS}})

    for code, c in store.counts_by_department(received_from=start, received_to=end).items():
        row(code).update(requests_received=c.received, requests_answered=c.answered,
                         requests_answered_in_time=c.answered_in_time,
                         requests_approved=c.approved, requests_denied=c.denied)
    for r in ReportStore(store).statistics(verification, today, received_from=start,
                                           received_to=end):
        entry = row(r.department)
        entry["reports_received"] += r.received
        entry["reports_answered"] += r.answered
        entry["reports_answered_in_time"] += r.answered_in_time
    for (owner, kind), counts in ParticipationStore(store).counts(
            received_from=start, received_to=end).items():
        if kind in ("demand", "suggestion"):
            entry = row(owner)
            # Rejected in moderation (e.g. abuse) never became a demand.
            entry["demands_received"] += counts.received - counts.rejected
            entry["demands_answered"] += counts.answered
            entry["demands_answered_in_time"] += counts.answered_in_time
    for ident, n in DownloadStore(store).totals(start=start, end=end).by_dataset.items():
        department = department_of(ident)
        if department is not None:
            row(department or None)["downloads"] += n
    for code, calls in KeyStore(store).calls_by_department(start, end).items():
        row(code)["api_calls"] += calls
    return rows
