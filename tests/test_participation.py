"""Demands, suggestions, reuses and usage reports: received, moderated
before anything is public, answered within the portal's period (issue #5).

No text sets a reply period for demands (000 §30, 004 §35) or suggestions
(003 §9, 003 §27): the portal's default is 15 working days, bureau policy.
Dates were counted by hand on the State Council's 2026 notice (National Day
10-01..07 off, Saturday 10-10 worked), the day of receipt not counted.
"""

from __future__ import annotations

from datetime import date

import pytest

from domain.periods.calendar import WorkCalendar
from domain.procedures.participation import (
    DEFAULT_REPLY_DAYS,
    PUBLIC,
    Incomplete,
    Item,
    Kind,
    Participation,
    ParticipationError,
    Status,
    allowed,
    check_url,
    pii_in,
)

P = Participation(WorkCalendar())
DAY = date(2026, 9, 30)


def demand(department: str | None = "jtj", on: date = DAY) -> Item:
    return P.receive(kind=Kind.DEMAND, number="XQ-1", on=on, title="公交车辆实时位置",
                     text="用于出行服务，需要每分钟更新", department=department)


def reuse() -> Item:
    return P.receive(kind=Kind.REUSE, number="CG-1", on=DAY, title="公交线网地图",
                     text="交互式地图", dataset_ids=("jtj-0001", " jtj-0001", ""),
                     url=" https://example.org/map ")


def test_default_period_is_fifteen_working_days_across_national_day() -> None:
    assert DEFAULT_REPLY_DAYS == 15
    item = demand()
    assert item.status is Status.PENDING and not item.public
    assert P.due(item) == date(2026, 10, 27)
    ten = Participation(WorkCalendar(), 10)
    assert ten.due(ten.receive(kind=Kind.SUGGESTION, number="JY-1", on=DAY, title="t",
                               text="x")) == date(2026, 10, 20)
    # The period is fixed at receipt: changing the setting later moves no due date.
    assert ten.due(item) == date(2026, 10, 27)
    with pytest.raises(ValueError, match="at least 1"):
        Participation(WorkCalendar(), 0)


def test_reuses_have_no_reply_period_and_clean_values() -> None:
    item = reuse()
    assert item.clock is None and P.due(item) is None and P.timing(item, DAY) == "done"
    assert item.dataset_ids == ("jtj-0001",) and item.url == "https://example.org/map"


def test_every_problem_of_a_submission_is_listed_in_chinese() -> None:
    with pytest.raises(Incomplete) as caught:
        P.receive(kind=Kind.REUSE, number="CG-1", on=DAY, title=" ", text="",
                  url="javascript:alert(1)")
    assert caught.value.problems == ("请填写成果名称。", "请简要介绍成果。",
                                     "请至少填写一个所使用的数据集资源代码。",
                                     caught.value.problems[3])
    assert "http://" in caught.value.problems[3]
    with pytest.raises(Incomplete, match="不超过"):
        P.receive(kind=Kind.SUGGESTION, number="JY-1", on=DAY, title="x" * 101, text="y")


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,<script>x</script>",
    "ftp://example.org/x", "//example.org/x", "https://", "https://user:pw@example.org/",
    "https://example.org/a b", "http://[::1", "https://example.org/" + "x" * 500, "",
])
def test_only_http_and_https_links_are_accepted(url: str) -> None:
    with pytest.raises(Incomplete):
        check_url(url)


@pytest.mark.parametrize(("url", "stored"), [
    ("http://example.org", "http://example.org"),
    ("HTTPS://example.org/a?b=1#c", "https://example.org/a?b=1#c"),
    (" HtTp://Example.org/A ", "http://Example.org/A"),
])
def test_http_and_https_links_pass_with_the_scheme_in_lower_case(url: str, stored: str) -> None:
    # The public pages link only http:// and https:// (lower case): an
    # accepted HTTPS:// link must not silently lose its link there.
    assert check_url(url) == stored
    item = P.receive(kind=Kind.REUSE, number="CG-1", on=DAY, title="t", text="x",
                     dataset_ids=("jtj-0001",), url=url)
    assert item.url == stored


def test_over_long_title_or_text_is_refused_naming_the_limit() -> None:
    with pytest.raises(Incomplete) as caught:
        P.receive(kind=Kind.DEMAND, number="XQ-1", on=DAY, title="题" * 101, text="字" * 2001)
    assert caught.value.problems == ("标题不超过 100 字（现有 101 字），请精简后提交。",
                                     "内容不超过 2000 字（现有 2001 字），请精简后提交。")


