"""Public participation: data demands (开放需求), suggestions (意见建议), the
reuse showcase (应用成果) and the public text of usage reports, each
moderated by a reviewer before anything a member of the public wrote is shown.

Where the rules come from:

- demands for data not yet open: 000 §30 (开通数据开放需求申请通道，及时响应
  合理的数据开放需求申请), 003 §22 (需求导向), 004 §35;
- suggestions: 003 §9 (编制目录时应当听取社会公众的意见和建议), 003 §27
  (收集公众对政府数据开放的意见建议，改进政府数据开放工作), 004 §35;
- the showcase: 002 §37 (鼓励社会力量利用开放的数据资源开展开发和创新利用);
- usage reports: 000 §36(四), 002 §36. They stay events of their request
  (``domain.procedures.requests.Procedure.report_use``); here only their public text is moderated;
- personal information is processed minimally and never published (000 §47,
  SPEC §7): the submitter is sealed by the store, and an approved public text
  must hold no clear ID, mobile or bank-card number (``find_pii``).

No text sets a period for answering a demand or a suggestion: the period is
bureau policy (a setting), counted on the shared working-day :class:`Clock`
from the day of receipt (not counted). Pure: no I/O, no Flask.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from urllib.parse import unquote, urlsplit

from domain.catalogue.desensitize import find_pii
from domain.periods.calendar import WorkCalendar
from domain.periods.workdays import Clock, is_provisional
from domain.procedures.kit import Transitions
from domain.procedures.roles import Role

TITLE_MAX, TEXT_MAX, URL_MAX, DATASETS_MAX = 100, 2000, 500, 20
DEFAULT_REPLY_DAYS = 15  # bureau policy, not law: see the module docstring


class Kind(StrEnum):
    DEMAND = "demand"
    SUGGESTION = "suggestion"
    REUSE = "reuse"
    USE_REPORT = "use_report"

    @property
    def label(self) -> str:
        return {"demand": "开放需求", "suggestion": "意见建议", "reuse": "应用成果",
                "use_report": "数据使用情况报告"}[self.value]

    @property
    def answered_by_department(self) -> bool:
        """Demands and suggestions get a public reply within the period."""
        return self in (Kind.DEMAND, Kind.SUGGESTION)


RECEIPT_PREFIX = {Kind.DEMAND: "XQ", Kind.SUGGESTION: "JY", Kind.REUSE: "CG"}


class Status(StrEnum):
    PENDING = "pending"
    REJECTED = "rejected"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    ADOPTED = "adopted"
    DECLINED = "declined"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {"pending": "待审核", "rejected": "未通过审核", "accepted": "已受理",
                "in_progress": "办理中", "answered": "已答复", "adopted": "已采纳",
                "declined": "不予采纳", "published": "已展示", "withdrawn": "已撤下"}[self.value]


PUBLIC = frozenset({Status.ACCEPTED, Status.IN_PROGRESS, Status.ANSWERED, Status.ADOPTED,
                    Status.DECLINED, Status.PUBLISHED})
"""The only statuses whose (moderated) text may appear anywhere public."""
REPLIES = (Status.ADOPTED, Status.ANSWERED, Status.DECLINED)


class ParticipationError(ValueError):
    """An operation the rules refuse. ``str(exc)`` is a Chinese sentence for
    the person acting (what was wrong, what to do); ``code`` a stable slug
    for logs; ``status`` the HTTP status a view should answer with."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.status = code, status


