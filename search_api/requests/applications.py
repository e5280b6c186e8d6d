"""What the pages and the JSON API share: turning a form or JSON body into a
filed request, the applicant's later actions, and a third party's answer
through its private link. One place, so the two channels cannot apply
different rules.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from domain.catalogue.model import Provision
from domain.catalogue.public_record import PublicRecord
from domain.procedures.identity import IdentityKind, mask_identity
from domain.procedures.request_records import Actor, Application, Request, ThirdParty
from domain.procedures.request_states import DeliveryMethod, IllegalTransition, ProcedureError, Role
from domain.procedures.requests import ApplicationIncomplete
from search_api import service
from search_api.requests import refusals
from search_api.store import Filing, StaleRequest
from search_api.store.idempotency import IdempotencyKey
from search_api.store.request_store import Count
from search_api.web.forms import Incomplete, clean_text
from search_api.web.security import new_secret, secret_hash

log = logging.getLogger(__name__)
FIELDS = ("applicant_type", "applicant_name", "identity_number", "phone", "email",
          "data_description", "purpose", "scope_of_use", "security_measures",
          "period_of_use", "delivery_method")


@dataclass(frozen=True)
class Filed:
    request: Request
    access_code: str  # shown once; only its hash is stored


def clean_fields(raw: Mapping[str, Any]) -> dict[str, str]:
    return {name: clean_text(raw.get(name)) for name in FIELDS}


def offered_methods(dataset: PublicRecord) -> tuple[DeliveryMethod, ...]:
    """The delivery methods a catalogue record's ``provision`` allows, in its
    order (a record without one: download, the catalogue's default)."""
    methods: list[DeliveryMethod] = []
    for value in dataset.provision or (Provision.DOWNLOAD,):
        try:
            method = DeliveryMethod(value.value)
        except ValueError:
            continue
        if method not in methods:
            methods.append(method)
    return tuple(methods) or (DeliveryMethod.DOWNLOAD,)


@dataclass(frozen=True)
class Idempotency:
    """An ``Idempotency-Key`` sent with a filing (hashed, see
    :mod:`search_api.store.idempotency`) and how to render the answer that
    a retry with the same key and body gets again."""

    key_hash: str
    body_hash: str
    answer: Callable[[Filed], Mapping[str, Any]]


def file_application(fields: Mapping[str, str], dataset: PublicRecord, *,
                     commitment: bool, idempotency: Idempotency | None = None,
                     count: Count | None = None) -> Filed:
    """File a request for a conditional ``dataset`` and store it durably
    (the transaction commits before this returns), with its idempotency
    key and the answer to replay when one is given; ``count`` (a rate-limit
    hit) runs in the transaction that takes the receipt number, and takes it (see
    :meth:`search_api.store.Store.file_request`).

    Raises:
        Incomplete: every problem of the application, in Chinese.
        search_api.store.idempotency.IdempotencyKeyTaken: a concurrent
            retry stored the key first; nothing was filed.
    """
    kind = IdentityKind.CREDIT_CODE if fields["applicant_type"] == "organisation" \
        else IdentityKind.ID_NUMBER
    offered = offered_methods(dataset)
    try:
        method = DeliveryMethod(fields["delivery_method"] or offered[0].value)
    except ValueError:
        method = offered[0]
    purpose = fields["purpose"]
    if purpose and fields["period_of_use"]:
        # The period of use (003 §24, issue #4) is recorded with the purpose.
        purpose = f"{purpose}\n使用期限：{fields['period_of_use']}"
    application = Application(
        dataset_id=dataset.id, department=dataset.department,
        applicant_name=fields["applicant_name"], identity_kind=kind,
        identity_number=fields["identity_number"], phone=fields["phone"],
        email=fields["email"], data_description=fields["data_description"] or dataset.title,
        purpose=purpose, scope_of_use=fields["scope_of_use"],
        security_measures=fields["security_measures"], delivery_method=method,
        commitment_signed=commitment, offered=offered)
    store, on = service.store(), service.today()
    applicant = Actor(Role.APPLICANT, fields["applicant_name"][:100] or "申请人")
    problems = [] if fields["period_of_use"] else ["请填写使用期限。"]
    try:
        # Validate before a receipt number is taken, so refused forms leave no gaps.
        pending = service.procedure().submit(application, number="pending", on=on,
                                             actor=applicant)
    except ApplicationIncomplete as exc:
        problems = [*exc.problems, *problems]
    if problems:
        raise Incomplete(problems)
    code = new_secret()
    code_hash = secret_hash(code)

    def build(number: str) -> Filing:
        # Runs inside the store's write transaction, once the number is taken:
        # the request submitted above under its number (``submit`` uses the
        # number only as the request's name), no second submission in the lock.
        filed = replace(pending, number=number)
        key = None if idempotency is None else IdempotencyKey(
            idempotency.key_hash, idempotency.body_hash, idempotency.answer(Filed(filed, code)))
        return Filing(filed, code_hash, key, dataset_title=dataset.title)

    filed = store.file_request(on, build, actor=applicant, at=service.now(), count=count)
    log.info("request %s filed for dataset %s (%s)%s", filed.number, dataset.id,
             mask_identity(kind, application.identity_number),
             " with an idempotency key" if idempotency else "")
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
        domain.procedures.request_states.ProcedureError: not possible in this state.
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


# --- third parties (003 §25, 002 §38) ------------------------------------------------------

LINK_INVALID = "征求意见链接无效或已过期。如有疑问，请联系发出征求意见书的数据提供部门。"
ANSWERS = ("agree", "object")


class Refused(Exception):
    """A third party's answer is not recorded; ``message`` (Chinese) says
    why and what to do, ``status`` is the HTTP status for the API."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Consultation:
    """What a third party's private link opens."""

    request: Request
    version: int
    party: ThirdParty


def open_consultation(token_hash: str) -> Consultation:
    """The consultation of the link stored under ``token_hash``.

    Raises:
        Refused: (404) no such link, expired, or its party is gone.
    """
    store = service.store()
    link = store.find_link("third_party", token_hash, service.now())
    if link is None or link.party_key is None:
        log.warning("unknown or expired third-party link used")
        raise Refused(LINK_INVALID, 404)
    req, version = store.load(link.request_number)
    party = req.party(link.party_key)
    if party is None:
        log.warning("third-party link of %s names no party of the request", req.number)
        raise Refused(LINK_INVALID, 404)
    return Consultation(req, version, party)


def answer_consultation(consultation: Consultation, answer: object, reasons: object) -> Request:
    """Record the answer of the third party of ``consultation`` (see
    :func:`open_consultation`), given today; the web page and the JSON API
    both call this.

    Raises:
        Refused: ``answer`` is neither ``"agree"`` nor ``"object"`` (400);
            the procedure refuses it — late, a second answer, no grounds
            where 003 §25 needs them, the consultation over (409); or the
            request changed meanwhile (409).
    """
    req, party = consultation.request, consultation.party
    if answer not in ANSWERS:
        raise Refused("请选择同意开放（agree）或不同意开放（object）。", 400)
    actor = Actor(Role.THIRD_PARTY, party.name)
    try:
        updated = service.procedure().third_party_answer(
            req, actor=actor, key=party.key, on=service.today(), answer=str(answer),
            reasons=clean_text(reasons))
        service.store().save(updated, expected_version=consultation.version, actor=actor,
                             at=service.now())
    except IllegalTransition as exc:
        log.info("third-party answer on %s refused: %s", req.number, exc)
        raise Refused("答复未被接受：该征求意见已结束。如有疑问，请联系数据提供部门。", 409) from None
    except ProcedureError as exc:
        log.info("third-party answer on %s refused: %s", req.number, exc)
        raise Refused(refusals.refusal(exc, service.procedure().profile.regulation),
                      409) from None
    except StaleRequest:
        raise Refused("申请刚刚被更新，请重新提交您的意见。", 409) from None
    log.info("third party %s answered %s on request %s", party.key, answer, req.number)
    return updated
