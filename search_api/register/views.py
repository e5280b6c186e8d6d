"""Views of the public register (page and JSON)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, current_app, render_template

from domain.procedures.participation import Status
from domain.procedures.request_states import State
from search_api import service
from search_api.web import labels_zh
from search_api.web.public_names import department_names

bp = Blueprint("register", __name__)
PUBLIC_USE_REPORTS = 500


def public_use_reports() -> list[dict[str, Any]]:
    """Approved usage reports for the public register (000 §36(四), 002 §36):
    the moderated text, the dataset and department; no applicant, no number."""
    names = department_names()
    published = service.participation_store().use_reports(
        statuses=[Status.PUBLISHED], limit=PUBLIC_USE_REPORTS, newest_first=True)
    return [{"dataset_id": item.dataset_ids[0], "department": item.department,
             "department_name": names.get(item.department or "", item.department or ""),
             "reported_on": item.received.isoformat(), "text": item.public_text}
            for item, _ in published]


def register_counts() -> dict[str, Any]:
    store = service.store()
    return {"by_department": {k: asdict(v) for k, v in store.counts_by_department().items()},
            "by_dataset": {k: asdict(v) for k, v in store.counts_by_dataset().items()},
            # Usage reports, moderated text only (000 §36(四), 002 §36; issue #5).
            "use_reports": public_use_reports()}


@bp.get("/api/v1/register")
def register_api() -> Any:
    """The public register as JSON (no personal data)."""
    return {"ok": True, **register_counts()}


@bp.get("/register")
def register() -> Any:
    """Public register: counts per department and dataset, no personal data."""
    store = service.store()
    return render_template("register.html", by_department=store.counts_by_department(),
                           by_dataset=store.counts_by_dataset(), labels=labels_zh,
                           names=current_app.extensions["portal_labels"].get(),
                           State=State, use_reports=public_use_reports())
