"""Publication rules the build enforces on metadata (SPEC §3).

Each rule reads the model and vocabularies only (no files): data-level
checks (schema validation, the desensitization gate) live in the builder's
checker, which reads the resource files.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from domain.catalogue import problems as P
from domain.catalogue.freshness import Freshness, UpdateStatus, update_status
from domain.catalogue.model import Dataset, OpenType, Status
from domain.catalogue.problems import Problem
from domain.catalogue.vocabulary import Vocabularies


def _descriptor(dataset: Dataset) -> str:
    return dataset.descriptor or dataset.identifier


def check_dataset(dataset: Dataset, vocab: Vocabularies, today: date,
                  file: str | None = None, status: UpdateStatus | None = None,
                  ) -> list[Problem]:
    """Every metadata rule broken by one dataset. ``status``: its
    ``update_status`` on ``today``, where the caller made it already."""
    where = file or _descriptor(dataset)
    found: list[Problem] = []
    codes = (
        ("department", dataset.department, vocab.departments, "departments"),
        ("theme", dataset.theme, vocab.themes, "themes"),
        ("update_frequency", dataset.update_frequency, vocab.frequencies, "update_frequencies"),
    )
    for field, value, terms, kind in codes:
        if value not in terms:
            found.append(P.make("unknown-code", where, field=field, value=value, kind=kind))
    if dataset.region and dataset.region not in vocab.regions:
        found.append(P.make("unknown-code", where, field="region", value=dataset.region,
                            kind="regions"))
    if dataset.level and dataset.level not in vocab.levels:
        found.append(P.make("unknown-code", where, field="level", value=dataset.level,
                            kind="levels"))
    found.extend(_grading(dataset, vocab, where))
    # 003 §21, 004 §29, 000 §20: anything not unconditionally open names its basis.
    if dataset.open_type is not OpenType.UNCONDITIONAL and not dataset.legal_basis:
        found.append(P.make("legal-basis-missing", where, field="legal_basis",
                            open_type=dataset.open_type.value))
    # 002 §15: conditional data states its conditions and use constraints.
    if dataset.open_type is OpenType.CONDITIONAL and not dataset.open_conditions:
        found.append(P.make("open-conditions-missing", where, field="open_conditions"))
    # 003 §23: unconditional data is opened in machine-readable formats.
    if dataset.open_type is OpenType.UNCONDITIONAL and dataset.status is Status.ACTIVE:
        if dataset.resources and not any(r.is_machine_readable for r in dataset.resources):
            found.append(P.make("no-machine-readable-resource", where, field="resources",
                                detail=", ".join(dataset.formats)))
        elif not dataset.resources:
            # A catalogue entry whose files are not held here (e.g. imported
            # metadata): published as an entry, shown as "no files here", and
            # reported so the department delivers the data.
            found.append(P.make("data-not-collected", where, field="resources",
                                detail=", ".join(dataset.declared_formats) or "none"))
    # 000 §33 / 002 §39: retiring published data is announced with a reason.
    if dataset.status is Status.WITHDRAWN and dataset.withdrawal is None:
        found.append(P.make("announcement-missing", where, field="withdrawal",
                            value=dataset.status.value))
    if dataset.status is Status.INVALID and dataset.invalidation is None:
        found.append(P.make("announcement-missing", where, field="invalidation",
                            value=dataset.status.value))
    for resource in dataset.resources:
        if resource.is_tabular and not resource.fields:
            found.append(P.make("schema-missing", where, field=f"resources.{resource.name}",
                                value=resource.name))
        for column in resource.fields:
            if not column.title:
                found.append(P.make("field-title-missing", where,
                                    field=f"{resource.name}.{column.name}", value=column.name))
    if dataset.is_published and dataset.last_updated is not None and (
            status or update_status(dataset, vocab, today)).freshness is Freshness.OVERDUE:
        found.append(P.make("update-overdue", where, field="last_updated",
                            value=dataset.last_updated.isoformat(),
                            detail=vocab.frequencies.name_of(dataset.update_frequency)))
    return found


def _grading(dataset: Dataset, vocab: Vocabularies, where: str) -> list[Problem]:
    """The security grade bounds the open type (000 §14, 001 §39, 002 §42):
    e.g. sensitive data cannot be listed as unconditionally open."""
    level = vocab.level(dataset.level) if dataset.level else None
    if level is None or level.allows(dataset.open_type.value):
        return []
    allowed = "、".join(OpenType(code).label for code in level.open_types)
    return [P.make("level-forbids-open-type", where, field="open_type",
                   value=dataset.open_type.value, label=dataset.open_type.label,
                   level=level.code, level_name=level.name, allowed=allowed)]


def check_identifiers(datasets: Iterable[Dataset]) -> list[Problem]:
    """Identifiers are unique across the catalogue (they are URLs)."""
    first: dict[str, Dataset] = {}
    found = []
    for dataset in datasets:
        key = dataset.identifier.casefold()
        if key in first:
            found.append(P.make("duplicate-identifier", _descriptor(dataset), field="name",
                                value=dataset.identifier,
                                other=_descriptor(first[key])))
        else:
            first[key] = dataset
    return found
