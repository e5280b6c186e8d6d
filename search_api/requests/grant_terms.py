"""The grant terms of an approval, read from the reviewer's approval form (fields, period, whether raw rows may leave, the
report schedule) and recorded beside the request in the transaction that saves the approval.

Form fields of the approve action: ``grant_field`` (repeated,
``<table>/<field>``; none posted: every field not marked personal),
``valid_from`` (default: the day of approval), ``valid_to`` (default: a year after ``valid_from``),
``no_raw_rows`` ("yes": 原始明细不得带出, sandbox only: aggregates only),
``report_months`` (default 6; 0: one report at the end).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime
from pathlib import Path

from flask import current_app, request

from domain.procedures.data_grants import (
    GrantTerms,
    SchemaField,
    add_months,
    default_fields,
    terms_problems,
)
from domain.procedures.request_records import Actor, Request
from search_api.tables.keyed import schema_of
from search_api.web.api_keys import keys
from search_api.web.forms import form_day, form_text

KEYED_METHODS = ("api", "sandbox")
DEFAULT_REPORT_MONTHS = 6


class TermsError(ValueError):
    """The approval form's grant terms cannot be accepted; message in Chinese."""


def dataset_schema(dataset_id: str) -> dict[str, list[SchemaField]]:
    return schema_of(Path(current_app.config["CATALOG_DIR"]), dataset_id)


def _day(name: str, default: date) -> date:
    return form_day(name, TermsError) or default


def terms_from_form(req: Request, on: date) -> GrantTerms:
    """The grant terms the approval form states. Download delivers the whole
    files: its terms have the period and report schedule only (fields empty).

    Raises:
        TermsError: a value is unreadable or the terms break a rule of
            :func:`domain.procedures.data_grants.terms_problems`.
    """
    method = form_text("delivery_method") or "download"
    tables = dataset_schema(req.application.dataset_id)
    chosen = request.form.getlist("grant_field")
    if method not in KEYED_METHODS:
        approved: dict[str, tuple[str, ...]] = {}
    elif chosen:
        fields: dict[str, list[str]] = {}
        for value in chosen:
            table, _, name = value.partition("/")
            fields.setdefault(table, []).append(name)
        approved = {t: tuple(n) for t, n in fields.items()}
    else:
        approved = default_fields(tables)
    months = form_text("report_months") or str(DEFAULT_REPORT_MONTHS)
    if not months.isascii() or not months.isdigit():
        raise TermsError("报告间隔须为整数（月）。")
    valid_from = _day("valid_from", on)
    terms = GrantTerms(
        dataset_id=req.application.dataset_id, method=method, fields=approved,
        valid_from=valid_from, valid_to=_day("valid_to", add_months(valid_from, 12)),
        raw_rows=method == "download" or form_text("no_raw_rows") != "yes", report_every_months=int(months))
    problems = terms_problems(terms, tables)
    if problems:
        raise TermsError("；".join(problems))
    return terms


def applicant_seal(req: Request) -> str:
    """A keyed hash of the applicant's identity (kind and number), kept with
    the grant and its misuse records: nobody can read the number back from
    it. Not used to match later requests (it changes with SECRET_KEY; see
    :func:`search_api.requests.supervision.misuse_for`)."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    identity = f"{req.application.identity_kind}\0{req.application.identity_number.upper()}"
    return hmac.new(secret, b"misuse-identity\0" + identity.encode(),
                    hashlib.sha256).hexdigest()


def save_approval(req: Request, terms: GrantTerms, *, expected_version: int, actor: Actor,
                  at: datetime) -> int:
    """Save the approval ``req`` and record its grant ``terms`` in one
    transaction (an approved request never stands without its grant, #16);
    returns the new version.

    Raises:
        StaleRequest, RequestNotFound, HistoryRewritten: as the store's ``save``.
    """
    return keys().save_approval(req, terms, applicant_seal(req), expected_version=expected_version,
                                actor=actor, at=at)