def test_approval_makes_the_edited_text_public_and_nothing_else() -> None:
    item = P.approve(demand(), by="authority", on=DAY, public_title="公交实时位置",
                     public_text="  用于出行服务  ")
    assert item.status is Status.ACCEPTED and item.public
    assert (item.public_title, item.public_text) == ("公交实时位置", "用于出行服务")
    assert item.text == "用于出行服务，需要每分钟更新"  # kept as filed, never public
    assert P.approve(reuse(), by="authority", on=DAY).status is Status.PUBLISHED
    with pytest.raises(ParticipationError, match="已审核") as twice:
        P.approve(item, by="authority", on=DAY)
    assert twice.value.status == 409


def test_personal_identifiers_are_never_approved_for_publication() -> None:
    # 000 §47, SPEC §7: the reviewer must edit them out first.
    item = P.receive(kind=Kind.SUGGESTION, number="JY-1", on=DAY, title="建议",
                     text="请联系我 13912345678")
    with pytest.raises(ParticipationError, match="139") as caught:
        P.approve(item, by="authority", on=DAY)
    assert caught.value.code == "personal-data" and "13912345678" not in str(caught.value)
    assert P.approve(item, by="authority", on=DAY, public_text="请联系我").public
    with pytest.raises(ParticipationError, match="不能为空"):
        P.approve(item, by="authority", on=DAY, public_text=" ")


def test_personal_identifiers_in_a_reuse_link_are_never_approved() -> None:
    # The link is public too once approved, and a reviewer cannot edit it.
    item = P.receive(kind=Kind.REUSE, number="CG-1", on=DAY, title="地图", text="线网图",
                     dataset_ids=("jtj-0001",), url="https://example.org/u?tel=13912345678")
    assert pii_in("线网图", item.url) == ["139******78"] and pii_in("线网图") == []
    with pytest.raises(ParticipationError, match="成果链接含有") as caught:
        P.approve(item, by="authority", on=DAY)
    assert caught.value.code == "personal-data" and "13912345678" not in str(caught.value)


def test_rejection_needs_a_reason_and_stays_private() -> None:
    with pytest.raises(ParticipationError, match="理由"):
        P.reject(demand(), by="authority", on=DAY, reason=" ")
    item = P.reject(demand(), by="authority", on=DAY, reason="广告")
    assert item.status is Status.REJECTED and not item.public
    assert item.moderation is not None and item.moderation.reason == "广告"
    with pytest.raises(ParticipationError):
        P.answer(item, status="answered", text="x", by="jtj", on=DAY)
    with pytest.raises(ParticipationError):
        P.route(item, department="rsj")


def test_answer_in_time_and_late() -> None:
    accepted = P.approve(demand(), by="authority", on=DAY)
    with pytest.raises(ParticipationError, match="答复内容"):
        P.answer(accepted, status="adopted", text=" ", by="jtj", on=DAY)
    with pytest.raises(ParticipationError, match="答复结果"):
        P.answer(accepted, status="pending", text="好", by="jtj", on=DAY)
    working = P.start(accepted)
    assert working.status is Status.IN_PROGRESS and working.public
    on_time = P.answer(working, status="adopted", text="已列入明年开放计划", by="jtj",
                       on=date(2026, 10, 27))
    assert on_time.status is Status.ADOPTED and on_time.reply is not None
    assert on_time.reply.in_time
    late = P.answer(accepted, status=Status.DECLINED, text="涉及国家秘密", by="jtj",
                    on=date(2026, 10, 28))
    assert late.reply is not None and not late.reply.in_time
    with pytest.raises(ParticipationError):
        P.answer(late, status="answered", text="again", by="jtj", on=date(2026, 10, 29))
    with pytest.raises(ParticipationError):
        P.start(late)


def test_timing_supervises_the_open_period() -> None:
    item = demand()
    assert P.timing(item, DAY) == "running"
    assert P.timing(item, date(2026, 10, 26)) == "due_soon"
    assert P.timing(item, date(2026, 10, 28)) == "overdue"
    answered = P.answer(P.approve(item, by="a", on=DAY), status="answered", text="x",
                        by="jtj", on=date(2026, 10, 28))
    assert P.timing(answered, date(2026, 10, 28)) == "done"


