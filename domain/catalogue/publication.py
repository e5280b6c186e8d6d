"""The published metadata record of a dataset.

One function decides what the public may read about a dataset, so the
static pages, ``catalog.json``, the DCAT catalogue and the search API cannot
drift apart. Not-open datasets have no public record at all (SPEC §3).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.catalogue.freshness import update_status
from domain.catalogue.model import Dataset
from domain.catalogue.quality import quality
from domain.catalogue.vocabulary import Vocabularies


class NotPublished(ValueError):
    """Asked for the public record of a dataset that is not published."""


def dataset_path(identifier: str) -> str:
    """The dataset page's URL path, relative to the site root (stable)."""
    return f"datasets/{identifier}/"


def public_record(dataset: Dataset, vocab: Vocabularies, today: date, *,
                  portal_has_terms: bool = True,
                  overdue_reports: int | None = None) -> dict[str, Any]:
    """Everything the public may know about ``dataset``, as JSON-ready values.
    ``overdue_reports``: its error reports unanswered past their deadline, if
    known (a quality criterion).

    Raises:
        NotPublished: the dataset is not open (它不得出现在公开站点).
    """
    if not dataset.is_published:
        raise NotPublished(f"dataset {dataset.identifier} is not_open and has no public record")
    status = update_status(dataset, vocab, today)
    record: dict[str, Any] = {
        "id": dataset.identifier,
        "title": dataset.title,
        "summary": dataset.summary,
        "keywords": list(dataset.keywords),
        "department": dataset.department,
        "department_name": vocab.departments.name_of(dataset.department),
        "theme": dataset.theme,
        "theme_name": vocab.themes.name_of(dataset.theme),
        "region": dataset.region,
        "region_name": vocab.regions.name_of(dataset.region) if dataset.region else "",
        "open_type": dataset.open_type.value,
        "open_type_name": dataset.open_type.label,
        "formats": list(dataset.formats),
        "provision": [p.value for p in dataset.provision],
        "update_frequency": dataset.update_frequency,
        "update_frequency_name": vocab.frequencies.name_of(dataset.update_frequency),
        "last_updated": dataset.last_updated.isoformat() if dataset.last_updated else None,
        "published": dataset.published.isoformat() if dataset.published else None,
        # Dates the source catalogue never gave (the page says 来源目录未提供).
        "not_in_source": list(dataset.not_in_source),
        "freshness": status.freshness.value,
        "level": dataset.level,
        "level_name": vocab.levels.name_of(dataset.level) if dataset.level else "",
        "open_conditions": dataset.open_conditions,
        "legal_basis": dataset.legal_basis,
        "usage_requirements": dataset.usage_requirements,
        "contact": _contact(dataset, vocab),
        "status": dataset.status.value,
        "emergency": None,
        "withdrawal": None,
        "invalidation": None,
        "licence": dataset.licence,
        "licence_id": dataset.licence_id,
        "licence_url": dataset.licence_url,
        "data_public": dataset.data_is_public,
        "files_held": dataset.has_data_files,
        "url": dataset_path(dataset.identifier),
        "temporal": _temporal(dataset),
    }
    score = quality(dataset, vocab, today, portal_has_terms=portal_has_terms,
                    overdue_reports=overdue_reports)
    record["quality"] = {"score": score.score, "criteria": [
        {"key": c.key, "label": c.label, "passed": c.passed} for c in score.criteria]}
    if dataset.emergency:
        record["emergency"] = {
            "event": dataset.emergency.event,
            "since": dataset.emergency.since.isoformat(),
            "until": dataset.emergency.until.isoformat() if dataset.emergency.until else None,
            "active": dataset.emergency.is_active(today),
        }
    for key, notice in (("withdrawal", dataset.withdrawal), ("invalidation", dataset.invalidation)):
        if notice:
            record[key] = {"date": notice.date.isoformat(), "reason": notice.reason}
    return record


def _contact(dataset: Dataset, vocab: Vocabularies) -> dict[str, str]:
    """The dataset's contact or, when it has no phone or e-mail of its own,
    its department's data office."""
    contact = {"name": dataset.contact.name, "phone": dataset.contact.phone,
               "email": dataset.contact.email}
    department = vocab.department(dataset.department)
    if department and not (contact["phone"] or contact["email"]):
        # No contact of its own: the department's data office answers.
        contact = {"name": department.short_name or department.name,
                   "phone": department.contact_phone, "email": department.contact_email}
    return contact


def _temporal(dataset: Dataset) -> dict[str, Any] | None:
    """时间范围: {"start", "end" (None: still being added to), "interval"
    (ISO 8601, ".." for an open end)}, or None when not stated."""
    if dataset.temporal is None:
        return None
    return {"start": dataset.temporal.start.isoformat(),
            "end": dataset.temporal.end.isoformat() if dataset.temporal.end else None,
            "interval": dataset.temporal.interval()}