class Incomplete(ParticipationError):
    """A submission the public must correct; ``problems`` lists every one."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("incomplete", "；".join(problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class Moderation:
    approved: bool
    by: str
    on: date
    reason: str = ""  # of a rejection or withdrawal: for reviewers and the audit, never public


@dataclass(frozen=True)
class Reply:
    status: Status  # one of REPLIES
    text: str  # public
    by: str
    on: date
    in_time: bool


@dataclass(frozen=True)
class Item:
    """One submission. ``title``/``text`` are as filed and never public;
    ``public_title``/``public_text`` are what a reviewer approved."""

    number: str
    kind: Kind
    received: date
    title: str
    text: str
    department: str | None  # None: the data authority routes or answers it
    dataset_ids: tuple[str, ...] = ()
    url: str = ""
    status: Status = Status.PENDING
    public_title: str = ""
    public_text: str = ""
    clock: Clock | None = None
    moderation: Moderation | None = None
    reply: Reply | None = None

    @property
    def public(self) -> bool:
        return self.status in PUBLIC


def check_url(url: str) -> str:
    """The URL of a reuse, trimmed, its scheme in lower case (``HTTPS://x``
    becomes ``https://x``, so every later check and the public pages see
    one spelling): http or https with a host, no user name or password, no
    spaces. Raises Incomplete otherwise (a ``javascript:`` or ``data:`` link
    would run in visitors' browsers)."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        ok = parts.scheme.lower() in ("http", "https") and bool(parts.hostname) \
            and parts.username is None
    except ValueError:  # e.g. an invalid port or IPv6 address
        ok = False
    if not ok or any(c.isspace() for c in url) or len(url) > URL_MAX:
        raise Incomplete([f"链接须为以 http:// 或 https:// 开头的网址（不超过 {URL_MAX} 个字符，"
                          "不含空格和用户名密码）。"])
    scheme = parts.scheme
    return scheme.lower() + url[len(scheme):]


def pii_in(text: str, url: str = "") -> list[str]:
    """Masked previews of clear ID, mobile and bank-card numbers in ``text``
    and in a reuse's ``url`` (public too once approved), the URL also read
    percent-decoded (``?tel=138%200013%208000``); each preview once."""
    texts = [text, url, unquote(url)] if url else [text]
    return list(dict.fromkeys(hit.masked_preview for t in texts for hit in find_pii(t)))


class Participation:
    """The rules of receiving, moderating and answering, with the reply period
    (working days, ``reply_days`` ≥ 1) counted on ``calendar``."""

    def __init__(self, calendar: WorkCalendar, reply_days: int = DEFAULT_REPLY_DAYS) -> None:
        if reply_days < 1:
            raise ValueError(f"the reply period is at least 1 working day, got {reply_days}")
        self.calendar, self.reply_days = calendar, reply_days

    def receive(self, *, kind: Kind, number: str, on: date, title: str, text: str,
                department: str | None = None, dataset_ids: tuple[str, ...] = (),
                url: str = "") -> Item:
        """A submission received on ``on``, pending moderation; for a demand or
        a suggestion the reply period starts (the day itself not counted).

        Raises:
            Incomplete: every problem, in Chinese (title, text, URL, datasets).
            CalendarYearMissing: the period runs into an uncovered year.
        """
        title, text = title.strip(), text.strip()
        problems: list[str] = []
        if not title:
            problems.append({Kind.DEMAND: "请填写需要开放的数据名称。",
                             Kind.REUSE: "请填写成果名称。"}.get(kind, "请填写主题。"))
        if not text:
            problems.append({Kind.DEMAND: "请说明数据用途和需求内容。",
                             Kind.REUSE: "请简要介绍成果。"}.get(kind, "请填写意见建议内容。"))
        if len(title) > TITLE_MAX:
            problems.append(f"标题不超过 {TITLE_MAX} 字（现有 {len(title)} 字），请精简后提交。")
        if len(text) > TEXT_MAX:
            problems.append(f"内容不超过 {TEXT_MAX} 字（现有 {len(text)} 字），请精简后提交。")
        ids = tuple(dict.fromkeys(d.strip() for d in dataset_ids if d.strip()))
        if kind is Kind.REUSE:
            if not ids:
                problems.append("请至少填写一个所使用的数据集资源代码。")
            try:
                url = check_url(url)
            except Incomplete as exc:
                problems.extend(exc.problems)
        if len(ids) > DATASETS_MAX:
            problems.append(f"数据集最多 {DATASETS_MAX} 个。")
        if kind is Kind.USE_REPORT:
            raise ParticipationError("kind", "usage reports are filed on their request")
        if problems:
            raise Incomplete(problems)
        clock = None
        if kind.answered_by_department:
            clock = Clock.start(on, self.reply_days)
            clock.due(self.calendar)  # fail now, not later, if the calendar lacks the year
        return Item(number, kind, on, title, text, department or None, ids,
                    url if kind is Kind.REUSE else "", clock=clock)

    # --- moderation ---------------------------------------------------------------------

    def approve(self, item: Item, *, by: str, on: date, public_title: str | None = None,
                public_text: str | None = None) -> Item:
        """Let the (possibly edited) title and text be public: a demand or a
        suggestion is accepted (已受理) for a reply, a reuse or usage report
        is published.

        Raises:
            ParticipationError: not pending; empty public text; the public
                text holds a clear ID, mobile or card number (000 §47).
        """
        self._pending(item)
        title = (item.title if public_title is None else public_title).strip()[:TITLE_MAX]
        text = (item.text if public_text is None else public_text).strip()[:TEXT_MAX]
        if not text or (item.kind is not Kind.USE_REPORT and not title):
            raise ParticipationError("empty", "公开的标题和内容不能为空；不宜公开请选择“不予通过”。")
        found = pii_in(f"{title}\n{text}")
        if found:
            raise ParticipationError(
                "personal-data", f"公开内容含有个人身份证号、手机号或银行卡号（{'、'.join(found)}），"
                "请在公开文本中删去后再通过（个人信息不得公开）。")
        in_url = pii_in("", item.url)
        if in_url:
            raise ParticipationError(
                "personal-data", f"成果链接含有个人身份证号、手机号或银行卡号（{'、'.join(in_url)}），"
                "链接不能修改，不能公开：请选择“不予通过”并说明理由（个人信息不得公开）。")
        status = Status.ACCEPTED if item.kind.answered_by_department else Status.PUBLISHED
        return replace(item, status=status, public_title=title, public_text=text,
                       moderation=Moderation(True, by, on))

    def reject(self, item: Item, *, by: str, on: date, reason: str) -> Item:
        """Not published (spam, abuse, personal data, off-topic); the reason is kept.

        Raises:
            ParticipationError: not pending, or no reason.
        """
        self._pending(item)
        return replace(item, status=Status.REJECTED,
                       moderation=Moderation(False, by, on, self._reason(reason)))

    def withdraw(self, item: Item, *, by: str, on: date, reason: str) -> Item:
        """Take a published reuse or usage report off the public pages (e.g.
        its link now leads somewhere harmful).

        Raises:
            ParticipationError: not published, or no reason.
        """
        if not PARTICIPATION_FLOW.possible("withdraw", item.status):
            raise ParticipationError("not-published", f"{item.number} 未在展示，无需撤下。", 409)
        return replace(item, status=Status.WITHDRAWN,
                       moderation=Moderation(False, by, on, self._reason(reason)))

    # --- routing and replies (demands and suggestions) ----------------------------------

    def route(self, item: Item, *, department: str) -> Item:
        """Hand a demand or suggestion to the department that answers it.

        Raises:
            ParticipationError: not a demand or suggestion, refused, or answered.
        """
        if not item.kind.answered_by_department or item.status is Status.REJECTED \
                or item.reply is not None:
            raise ParticipationError("not-routable", f"{item.number} 已办结或无需部门答复，不能转办。",
                                     409)
        if not department.strip():
            raise ParticipationError("no-department", "请选择承办部门。")
        return replace(item, department=department.strip())

    def start(self, item: Item) -> Item:
        """办理中: the department works on an accepted item (shown publicly).

        Raises:
            ParticipationError: not accepted.
        """
        if not PARTICIPATION_FLOW.possible("start", item.status):
            raise ParticipationError("not-accepted", f"{item.number} 不是“已受理”状态。", 409)
        return replace(item, status=Status.IN_PROGRESS)

    def answer(self, item: Item, *, status: Status | str, text: str, by: str, on: date) -> Item:
        """The department's public reply: adopted, answered or declined (with reasons).

        Raises:
            ParticipationError: not accepted or in progress, an unknown
                outcome, or no reply text.
        """
        if not PARTICIPATION_FLOW.possible("answer", item.status):
            raise ParticipationError("not-open", f"{item.number} 未通过审核或已答复，不能再答复。",
                                     409)
        try:
            outcome = Status(status)
        except ValueError:
            outcome = Status.PENDING
        if outcome not in REPLIES:
            raise ParticipationError("outcome", "答复结果须为已采纳、已答复或不予采纳。")
        if not text.strip():
            raise ParticipationError("no-reply", "请填写答复内容（不予采纳的须说明理由）。")
        due = self.due(item)
        reply = Reply(outcome, text.strip()[:TEXT_MAX], by, on, due is None or on <= due)
        return replace(item, status=outcome, reply=reply)

    def due(self, item: Item) -> date | None:
        return item.clock.due(self.calendar) if item.clock else None

    def provisional(self, item: Item) -> bool:
        """True if the due date is 暂定: counted through a year whose State
        Council holiday notice is not loaded yet (it may move when it is)."""
        if item.clock is None:
            return False
        return is_provisional(item.clock.received, self.due(item), self.calendar)

    def timing(self, item: Item, today: date) -> str:
        """running / due_soon / overdue while a reply is owed; else done."""
        if item.clock is None or item.reply is not None \
                or item.status not in (Status.PENDING, Status.ACCEPTED, Status.IN_PROGRESS):
            return "done"
        return item.clock.status(today, self.calendar)

    @staticmethod
    def _pending(item: Item) -> None:
        if not PARTICIPATION_FLOW.possible("approve", item.status):
            raise ParticipationError("moderated", f"{item.number} 已审核（{item.status.label}）。",
                                     409)

    @staticmethod
    def _reason(reason: str) -> str:
        if not reason.strip():
            raise ParticipationError("no-reason", "请填写理由。")
        return reason.strip()[:TEXT_MAX]


MODERATION_ACTIONS = ("approve", "reject", "withdraw")
REPLY_ACTIONS = ("start", "answer")
_MODERATORS = frozenset({Role.AUTHORITY_REVIEWER, Role.DEPARTMENT_REVIEWER})
_OPEN = frozenset({Status.ACCEPTED, Status.IN_PROGRESS})
PARTICIPATION_FLOW: Transitions[str, Status, Role] = Transitions({
    "approve": (frozenset({Status.PENDING}), _MODERATORS),
    "reject": (frozenset({Status.PENDING}), _MODERATORS),
    "withdraw": (frozenset({Status.PUBLISHED}), _MODERATORS),
    # The data authority hands a demand or suggestion to the department that answers it.
    "route": (frozenset({Status.PENDING}) | _OPEN, frozenset({Role.AUTHORITY_REVIEWER})),
    "start": (frozenset({Status.ACCEPTED}), _MODERATORS),
    "answer": (_OPEN, _MODERATORS),
}, kind="item")
"""Who may do what with a demand, suggestion, reuse or usage report in which
status (the procedure kit); :func:`allowed` adds the department rule."""
CONTACT_ACTION = "contact"
"""Reveal the submitter's name and contact (collected 仅用于审核时核实)."""


def allowed(action: str, role: str, department: str | None, item: Item) -> bool:
    """May a reviewer of ``role`` (of ``department``) do ``action`` on ``item``?

    Separate duties, no over-reach (002 §42, §44): the data authority
    moderates everything, routes, and answers what no department holds; a
    department reviewer moderates and answers their own department's items;
    a department head and the auditor read (their department / everything).
    The submitter's name and contact (:data:`CONTACT_ACTION`) are for
    verifying while moderating (000 §47: no further than the purpose): only
    whoever may moderate the item sees them; a usage report's applicant is
    on their request, not here.
    """
    own = item.department is not None and item.department == department
    if action == CONTACT_ACTION:
        return item.kind is not Kind.USE_REPORT and allowed("approve", role, department, item)
    if action == "view":
        return role in (Role.AUTHORITY_REVIEWER, Role.AUDITOR) or (
            role in (Role.DEPARTMENT_REVIEWER, Role.DEPARTMENT_HEAD) and own)
    try:
        who = Role(role)
    except ValueError:  # not a reviewer role
        return False
    if action not in PARTICIPATION_FLOW.table or not PARTICIPATION_FLOW.may(action, who):
        return False
    if role == Role.AUTHORITY_REVIEWER:  # replies only where no department holds the item
        return action not in REPLY_ACTIONS or item.department is None
    return own  # a department reviewer: their own department's items
