"""Requests for the store tests: one builder per state, a full procedure that
touches every kind of record, a random legal walk for property tests, and
the worker functions run in other processes (importable by ``spawn``)."""

from __future__ import annotations

import dataclasses
import random
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from hypothesis import strategies as st

from domain.periods.calendar import CalendarYearMissing, WorkCalendar
from domain.periods.profiles import load_profile
from domain.procedures.identity import IdentityKind
from domain.procedures.requests import (
    Action,
    Actor,
    Application,
    DeliveryMethod,
    Procedure,
    Request,
    Role,
    RuleViolation,
    State,
)

T = TypeVar("T")
Draw = Callable[[st.SearchStrategy[Any]], Any]

CAL = WorkCalendar(use_package=False)
# With a bureau-policy pause for explanations, so that stored clocks carry
# pauses of both kinds and walks reach a lapsed demand too.
P = Procedure(load_profile("guizhou-regulation", {"explanation_pause": 3}), CAL)

ID_NUMBER = "11010519491231002X"  # the example number of GB 11643-1999
PHONE = "13812345678"
EMAIL = "wang@example.com"
CREDIT_CODE = "91350100M000100Y43"

APPLICANT = Actor(Role.APPLICANT, "王小明")
AUTHORITY = Actor(Role.AUTHORITY_REVIEWER, "省大数据局 李审核")
REVIEWER = Actor(Role.DEPARTMENT_REVIEWER, "省交通运输厅 赵专员")
HEAD = Actor(Role.DEPARTMENT_HEAD, "省交通运输厅 钱厅长")
THIRD = Actor(Role.THIRD_PARTY, "贵阳公交集团")
SYSTEM = Actor(Role.SYSTEM, "reminder-job")
ACTORS = {Role.APPLICANT: APPLICANT, Role.AUTHORITY_REVIEWER: AUTHORITY,
          Role.DEPARTMENT_REVIEWER: REVIEWER, Role.DEPARTMENT_HEAD: HEAD,
          Role.THIRD_PARTY: THIRD, Role.SYSTEM: SYSTEM}

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


class Clock:
    """An injected clock: each call is one second later."""

    def __init__(self, start: datetime = T0) -> None:
        self.current = start

    def __call__(self) -> datetime:
        self.current += timedelta(seconds=1)
        return self.current


def application(**changes: Any) -> Application:
    base = Application(
        dataset_id="gz-bus-gps", department="省交通运输厅", applicant_name="王小明",
        identity_kind=IdentityKind.ID_NUMBER, identity_number=ID_NUMBER,
        phone=PHONE, email=EMAIL,
        data_description="公交车辆实时位置，2025 年全年", purpose="公交出行研究",
        scope_of_use="仅用于本课题组论文", security_measures="加密存储，专人管理",
        delivery_method=DeliveryMethod.API, commitment_signed=True,
    )
    return dataclasses.replace(base, **changes)


def d(day: int, month: int = 3) -> date:
    return date(2026, month, day)


# --- the full procedure, one operation at a time ------------------------------------

Step = Callable[[Request], Request]

FULL_STEPS: list[Step] = [
    lambda r: P.forward(r, actor=AUTHORITY, on=d(3)),
    lambda r: P.request_explanation(r, actor=REVIEWER, on=d(4), question="请说明每日全量的理由"),
    lambda r: P.answer_explanation(r, actor=APPLICANT, on=d(5), text="用于实时到站预测"),
    lambda r: P.judge_explanation(r, actor=REVIEWER, on=d(6), reasonable=True, reasons="合理"),
    lambda r: P.start_consultation(r, actor=REVIEWER, on=d(9),
                                   parties=[("a", "贵阳公交集团"), ("b", "某某科技有限公司")]),
    lambda r: P.third_party_answer(r, actor=THIRD, key="a", on=d(10), answer="object",
                                   reasons="涉及商业秘密"),
    lambda r: P.third_party_answer(r, actor=THIRD, key="b", on=d(11), answer="agree"),
    lambda r: P.close_consultation(r, actor=REVIEWER, on=d(12)),
    lambda r: P.extend(r, actor=HEAD, on=d(13), days=5, reason="数据量大，需要脱敏处理"),
    lambda r: P.approve(r, actor=REVIEWER, on=d(16), scope="仅用于公交出行研究",
                        delivery_method="download",
                        public_interest_override="公交安全关系重大公共利益"),
    lambda r: P.notify_third_party(r, actor=REVIEWER, key="a", on=d(17), reference="函 2026-17"),
    lambda r: P.deliver(r, actor=REVIEWER, on=d(18), reference="下载链接已发送"),
    lambda r: P.report_use(r, actor=APPLICANT, on=d(30), text="论文已投稿"),
]


def submitted(number: str = "YH-20260302-0001", **changes: Any) -> Request:
    return P.submit(application(**changes), number=number, on=d(2), actor=APPLICANT)


