"""Data error reports and catalogue corrections over JSON (issues #5, #6; no
cookies, so no CSRF), and the filing both channels share, so that the web
form (``/report/<dataset_id>``, :mod:`search_api.reports.views`) and the API
cannot file differently:

    POST /api/v1/datasets/<dataset_id>/reports   file one → 201 receipt number (JC-)

A filing draws a ``JC-YYYYMMDD-NNNN`` number only once everything is valid,
then stores the report, its audit record (``report.received``) and its
outbox messages (:func:`search_api.reports.mail.received_messages`) in one
transaction, with the reporter's name and contact sealed like an
applicant's personal fields. The answer carries the deadline and the
sentence of 001 §26 / 004 §17 (business is not refused during verification).

There is no ``Idempotency-Key`` here: the store keeps keys for requests
only (``idempotency_keys.request_number`` references ``requests``), so a
client that retries after a cut connection may file twice; both are
answered like any report.

Errors use the API's one shape; messages are in Chinese.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, current_app

from domain.catalogue.public_record import PublicRecord
from domain.procedures.reports import Report, ReportKind
from search_api import service
from search_api.reports import mail as report_mail
from search_api.store import PersonalDataRefused
from search_api.store.report_store import EMAIL_RE
from search_api.web.errors import ApiError, json_object_body
from search_api.web.forms import Incomplete, clean_text
from search_api.web.security import rate_limit

log = logging.getLogger(__name__)
bp = Blueprint("report_api", __name__, url_prefix="/api/v1")
# What a reporter may send, with the most characters each keeps (the form's
# maxlength attributes; the API refuses longer values, the form cuts them).
LIMITS: dict[str, int] = {"kind": 32, "field": 200, "row": 64, "description": 2000,
                          "evidence": 2000, "reporter_name": 100, "reporter_contact": 200}
NAMES = {"kind": "类型", "field": "字段", "row": "行号或记录", "description": "错误说明",
         "evidence": "依据", "reporter_name": "称呼", "reporter_contact": "联系方式"}
KINDS = frozenset(k.value for k in ReportKind)
KIND_PROBLEM = ("请选择类型：kind 须为 data_error（数据内容有误）或 catalogue_correction"
                "（目录信息有误，如名称、摘要、更新频度）。")
DESCRIPTION_PROBLEM = "请说明哪里有误、正确的应是什么。"
REPORTER_PROBLEM = ("您填写的联系方式与通知中的文字相同，无法区分，"
                    "请填写电子邮箱或电话号码，或不填。")
RECEIVED_MESSAGE = "已收到，数源部门将在答复期限前核实并答复，答复在该数据集页面公开（不公开您的称呼和联系方式）。"


@dataclass(frozen=True)
class FiledReport:
    """A stored report and the day its answer is due (None: no period)."""

    report: Report
    due: date | None


def find_dataset(dataset_id: str) -> PublicRecord | None:
    """The dataset the search index knows under ``dataset_id`` (any open
    type), or None."""
    return service.published(dataset_id[:200])


def file_report(dataset: PublicRecord, raw: Mapping[str, Any]) -> FiledReport:
    """File a data error report or catalogue correction about ``dataset``
    (the record :func:`find_dataset` returned) from ``raw`` (the fields of
    :data:`LIMITS`; values are cleaned of control characters, trimmed and
    cut to their limit). Committed when this returns, with its audit record
    and outbox messages; the receipt number is drawn only once the report is
    valid and its deadline computable.

    Raises:
        Incomplete: the kind is not one of the two, or there is no
            description (every problem, in Chinese, for the reporter); or
            the reporter's name or contact is so short that the fixed text
            of the outbox messages contains it (nothing stored; the number
            drawn stays unused).
        CalendarYearMissing: the answer period runs into an uncovered year.
        domain.procedures.reports.ReportError: the dataset has no providing department
            (a catalogue defect).
    """
    values = {k: clean_text(raw.get(k), limit) for k, limit in LIMITS.items()}
    problems: list[str] = []
    try:
        kind = ReportKind(values["kind"])
    except ValueError:
        problems.append(KIND_PROBLEM)
        kind = ReportKind.DATA_ERROR
    if not values["description"]:
        problems.append(DESCRIPTION_PROBLEM)
    if problems:
        raise Incomplete(problems)
    on, verification = service.today(), service.verification()

    def receive(number: str) -> Report:
        return verification.receive(
            number=number, kind=kind, dataset_id=dataset.id,
            department=dataset.department, on=on,
            description=values["description"], field=values["field"], row=values["row"],
            evidence=values["evidence"])

    receive("pending")  # fails before a number is drawn if the calendar lacks the period
    number = service.store().next_receipt_number(on, prefix="JC")
    report = receive(number)
    due = verification.due(report)
    reporter = {"name": values["reporter_name"], "contact": values["reporter_contact"]}
    messages = report_mail.received_messages(
        report, due, reporter_has_email=bool(EMAIL_RE.match(reporter["contact"])),
        provisional=verification.provisional(report), notice=verification.notice,
        names=service.store().names)
    try:
        service.reports().add(report, reporter=reporter, actor="public", at=service.now(),
                              messages=messages)
    except PersonalDataRefused:
        # The store refuses outbox messages that contain the reporter's
        # contact. Ours never hold it (the reporter is addressed as
        # reporter:<number>), so the value is one that the text of the
        # messages happens to contain (e.g. the dataset id): nothing is stored.
        log.info("report %s refused: the reporter's contact occurs in the messages", number)
        raise Incomplete([REPORTER_PROBLEM]) from None
    log.info("report %s (%s) received for dataset %s", number, kind.value, report.dataset_id)
    return FiledReport(report, due)


def receipt_body(filed: FiledReport) -> dict[str, Any]:
    """The API's answer to a filing: number, kind, dataset, deadline and the
    001 §26 / 004 §17 notice; nothing the reporter wrote."""
    report = filed.report
    return {"ok": True, "number": report.number, "kind": report.kind.value,
            "kind_name": report.kind.label, "dataset_id": report.dataset_id,
            "department": report.department, "received": report.received.isoformat(),
            "due": filed.due.isoformat() if filed.due else None,
            "provisional": service.verification().provisional(report),
            "notice": service.verification().notice, "message": RECEIVED_MESSAGE}


def _body() -> dict[str, Any]:
    """The JSON object of the request, its fields checked against the
    OpenAPI document (strings within :data:`LIMITS`).

    Raises:
        ApiError: 413 a body over 64 KB; 400 not a JSON object, a field not
            a string, or one longer than its limit (each named). A ``kind``
            other than exactly one of :data:`KINDS` is blanked, for
            :func:`file_report` to refuse with the other problems.
    """
    body = json_object_body()
    problems = [f"{name}（{NAMES[name]}）须为字符串。" for name in LIMITS
                if name in body and not isinstance(body[name], str)]
    problems += [f"{name}（{NAMES[name]}）不超过 {limit} 字，请缩短。"
                 for name, limit in LIMITS.items()
                 if name != "kind" and isinstance(body.get(name), str) and len(body[name]) > limit]
    if problems:
        raise ApiError(problems[0], errors=problems)
    if body.get("kind") not in KINDS:
        # Exactly one of the two (not " data_error", which the form's
        # cleaning would accept): file_report then names the kind as a problem.
        body = {**body, "kind": ""}
    return body


@bp.post("/datasets/<dataset_id>/reports")
def file_report_api(dataset_id: str) -> Any:
    """File a report about a dataset; 201 with the receipt.

    Raises:
        ApiError: 429 too many public writes from this client; 404 no such
            dataset; 413 a body over 64 KB; 400 a bad body, kind or
            description (every problem in ``errors``).
    """
    rate_limit(current_app, "public_write")
    dataset = find_dataset(dataset_id)
    if dataset is None:
        raise ApiError(f"没有资源代码为“{dataset_id[:64]}”的数据集，请在数据目录中核对。",
                       status=404)
    body = _body()
    try:
        filed = file_report(dataset, body)
    except Incomplete as exc:
        raise ApiError(exc.problems[0], errors=list(exc.problems)) from None
    return receipt_body(filed), 201
