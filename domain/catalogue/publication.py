"""The published metadata record of a dataset.

One function decides what the public may read about a dataset, so the
static pages, ``catalog.json``, the DCAT catalogue and the search API cannot
drift apart. Not-open datasets have no public record at all (SPEC §3).
"""

from __future__ import annotations

from datetime import date

from domain.catalogue.freshness import UpdateStatus, update_status
from domain.catalogue.model import Contact, Dataset
from domain.catalogue.public_record import (
    Coverage,
    EmergencyNotice,
    PublicRecord,
    Quality,
    QualityCheck,
)
from domain.catalogue.public_record import dataset_path as dataset_path  # re-exported
from domain.catalogue.quality import quality
from domain.catalogue.vocabulary import Vocabularies


class NotPublished(ValueError):
    """Asked for the public record of a dataset that is not published."""


def public_record(dataset: Dataset, vocab: Vocabularies, today: date, *,
                  portal_has_terms: bool = True,
                  overdue_reports: int | None = None,
                  status: UpdateStatus | None = None) -> PublicRecord:
    """Everything the public may know about ``dataset`` on ``today``.
    ``overdue_reports``: its error reports unanswered past their deadline, if
    known (a quality criterion); ``status``: its ``update_status`` on
    ``today``, if the caller made it already (made here otherwise).

    Raises:
        NotPublished: the dataset is not open (它不得出现在公开站点).
    """
    if not dataset.is_published:
        raise NotPublished(f"dataset {dataset.identifier} is not_open and has no public record")
    if status is None:
        status = update_status(dataset, vocab, today)
    score = quality(dataset, vocab, today, portal_has_terms=portal_has_terms,
                    overdue_reports=overdue_reports, freshness=status.freshness)
    emergency = dataset.emergency
    return PublicRecord(
        id=dataset.identifier,
        title=dataset.title,
        summary=dataset.summary,
        keywords=tuple(dataset.keywords),
        department=dataset.department,
        department_name=vocab.departments.name_of(dataset.department),
        theme=dataset.theme,
        theme_name=vocab.themes.name_of(dataset.theme),
        region=dataset.region,
        region_name=vocab.regions.name_of(dataset.region) if dataset.region else "",
        open_type=dataset.open_type,
        formats=dataset.formats,
        provision=tuple(dataset.provision),
        update_frequency=dataset.update_frequency,
        update_frequency_name=vocab.frequencies.name_of(dataset.update_frequency),
        last_updated=dataset.last_updated,
        published=dataset.published,
        # Dates the source catalogue never gave (the page says 来源目录未提供).
        not_in_source=tuple(dataset.not_in_source),
        freshness=status.freshness,
        level=dataset.level,
        level_name=vocab.levels.name_of(dataset.level) if dataset.level else "",
        open_conditions=dataset.open_conditions,
        legal_basis=dataset.legal_basis,
        usage_requirements=dataset.usage_requirements,
        contact=_contact(dataset, vocab),
        status=dataset.status,
        emergency=None if emergency is None else EmergencyNotice(
            emergency.event, emergency.since, emergency.until, emergency.is_active(today)),
        withdrawal=dataset.withdrawal,
        invalidation=dataset.invalidation,
        licence=dataset.licence,
        licence_id=dataset.licence_id,
        licence_url=dataset.licence_url,
        data_public=dataset.data_is_public,
        files_held=dataset.has_data_files,
        temporal=None if dataset.temporal is None else Coverage(
            dataset.temporal.start, dataset.temporal.end),
        quality=Quality(score.score, tuple(
            QualityCheck(c.key, c.label, c.passed) for c in score.criteria)),
    )


def _contact(dataset: Dataset, vocab: Vocabularies) -> Contact:
    """The dataset's contact or, when it has no phone or e-mail of its own,
    its department's data office."""
    contact = dataset.contact
    department = vocab.department(dataset.department)
    if department and not (contact.phone or contact.email):
        # No contact of its own: the department's data office answers.
        return Contact(department.short_name or department.name,
                       department.contact_phone, department.contact_email)
    return Contact(contact.name, contact.phone, contact.email)