def full(number: str = "YH-20260302-0001", steps: int | None = None) -> Request:
    req = submitted(number)
    for step in FULL_STEPS[:steps]:
        req = step(req)
    return req


def forwarded(number: str) -> Request:
    return P.forward(submitted(number), actor=AUTHORITY, on=d(3))


def explanation_requested(number: str) -> Request:
    return full(number, 2)


def consulting(number: str) -> Request:
    return full(number, 6)


BY_STATE: dict[State, Callable[[str], Request]] = {
    State.SUBMITTED: submitted,
    State.REJECTED: lambda n: P.reject(submitted(n), actor=AUTHORITY, on=d(3), reasons="材料不全"),
    State.FORWARDED: forwarded,
    State.EXPLANATION_REQUESTED: explanation_requested,
    State.EXPLANATION_ANSWERED: lambda n: full(n, 3),
    State.CONSULTING: consulting,
    State.NOT_PROCESSED: lambda n: P.judge_explanation(
        full(n, 3), actor=REVIEWER, on=d(6), reasonable=False, reasons="理由不充分"),
    State.APPROVED: lambda n: full(n, 10),
    State.DENIED: lambda n: P.deny(forwarded(n), actor=REVIEWER, on=d(5), reasons="涉及个人隐私",
                                   legal_basis="《个人信息保护法》第十三条"),
    State.DELIVERED: lambda n: full(n),
    State.WITHDRAWN: lambda n: P.withdraw(forwarded(n), actor=APPLICANT, on=d(4), reason="不再需要"),
}


# --- a random legal walk ------------------------------------------------------------------

TEXT = st.text(min_size=1, max_size=12).filter(lambda s: bool(s.strip()))


class Choices:
    """Where a walk's choices come from: Hypothesis (``Drawn``), so that a
    failing walk is shrunk, or a seeded ``random.Random`` (``Seeded``)."""

    def integer(self, low: int, high: int) -> int:
        raise NotImplementedError

    def pick(self, options: Sequence[T]) -> T:
        raise NotImplementedError

    def boolean(self) -> bool:
        raise NotImplementedError

    def words(self) -> str:
        """1 to 12 characters, not all blank."""
        raise NotImplementedError

    def text(self, max_size: int | None = None) -> str:
        """Any text (up to ``max_size`` characters)."""
        raise NotImplementedError


class Drawn(Choices):
    """The choices drawn by Hypothesis (``data.draw`` of ``st.data()``)."""

    def __init__(self, draw: Draw) -> None:
        self.draw = draw

    def integer(self, low: int, high: int) -> int:
        return int(self.draw(st.integers(low, high)))

    def pick(self, options: Sequence[T]) -> T:
        return self.draw(st.sampled_from(options))  # type: ignore[no-any-return]

    def boolean(self) -> bool:
        return bool(self.draw(st.booleans()))

    def words(self) -> str:
        return str(self.draw(TEXT))

    def text(self, max_size: int | None = None) -> str:
        return str(self.draw(st.text(max_size=max_size)))


# Characters of the seeded walks' texts: Chinese, ASCII, blanks, a NUL.
SEEDED_ALPHABET = "王申请数据说明 aZ09-_\t\n\x00"


