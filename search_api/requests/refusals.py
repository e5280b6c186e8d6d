"""Why the procedure refused an operation, in Chinese, for every page and
the JSON API (the domain's messages are English, for logs and operators).

One table, :data:`RULES`, maps each stable code of
:class:`~domain.procedures.request_states.RuleViolation` to a sentence that says what
was wrong and what to do; ``{name}`` fields take the error's ``params``.
:data:`PROCEDURE` does the same for the other procedure errors (by class
code). :func:`refusal` adds the article the rule comes from, cited by the
regulation's Chinese title. A test checks that every code the domain raises
is here and that each sentence's fields are ones the domain passes.
:func:`applicant_refusal` answers applicants: an action their request's
state does not allow (:data:`APPLICANT_TRANSITIONS`) names the state and
when the action is possible.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date
from types import MappingProxyType

from domain.periods.citations import REGULATIONS as REGULATIONS
from domain.periods.citations import chinese_number as chinese_number
from domain.periods.citations import cite, cite_own
from domain.procedures.request_states import (
    ApplicationIncomplete,
    IllegalTransition,
    ProcedureError,
    RuleViolation,
)

log = logging.getLogger(__name__)

RULES: Mapping[str, str] = MappingProxyType({
    # submission and normative review
    "request-number-missing": "申请缺少受理编号，无法保存。请联系平台管理员。",
    "department-missing": "申请未写明数据提供部门，无法受理。请从数据集页面重新提交申请。",
    "rejection-reasons-missing": "驳回申请须说明理由：请填写驳回理由后再提交。",
    # excessive requests
    "explanation-question-missing": "请写明需要申请人说明的问题后再发送。",
    "explanation-empty": "说明内容为空：请填写说明后再提交。",
    "explanation-judgement-reasons-missing": "认定说明理由不合理的，须写明认定理由：请填写后再提交。",
    "explanation-answer-late": "说明理由的期限已于 {due} 届满，本申请将不予处理，不能再提交说明。",
    "explanation-no-pause": "要求说明理由期间答复期限不暂停：申请人未说明的，请由数据提供部门作出认定。",
    "explanation-still-open": "申请人在 {due} 前仍可说明理由，期限届满后才能作不予处理。",
    # third-party consultation
    "consultation-no-party": "请至少填写一个第三方名称（每行一个）。",
    "consultation-received-in-future": "第三方收到征求意见书的日期 {received_on} 晚于今天：请核对回执上的日期。",
    "consultation-received-too-early": (
        "第三方收到征求意见书的日期 {received_on} 早于本申请最近一次办理日期 {last_event_on}：请核对回执上的日期。"),
    "third-party-name-missing": "第三方“{party}”缺少名称：请每行填写一个第三方名称。",
    "third-party-already-consulted": "第三方“{party}”已在本申请中征求过意见，请勿重复填写。",
    "third-party-not-consulted": "第三方“{party}”不在本次征求意见的范围内：请核对第三方编号（见“第三方”表）。",
    "third-party-already-answered": "第三方“{party}”已于 {answered_on} 答复，答复只记录一次。",
    "third-party-answer-before-consultation": (
        "答复日期 {on} 早于征求意见书送达之日 {received_on}：请核对收到答复的日期。"),
    "third-party-answer-invalid": "请选择“同意开放”或“不同意开放”。",
    "third-party-answer-late": (
        "已超过答复期限：期限（{period} 个工作日）已于 {due} 届满，{on} 的答复属逾期答复，未予记录。"),
    "objection-grounds-missing": "不同意开放须说明理由：请填写理由后再提交。",
    "answer-received-date-not-allowed": "答复日期以提交之日为准，不能另行填写。",
    "answer-received-in-future": "收到答复的日期 {received_on} 晚于今天：请核对收文日期。",
    "objection-none-to-judge": "第三方“{party}”没有提出异议，无需认定。",
    "objection-judgement-under-veto": (
        "第三方“{party}”不同意开放的，不得提供，异议无需认定：请作出不予开放的决定。"),
    "objection-already-judged": "第三方“{party}”的异议已经认定，认定只作一次。",
    "objection-judgement-reasons-missing": "认定第三方异议须写明理由：请填写认定理由后再提交。",
    "consultation-still-open": (
        "征求意见尚未结束：第三方 {parties} 在 {until} 前仍可答复。请待其答复或期限届满后再结束。"),
    # extension
    "extension-not-allowed": "《{regulation}》未规定延长答复期限，不能延长：请在期限内作出决定。",
    "extension-already-used": "答复期限已于 {approved_on} 延长 {days} 个工作日，只能延长一次。",
    "extension-days-out-of-range": "延长天数须为 1 至 {maximum} 个工作日，不能是 {days}：请修改后再提交。",
    "extension-reason-missing": "延长答复期限须说明理由（将告知申请人）：请填写延长理由。",
    "extension-period-expired": "答复期限已于 {due} 届满，已超期的期限不能延长：请尽快作出决定。",
    # decision and delivery
    "approval-scope-missing": "同意开放须写明数据的用途和使用范围：请填写开放范围。",
    "delivery-method-invalid": "请选择提供方式：数据下载、接口访问或数据沙箱。",
    "delivery-method-not-offered": "该数据集的开放条件只允许以下提供方式：{allowed}。请改选其中一种。",
    "third-party-consent-missing": (
        "第三方 {parties} 未同意开放。当事人不同意开放的，不得提供，也不能以公共利益为由开放："
        "请作出不予开放的决定。"),
    "objection-stands": (
        "第三方 {parties} 不同意开放，且异议未被认定为理由不合理：请作出不予开放的决定、先认定异议，"
        "或填写公共利益理由（将书面告知第三方）。"),
    "override-without-objection": "没有需要以公共利益理由排除的第三方异议：请清空“公共利益理由”后再提交。",
    "denial-reasons-missing": "不予开放须说明理由：请填写理由。",
    "denial-legal-basis-missing": "不予开放须提供法律依据：请填写法律依据。",
    "notice-not-owed": "无需书面告知第三方“{party}”：只有不顾其异议开放时才须告知。",
    "notice-outstanding": "提供数据前，须先书面告知第三方 {parties} 开放的内容和理由，并在本页登记。",
    # after delivery
    "use-report-empty": "请填写数据使用情况和成果后再提交。",
})

PROCEDURE: Mapping[str, str] = MappingProxyType({
    "illegal-transition": "当前状态下不能进行此操作：请刷新页面，查看申请的最新状态。",
    "role-not-allowed": "您的角色无权执行此操作。",
    "event-out-of-order": "办理记录须按日期顺序登记，而今天早于本申请最近一条记录的日期：请联系平台管理员核对系统时间。",
    "application-incomplete": "申请材料不完整：{problems}",
})
FALLBACK = "操作未执行：请检查填写的内容后重试。"

# An applicant's action that the request's state does not allow, by action
# (search_api.requests.applications.APPLICANT_ACTIONS): what is possible instead.
APPLICANT_TRANSITIONS: Mapping[str, str] = MappingProxyType({
    "answer": "本申请当前状态为“{state}”，无需说明理由：只有数据提供部门要求说明、尚未提交说明时才能提交。",
    "withdraw": "本申请当前状态为“{state}”，不能撤回：只有在作出答复之前才能撤回申请。",
    "report": "本申请当前状态为“{state}”，还不能报告使用情况：数据提供之后才能报告。",
})

def _value(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def refusal(exc: ProcedureError, regulation: str | None = None) -> str:
    """Why ``exc`` refused the operation, in Chinese, with the article it
    applies (依据); with ``regulation`` (the deployment's, e.g. ``"003"``)
    only that regulation's articles are named, and a rule of bureau policy
    names none. A code missing from the tables gives a general sentence
    (and a warning in the log, in English)."""
    if isinstance(exc, ApplicationIncomplete):
        return PROCEDURE["application-incomplete"].format(problems="".join(exc.problems))
    template = RULES.get(exc.code) if isinstance(exc, RuleViolation) else PROCEDURE.get(exc.code)
    if template is None:
        log.warning("no Chinese text for procedure error %r: add it to search_api/requests/refusals.py",
                    exc.code)
        return FALLBACK
    params = {k: _value(v) for k, v in getattr(exc, "params", {}).items()}
    try:
        text = template.format_map(params)
    except KeyError as missing:
        log.warning("Chinese text of %r names %s, which the error does not carry", exc.code,
                    missing)
        return FALLBACK
    article = getattr(exc, "article", "")
    cited = cite(article) if regulation is None else cite_own(article, regulation)
    return f"{text}（依据：{cited}）" if cited else text


def applicant_refusal(exc: ProcedureError, action: str, state: str,
                      regulation: str | None = None) -> str:
    """Why the procedure refused the applicant's ``action`` (``answer``,
    ``withdraw`` or ``report``) on a request in ``state`` (its Chinese name),
    in Chinese: the request's state and what is possible instead when the
    state does not allow the action, :func:`refusal` for every other error."""
    template = APPLICANT_TRANSITIONS.get(action)
    if type(exc) is IllegalTransition and template is not None:  # not RoleNotAllowed
        return template.format(state=state)
    return refusal(exc, regulation)