def test_routing_and_withdrawal() -> None:
    routed = P.route(demand(department=None), department=" rsj ")
    assert routed.department == "rsj"
    with pytest.raises(ParticipationError, match="部门"):
        P.route(routed, department="")
    with pytest.raises(ParticipationError):
        P.route(reuse(), department="rsj")
    published = P.approve(reuse(), by="authority", on=DAY)
    gone = P.withdraw(published, by="authority", on=DAY, reason="链接已失效")
    assert gone.status is Status.WITHDRAWN and not gone.public
    with pytest.raises(ParticipationError):
        P.withdraw(gone, by="authority", on=DAY, reason="x")


def test_public_statuses() -> None:
    assert Status.PENDING not in PUBLIC and Status.REJECTED not in PUBLIC
    assert Status.WITHDRAWN not in PUBLIC
    assert {s.label for s in PUBLIC} == {"已受理", "办理中", "已答复", "已采纳", "不予采纳", "已展示"}


@pytest.mark.parametrize(("role", "department", "item_department", "permitted"), [
    ("authority_reviewer", None, "jtj", {"view", "approve", "reject", "withdraw", "route",
                                         "contact"}),
    ("authority_reviewer", None, None, {"view", "approve", "reject", "withdraw", "route",
                                        "start", "answer", "contact"}),
    ("department_reviewer", "jtj", "jtj", {"view", "approve", "reject", "withdraw", "start",
                                           "answer", "contact"}),
    ("department_reviewer", "rsj", "jtj", set()),
    ("department_reviewer", "rsj", None, set()),
    ("department_head", "jtj", "jtj", {"view"}),
    ("auditor", None, "jtj", {"view"}),
    ("applicant", None, "jtj", set()),
])
def test_separate_duties(role: str, department: str | None, item_department: str | None,
                         permitted: set[str]) -> None:
    # 002 §42, §44: review, operation and audit apart; no over-reach.
    # The submitter's contact ("contact") only for whoever may moderate (000 §47).
    item = demand(department=item_department)
    actions = {"view", "approve", "reject", "withdraw", "route", "start", "answer", "contact"}
    assert {a for a in actions if allowed(a, role, department, item)} == permitted


def test_a_usage_reports_applicant_is_not_revealed_here() -> None:
    # Their contact is on their request; the moderation page offers none.
    report = Item(number="YH-20260921-0001.7", kind=Kind.USE_REPORT, received=DAY, title="",
                  text="论文已发表", department="rsj")
    assert allowed("approve", "department_reviewer", "rsj", report)
    assert not allowed("contact", "department_reviewer", "rsj", report)
    assert not allowed("contact", "authority_reviewer", None, report)


def test_dataset_page_links_from_explicit_urls() -> None:
    # The page's reuse list and participation links come from their own
    # keys, not from slicing another URL.
    from builder.pages import dataset_context
    from domain.catalogue.catalog import PortalInfo, load_catalog
    from domain.catalogue.publication import public_record
    from tests.conftest import REPO

    catalog, _ = load_catalog(REPO / "datasets")
    dataset = next(d for d in catalog.datasets if d.identifier == "jtj-0001")
    record = public_record(dataset, catalog.vocab, date(2026, 11, 23))
    portal = PortalInfo(request_service_url="https://svc.example.gov.cn/",
                        search_api_url="https://api.example.gov.cn/")
    context = dataset_context(portal, record, [], age_days=None, next_due=None, root="../../",
                              package_url=None)
    assert context["service_url"] == "https://svc.example.gov.cn"
    assert context["answers_api"] == "https://api.example.gov.cn/api/v1/datasets/jtj-0001/reports"
    assert context["reuses_api"] == "https://api.example.gov.cn/api/v1/datasets/jtj-0001/reuses"


def test_pii_in_reads_every_writing_and_percent_encoded_links() -> None:
    # Issue 11: the moderation check uses the one normalised detector.
    assert pii_in("联系人 138\u20140013\u20148000") == ["138******00"]
    assert pii_in("证件 440306\u3000198503124519") == ["440*************19"]
    assert pii_in("地图", "https://example.org/?tel=138%E2%80%940013%E2%80%948000") == \
        ["138******00"]
    assert pii_in("电话 13800138000", "https://example.org/?tel=13800138000") == ["138******00"]