class Seeded(Choices):
    """Uniform choices of a seeded ``random.Random``: the same walks on every
    run, without Hypothesis's cost per draw (about three quarters of a walk's
    time), for checks over many walks that need no shrinking."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def integer(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def pick(self, options: Sequence[T]) -> T:
        return options[self.rng.randrange(len(options))]

    def boolean(self) -> bool:
        return self.rng.random() < 0.5

    def words(self) -> str:
        text = self.text(12)
        return text if text.strip() else "王" + text[1:]

    def text(self, max_size: int | None = None) -> str:
        size = self.rng.randint(0, 12 if max_size is None else max_size)
        return "".join(self.rng.choice(SEEDED_ALPHABET) for _ in range(size))


def perform(p: Procedure, req: Request, action: Action, actor: Actor, on: date,
            draw: Choices) -> Request:
    """``action`` on ``req`` with drawn arguments (some may break a rule)."""
    def text() -> str:
        return draw.words()

    if action is Action.FORWARD:
        return p.forward(req, actor=actor, on=on)
    if action is Action.REJECT:
        return p.reject(req, actor=actor, on=on, reasons=text())
    if action is Action.REQUEST_EXPLANATION:
        return p.request_explanation(req, actor=actor, on=on, question=text())
    if action is Action.ANSWER_EXPLANATION:
        return p.answer_explanation(req, actor=actor, on=on, text=text())
    if action is Action.LAPSE_EXPLANATION:
        return p.lapse_explanation(req, actor=actor, on=on)
    if action is Action.JUDGE_EXPLANATION:
        return p.judge_explanation(req, actor=actor, on=on, reasonable=draw.boolean(),
                                   reasons=text())
    if action is Action.START_CONSULTATION:
        n = draw.integer(1, 3)
        c = req.consultation + 1
        return p.start_consultation(req, actor=actor, on=on,
                                    parties=[(f"c{c}p{i}", text()) for i in range(n)])
    if action is Action.THIRD_PARTY_ANSWER:
        waiting = [q.key for q in req.current_parties if q.answer is None]
        answer = draw.pick(["agree", "object"])
        return p.third_party_answer(req, actor=actor, key=draw.pick(waiting), on=on,
                                    answer=answer, reasons=text() if answer == "object" else "")
    if action is Action.JUDGE_OBJECTION:
        keys = [q.key for q in req.third_parties
                if q.answer == "object" and q.objection_reasonable is None]
        return p.judge_objection(req, actor=actor, key=draw.pick(keys), on=on,
                                 reasonable=draw.boolean(), reasons=text())
    if action is Action.CLOSE_CONSULTATION:
        return p.close_consultation(req, actor=actor, on=on)
    if action is Action.EXTEND:
        return p.extend(req, actor=actor, on=on, days=draw.integer(1, 15), reason=text())
    if action is Action.APPROVE:
        blocking = any(q.blocks_opening for q in req.third_parties)
        return p.approve(req, actor=actor, on=on, scope=text(),
                         delivery_method=draw.pick(list(DeliveryMethod)),
                         public_interest_override=text() if blocking else None)
    if action is Action.DENY:
        return p.deny(req, actor=actor, on=on, reasons=text(), legal_basis=text())
    if action is Action.NOTIFY_THIRD_PARTY:
        key = draw.pick([q.key for q in req.notices_outstanding])
        return p.notify_third_party(req, actor=actor, key=key, on=on, reference=draw.text())
    if action is Action.DELIVER:
        return p.deliver(req, actor=actor, on=on, reference=draw.text(max_size=8))
    if action is Action.WITHDRAW:
        return p.withdraw(req, actor=actor, on=on, reason=draw.text(max_size=8))
    if action is Action.REPORT_USE:
        return p.report_use(req, actor=actor, on=on, text=text())
    raise AssertionError(action)


RARE = {Action.WITHDRAW.value, Action.REJECT.value, Action.DENY.value, Action.REPORT_USE.value}


def walk(draw: Choices, max_steps: int = 20, history: list[Request] | None = None) -> Request:
    """A request driven through random legal operations by random actors;
    ``history`` receives every state it went through."""
    on = date(2025, 1, 2) + timedelta(days=draw.integer(0, 500))
    kind = draw.pick(list(IdentityKind))
    app = application(
        applicant_name=draw.words(), identity_kind=kind,
        identity_number=ID_NUMBER if kind is IdentityKind.ID_NUMBER else CREDIT_CODE,
        phone=draw.pick(["", PHONE, "0851-88888888"]), email=EMAIL,
        purpose=draw.words(), data_description=draw.text(max_size=20),
        delivery_method=draw.pick(list(DeliveryMethod)))
    req = P.submit(app, number=f"YH-{on:%Y%m%d}-{draw.integer(1, 9999):04d}", on=on,
                   actor=draw.pick([APPLICANT, SYSTEM]))
    if history is not None:
        history.append(req)
    for _ in range(draw.integer(0, max_steps)):
        on = req.last_event_on + timedelta(days=draw.integer(0, 12))
        try:
            options = sorted((a.value, r.value) for r in ACTORS
                             for a in P.allowed_actions(req, r, on))
        except CalendarYearMissing:
            break
        if not options:
            break
        # Operations that end the walk early are drawn less often.
        weighted = [o for o in options for _ in range(1 if o[0] in RARE else 6)]
        action, role = draw.pick(weighted)
        try:
            req = perform(P, req, Action(action), ACTORS[Role(role)], on, draw)
        except (RuleViolation, CalendarYearMissing):
            continue
        if history is not None:
            history.append(req)
    return req


# --- workers for other processes ------------------------------------------------------------


def receipt_worker(url: str, n: int, day: str, start: Any, out: Any) -> None:
    """Open the store at ``url``, wait for the others at the barrier ``start``,
    take ``n`` receipt numbers of ``day`` and put them on the queue ``out``."""
    from search_api.store import Store

    store = Store.open(url)
    try:
        store.next_receipt_number(date(2000, 1, 1))  # connect before the start
        start.wait(60)
        out.put([store.next_receipt_number(date.fromisoformat(day)) for _ in range(n)])
    finally:
        store.close()


def together(n: int, work: Callable[[int], T]) -> list[T]:
    """``work(i)`` for i < n in n threads released at the same moment."""
    start = threading.Barrier(n)

    def run(i: int) -> T:
        start.wait()
        return work(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))
