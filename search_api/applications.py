"""What the applicant pages and the applicants' JSON API share: turning a
form or JSON body into a filed request, and the applicant's later actions.
One place, so the two channels cannot apply different rules.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain.identity import IdentityKind, mask_identity
from domain.request_records import Actor, Application, Request
from domain.request_states import DeliveryMethod, Role
from domain.requests import ApplicationIncomplete
from search_api import service
from search_api.security import new_secret, secret_hash

log = logging.getLogger(__name__)
TEXT_MAX = 2000
FIELDS = ("applicant_type", "applicant_name", "identity_number", "phone", "email",
          "data_description", "purpose", "scope_of_use", "security_measures",
          "period_of_use", "delivery_method")


class Incomplete(Exception):
    """The application cannot be accepted; ``problems`` are for the applicant."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Filed:
    request: Request
    access_code: str  # shown once; only its hash is stored


_CONTROL = dict.fromkeys(c for c in range(32) if chr(c) not in "\n\t")


def clean_text(value: Any, limit: int = TEXT_MAX) -> str:
    """User text as stored: control characters (NUL…) dropped, trimmed, bounded."""
    return str(value or "").translate(_CONTROL).strip()[:limit]


def clean_fields(raw: Mapping[str, Any]) -> dict[str, str]:
    return {name: clean_text(raw.get(name)) for name in FIELDS}


def file_application(fields: Mapping[str, str], dataset: Mapping[str, Any], *,
                     commitment: bool) -> Filed:
    """File a request for a conditional ``dataset`` and store it durably
    (the transaction commits before this returns).

    Raises:
        Incomplete: every problem of the application, in Chinese.
    """
    kind = IdentityKind.CREDIT_CODE if fields["applicant_type"] == "organisation" \
        else IdentityKind.ID_NUMBER
    try:
        method = DeliveryMethod(fields["delivery_method"] or "download")
    except ValueError:
        method = DeliveryMethod.DOWNLOAD
    purpose = fields["purpose"]
    if purpose and fields["period_of_use"]:
        # The period of use (003 §24, issue #4) is recorded with the purpose.
        purpose = f"{purpose}\n使用期限：{fields['period_of_use']}"
    application = Application(
        dataset_id=dataset["id"], department=dataset["department"],
        applicant_name=fields["applicant_name"], identity_kind=kind,
        identity_number=fields["identity_number"], phone=fields["phone"],
        email=fields["email"], data_description=fields["data_description"] or dataset["title"],
        purpose=purpose, scope_of_use=fields["scope_of_use"],
        security_measures=fields["security_measures"], delivery_method=method,
        commitment_signed=commitment)
    store, on = service.store(), service.today()
    applicant = Actor(Role.APPLICANT, fields["applicant_name"][:100] or "申请人")
    problems = [] if fields["period_of_use"] else ["请填写使用期限。"]
    try:
        # Validate before a receipt number is taken, so refused forms leave no gaps.
        service.procedure().submit(application, number="pending", on=on, actor=applicant)
    except ApplicationIncomplete as exc:
        problems = [*exc.problems, *problems]
    if problems:
        raise Incomplete(problems)
    number = store.next_receipt_number(on)
    filed = service.procedure().submit(application, number=number, on=on, actor=applicant)
    code = new_secret()
    store.add_request(filed, access_code_hash=secret_hash(code), actor=applicant,
                      at=service.now())
    log.info("request %s filed for dataset %s (%s)", number, dataset["id"],
             mask_identity(kind, application.identity_number))
    return Filed(filed, code)


APPLICANT_ACTIONS = ("answer", "withdraw", "report")
MISSING_TEXT = {"answer": "请填写说明内容。", "report": "请填写数据使用情况和成果。"}
DONE = {"answer": "说明已提交，计时恢复。", "withdraw": "申请已撤回。",
        "report": "使用情况已报告，感谢反馈。"}


def applicant_act(req: Request, version: int, action: str, text: str) -> Request:
    """Answer a demand for explanation, withdraw, or report use.

    Raises:
        Incomplete: the text a step needs is missing.
        ValueError: ``action`` is not an applicant action.
        domain.request_states.ProcedureError: not possible in this state.
        search_api.store.StaleRequest: the request changed meanwhile.
    """
    if action not in APPLICANT_ACTIONS:
        raise ValueError(f"unknown applicant action {action!r}")
    text = clean_text(text)
    if action in MISSING_TEXT and not text:
        raise Incomplete([MISSING_TEXT[action]])
    applicant = Actor(Role.APPLICANT, req.application.applicant_name[:100])
    proc, on = service.procedure(), service.today()
    if action == "answer":
        updated = proc.answer_explanation(req, actor=applicant, on=on, text=text)
    elif action == "withdraw":
        updated = proc.withdraw(req, actor=applicant, on=on, reason=text)
    else:
        updated = proc.report_use(req, actor=applicant, on=on, text=text)
    service.store().save(updated, expected_version=version, actor=applicant, at=service.now())
    return updated
