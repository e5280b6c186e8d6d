"""Filing a scenario application, shared by the form
(``/operations/apply``) and the JSON API (``POST /api/v1/operations``), so
the two channels cannot file differently.

A filing is checked in full (:func:`domain.procedures.operation_application.build_application`)
before a receipt number (``YY-YYYYMMDD-NNNN``) is drawn; the access code is
shown once and stored only as its hash. The operator's credit code and
contacts are sealed by the store; logs name the number and department only.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain.catalogue.model import Status
from domain.procedures.operation_application import LIMITS, build_application, split_list
from domain.procedures.operation_records import Operation
from search_api import service
from search_api.web.forms import clean_text
from search_api.web.security import new_secret, secret_hash

log = logging.getLogger(__name__)
PREFIX = "YY"  # 运营
FIELDS = (*LIMITS, "datasets")
DATASETS_LIMIT = 2000


@dataclass(frozen=True)
class Filed:
    """A stored case and its access code (shown once, never stored clear)."""

    case: Operation
    access_code: str


def clean_values(raw: Mapping[str, Any]) -> dict[str, str]:
    """The texts of a filing as stored: control characters dropped, trimmed.
    Over-long values are kept whole, for the check to refuse with the limit."""
    return {name: clean_text(raw.get(name), None) for name in FIELDS}


def departments_of(ids: tuple[str, ...]) -> dict[str, str]:
    """The providing department of each id the search index knows as an
    active dataset (unknown or withdrawn ids are left out)."""
    out: dict[str, str] = {}
    for identifier in ids:
        record = service.published(identifier[:200])
        if record is not None and record.status is Status.ACTIVE and record.department:
            out[identifier] = record.department
    return out


def file_operation(values: Mapping[str, str]) -> Filed:
    """File the scenario application of ``values`` (from :func:`clean_values`).
    Committed with its audit record when this returns.

    Raises:
        ApplicationIncomplete: every missing or invalid content, in Chinese.
        CalendarYearMissing: the first review runs into an uncovered year.
    """
    datasets = split_list(values.get("datasets", "")[:DATASETS_LIMIT])
    application = build_application(values, datasets, department_of=departments_of(datasets))
    on, ops = service.today(), service.operations()
    ops.file(number="pending", on=on, application=application)  # the calendar covers it?
    number = service.store().next_receipt_number(on, prefix=PREFIX)
    case = ops.file(number=number, on=on, application=application)
    code = new_secret()
    service.operation_store().add(case, access_code_hash=secret_hash(code), at=service.now())
    log.info("scenario application %s filed for department %s (%d datasets)", number,
             application.department, len(application.datasets))
    return Filed(case, code)
