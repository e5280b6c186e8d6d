"""Demands, suggestions and the reuse showcase over HTTP, on SQLite and
PostgreSQL (issue #5): filed on a Chinese page or the JSON API, moderated
before any of it is public, answered by the department within the portal's
period (15 working days, bureau policy: 000 §30, 003 §27 and 004 §35 set
none), counted per department; separate duties (002 §42, §44) and the
hash-chained audit (003 §34). Dates counted by hand on the 2026 notice
(National Day 10-01..07 off, Saturday 10-10 worked), receipt day not counted.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.api.test_applicant_flow import csrf
from tests.api.test_review_flow import app, clock, sign_in  # noqa: F401

NAME, CONTACT = "张先生MARKNAME", "13912345678"
PUBLIC_PAGES = ("/demands", "/suggestions", "/showcase", "/register", "/api/v1/demands",
                "/api/v1/suggestions", "/api/v1/reuses", "/api/v1/datasets/jtj-0001/reuses",
                "/api/v1/datasets/rsj-0003/reuses", "/api/v1/register",
                "/api/v1/statistics/participation")


def everything_public(app: Flask) -> str:  # noqa: F811
    """Every public page and JSON answer of the service, as one text."""
    client = app.test_client()
    bodies = []
    for path in PUBLIC_PAGES:
        answer = client.get(path)
        assert answer.status_code == 200, path
        bodies.append(answer.get_data(as_text=True))
        if answer.is_json:
            bodies.append(str(answer.get_json()))  # the JSON with its Chinese unescaped
    return "\n".join(bodies)


def file_form(app: Flask, page: str, query: str = "", **fields: str) -> str:  # noqa: F811
    client = app.test_client()
    form = client.get(f"/{page}/new{query}").get_data(as_text=True)
    answer = client.post(f"/{page}/new", data={"csrf_token": csrf(form), **fields})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200, re.findall(r"<li>([^<]+)</li>", html)
    return re.search(r'id="participation-number">([^<]+)<', html).group(1)  # type: ignore[union-attr]


def moderate(client: FlaskClient, number: str, action: str, expect: str = "操作已完成",
             **fields: str) -> str:
    page = client.get("/review/moderation/").get_data(as_text=True)
    form = re.search(rf'action="/review/moderation/{re.escape(number)}/{action}"[^>]*>'
                     r'<input[^>]*value="([^"]+)"><input[^>]*name="version" value="(\d+)"', page)
    assert form, f"no {action} form for {number}"
    answer = client.post(f"/review/moderation/{number}/{action}", data={
        "csrf_token": form.group(1), "version": form.group(2), **fields}, follow_redirects=True)
    html = answer.get_data(as_text=True)
    assert expect in html, re.findall(r'sv-flash[^>]*>([^<]+)', html)
    return html


def post_json(app: Flask, path: str, body: dict[str, Any]) -> Any:  # noqa: F811
    return app.test_client().post(path, json=body)


@pytest.mark.both_dbs  # store paths no store test reaches on PostgreSQL
def test_demand_filed_moderated_answered_in_time(app: Flask, clock: Any) -> None:  # noqa: F811
    clock.set("2026-09-30")
    number = file_form(app, "demands", title="公交车辆实时位置", department="jtj",
                       text="需要每分钟更新的公交位置MARKORIG", name=NAME, contact=CONTACT)
    assert number.startswith("XQ-20260930-")
    assert "公交车辆实时位置" not in everything_public(app)  # 待审核 is never public

    jtj = sign_in(app, "jtj")
    moderate(jtj, number, "approve", public_title="公交车辆实时位置",
             public_text="需要每分钟更新的公交位置")
    item = app.test_client().get("/api/v1/demands").get_json()["items"][0]
    assert (item["number"], item["status_name"], item["department_name"], item["due"]) == (
        number, "已受理", "云河市交通运输局", "2026-10-27")
    clock.set("2026-10-27")
    moderate(jtj, number, "start")
    moderate(jtj, number, "answer", outcome="adopted", reply="已列入2027年开放计划")
    item = app.test_client().get("/api/v1/demands").get_json()["items"][0]
    assert item["reply"] == {"outcome": "adopted", "outcome_name": "已采纳",
                             "text": "已列入2027年开放计划", "on": "2026-10-27",
                             "in_time": True}
    public = everything_public(app)
    assert "已列入2027年开放计划" in public and "需要每分钟更新的公交位置" in public
    for secret in ("MARKORIG", NAME, CONTACT):
        assert secret not in public
    stats = app.test_client().get("/api/v1/statistics/participation").get_json()
    assert stats["reply_days"] == 15
    assert stats["by_department"]["jtj"]["demand"] == {
        "received": 1, "pending_moderation": 0, "rejected_in_moderation": 0, "answered": 1,
        "answered_in_time": 1, "overdue": 0}
    store = app.extensions["portal_store"]
    assert [r.action for r in store.audit_records(number)] == [
        "participation.received", "participation.approve", "participation.start",
        "participation.answer"]
    assert NAME not in str(store.audit_records(number))
    assert store.verify_audit() == []


def test_unrouted_suggestion_routed_then_answered_late(app: Flask, clock: Any) -> None:  # noqa: F811
    clock.set("2026-09-30")
    filed = post_json(app, "/api/v1/suggestions", {"title": "增加社保统计口径说明",
                                                   "text": "希望增加字段说明"})
    assert filed.status_code == 201 and filed.get_json()["due"] == "2026-10-27"
    number = filed.get_json()["number"]
    assert number.startswith("JY-")
    rsj = sign_in(app, "rsj")
    assert number not in rsj.get("/review/moderation/").get_data(as_text=True)
    authority = sign_in(app, "authority")
    moderate(authority, number, "approve")
    moderate(authority, number, "route", department="rsj")
    # Routed: the authority no longer answers it; rsj does.
    assert f"/review/moderation/{number}/answer" not in authority.get(
        "/review/moderation/").get_data(as_text=True)
    clock.set("2026-10-28")
    stats = app.test_client().get("/api/v1/statistics/participation").get_json()
    assert stats["by_department"]["rsj"]["suggestion"]["overdue"] == 1
    moderate(rsj, number, "answer", outcome="declined", reply="口径说明已在数据字典中提供")
    item = app.test_client().get("/api/v1/suggestions").get_json()["items"][0]
    assert item["status_name"] == "不予采纳" and item["reply"]["in_time"] is False
    assert "逾期答复" in app.test_client().get("/suggestions").get_data(as_text=True)
    counts = app.test_client().get("/api/v1/statistics/participation").get_json()
    assert counts["by_department"]["rsj"]["suggestion"] == {
        "received": 1, "pending_moderation": 0, "rejected_in_moderation": 0, "answered": 1,
        "answered_in_time": 0, "overdue": 0}


def test_rejected_items_never_appear_and_the_reason_stays_private(
        app: Flask, clock: Any) -> None:  # noqa: F811
    number = file_form(app, "demands", title="招聘广告MARKSPAM", text="加微信MARKSPAM")
    authority = sign_in(app, "authority")
    moderate(authority, number, "reject", reason="广告MARKREASON")
    public = everything_public(app)
    assert "MARKSPAM" not in public and "MARKREASON" not in public
    stats = app.test_client().get("/api/v1/statistics/participation").get_json()
    assert stats["by_department"]["authority"]["demand"]["rejected_in_moderation"] == 1
    # Nothing more can be done with it.
    assert f"/review/moderation/{number}/approve" not in authority.get(
        "/review/moderation/").get_data(as_text=True)


@pytest.mark.both_dbs  # store paths no store test reaches on PostgreSQL
def test_department_isolation_and_read_only_roles(app: Flask, clock: Any) -> None:  # noqa: F811
    number = file_form(app, "demands", title="公交线路", text="线路走向", department="jtj")
    for username, sees in (("rsj", False), ("rsj-head", False), ("auditor", True)):
        client = sign_in(app, username)
        page = client.get("/review/moderation/").get_data(as_text=True)
        assert (number in page) is sees, username
        assert f"/review/moderation/{number}/approve" not in page
        refused = client.post(f"/review/moderation/{number}/approve", data={
            "csrf_token": csrf(client.get("/review/").get_data(as_text=True)),
            "version": "1"})
        assert refused.status_code == 403, username
    jtj = sign_in(app, "jtj")
    token = csrf(jtj.get("/review/").get_data(as_text=True))
    assert jtj.post(f"/review/moderation/{number}/route", data={
        "csrf_token": token, "version": "1", "department": "rsj"}).status_code == 403
    assert jtj.post("/review/moderation/XQ-20000101-0001/approve",
                    data={"csrf_token": token}).status_code == 404
    assert jtj.post(f"/review/moderation/{number}/delete",
                    data={"csrf_token": token}).status_code == 404
    # Without the CSRF token a reviewer's form is refused.
    assert jtj.post(f"/review/moderation/{number}/approve",
                    data={"version": "1"}).status_code == 400
    public = app.test_client()
    public.get("/demands/new")
    assert public.post("/demands/new", data={"title": "t", "text": "x"}).status_code == 400


def test_a_stale_form_does_not_overwrite_another_reviewers_decision(
        app: Flask, clock: Any) -> None:  # noqa: F811
    number = file_form(app, "demands", title="公交线路", text="线路走向", department="jtj")
    jtj, authority = sign_in(app, "jtj"), sign_in(app, "authority")
    old = authority.get("/review/moderation/").get_data(as_text=True)
    moderate(jtj, number, "approve")
    answer = authority.post(f"/review/moderation/{number}/reject", data={
        "csrf_token": csrf(old), "version": "1", "reason": "重复"}, follow_redirects=True)
    assert "刚被其他审核人员处理" in answer.get_data(as_text=True)
    assert app.test_client().get("/api/v1/demands").get_json()["items"][0]["status"] == \
        "accepted"


@pytest.mark.both_dbs  # store paths no store test reaches on PostgreSQL
def test_reuse_showcase_per_dataset_and_withdrawal(app: Flask, clock: Any) -> None:  # noqa: F811
    bad = post_json(app, "/api/v1/reuses", {
        "title": "x", "text": "y", "url": "javascript:alert(1)", "dataset_ids": ["nope"],
        "contact": "a@example.org"})
    assert bad.status_code == 400
    assert [e[:6] for e in bad.get_json()["errors"]] == ["链接须为以 ", "没有资源代码"]
    client = app.test_client()
    form = client.get("/showcase/new?dataset=jtj-0001").get_data(as_text=True)
    assert 'value="jtj-0001"' in form
    missing = client.post("/showcase/new", data={
        "csrf_token": csrf(form), "title": "地图", "text": "t", "url": "https://example.org/",
        "dataset_ids": "jtj-0001", "contact": ""})
    assert missing.status_code == 400 and "请留下联系方式" in missing.get_data(as_text=True)
    title = "<script>alert(1)</script>公交地图"
    number = file_form(app, "showcase", title=title, text="交互式线网图",
                       url="https://example.org/bus-map", dataset_ids="jtj-0001，jtj-0001",
                       name=NAME, contact=CONTACT)
    assert number.startswith("CG-")
    assert client.get("/api/v1/datasets/jtj-0001/reuses").get_json()["reuses"] == []
    moderate(sign_in(app, "jtj"), number, "approve")  # jtj-0001 is jtj's: jtj moderates
    reuses = client.get("/api/v1/datasets/jtj-0001/reuses").get_json()["reuses"]
    assert [(r["title"], r["url"], r["dataset_ids"]) for r in reuses] == [
        (title, "https://example.org/bus-map", ["jtj-0001"])]
    showcase = client.get("/showcase").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;公交地图" in showcase and "<script>alert" not in showcase
    assert 'href="https://example.org/bus-map" rel="nofollow noopener noreferrer ugc"' in showcase
    # The dataset by its name, linked on the public site (issue 10).
    assert '>公交站点信息</a>' in showcase and "datasets/jtj-0001/" in showcase
    assert NAME not in everything_public(app) and CONTACT not in everything_public(app)
    moderate(sign_in(app, "authority"), number, "withdraw", reason="链接失效")
    assert client.get("/api/v1/datasets/jtj-0001/reuses").get_json()["reuses"] == []
    stats = client.get("/api/v1/statistics/participation").get_json()["totals"]["reuse"]
    assert stats == {"received": 1, "pending_moderation": 0, "rejected_in_moderation": 0,
                     "published": 0}


def test_public_writes_are_rate_limited(app_config: dict[str, Any]) -> None:
    from search_api import create_app
    from tests.api.conftest import index_once

    config = {**app_config, "RATE_PUBLIC_WRITES": 2}
    index_once(config)
    limited = create_app(config)
    try:
        client = limited.test_client()
        body = {"title": "t", "text": "x"}
        assert [client.post("/api/v1/demands", json=body).status_code for _ in range(3)] == [
            201, 201, 429]
        answer = client.post("/api/v1/suggestions", json=body)
        assert answer.status_code == 429 and answer.get_json()["ok"] is False
    finally:
        limited.extensions["portal_engine"].close()


def test_nothing_unmoderated_appears_anywhere_public(app: Flask, clock: Any) -> None:  # noqa: F811
    """Pending, rejected and withdrawn items, the text as filed when a
    reviewer edited it, and every submitter's name and contact: on no public
    page and in no public API answer."""
    numbers = {
        "pending": post_json(app, "/api/v1/demands", {
            "title": "MARKPENDING1", "text": "MARKPENDING2", "name": "MARKNAME1",
            "contact": "MARKCONTACT1"}).get_json()["number"],
        "rejected": file_form(app, "suggestions", "?dataset=jtj-0001", title="MARKREJECTED1",
                              text="MARKREJECTED2", name="MARKNAME2"),
        "edited": file_form(app, "demands", title="公开标题", text="MARKEDITED 其余内容",
                            contact="MARKCONTACT2"),
        "withdrawn": post_json(app, "/api/v1/reuses", {
            "title": "MARKWITHDRAWN1", "text": "MARKWITHDRAWN2", "url": "https://example.org/w",
            "dataset_ids": ["jtj-0001"], "contact": "MARKCONTACT3"}).get_json()["number"],
    }
    authority = sign_in(app, "authority")
    moderate(authority, numbers["rejected"], "reject", reason="MARKREASON")
    moderate(authority, numbers["edited"], "approve", public_title="公开标题",
             public_text="其余内容")
    moderate(authority, numbers["withdrawn"], "approve")
    moderate(authority, numbers["withdrawn"], "withdraw", reason="MARKREASON2")
    public = everything_public(app)
    assert "其余内容" in public  # the approved text is public ...
    assert re.findall(r"MARK[A-Z]+\d?", public) == []  # ... and nothing else is


def reveal(client: FlaskClient, number: str) -> Any:
    """Press the reveal button of ``number`` on the moderation page."""
    page = client.get("/review/moderation/").get_data(as_text=True)
    form = re.search(rf'action="/review/moderation/{re.escape(number)}/contact"[^>]*>'
                     r'<input[^>]*name="csrf_token" value="([^"]+)"', page)
    assert form, f"no reveal button for {number}"
    return client.post(f"/review/moderation/{number}/contact",
                       data={"csrf_token": form.group(1)})


@pytest.mark.both_dbs  # store paths no store test reaches on PostgreSQL
def test_submitter_contact_revealed_only_to_moderators_and_audited(
        app: Flask, clock: Any, caplog: Any) -> None:  # noqa: F811
    """The contact is collected 仅用于审核时核实 (000 §47): whoever may
    moderate the item can reveal it (POST, CSRF), each reveal is in the
    hash-chained audit log without the contact; nobody else sees it, and it
    appears in no page otherwise and in no log."""
    caplog.set_level("DEBUG")
    number = file_form(app, "showcase", title="公交线网地图", text="交互式线网图",
                       url="https://example.org/map", dataset_ids="jtj-0001", name=NAME,
                       contact=CONTACT)
    jtj = sign_in(app, "jtj")
    page = jtj.get("/review/moderation/").get_data(as_text=True)
    assert NAME not in page and CONTACT not in page
    # Without the CSRF token, or by GET: refused.
    assert jtj.post(f"/review/moderation/{number}/contact").status_code == 400
    assert jtj.get(f"/review/moderation/{number}/contact").status_code in (404, 405)

    shown = reveal(jtj, number)
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    assert NAME in html and CONTACT in html and "记入审计日志" in html
    assert CONTACT not in jtj.get("/review/moderation/").get_data(as_text=True)
    authority = sign_in(app, "authority")
    assert CONTACT in reveal(authority, number).get_data(as_text=True)

    # Auditor (reads everything), another department's reviewer and head: no.
    for username in ("auditor", "rsj", "rsj-head"):
        client = sign_in(app, username)
        listing = client.get("/review/moderation/").get_data(as_text=True)
        assert f"/review/moderation/{number}/contact" not in listing, username
        refused = client.post(f"/review/moderation/{number}/contact", data={
            "csrf_token": csrf(client.get("/review/").get_data(as_text=True))})
        assert refused.status_code == 403, username
        assert CONTACT not in refused.get_data(as_text=True)

    store = app.extensions["portal_store"]
    viewed = [r for r in store.audit_records(number)
              if r.action == "participation.contact_viewed"]
    assert [(r.actor_role, r.actor) for r in viewed] == [
        ("department_reviewer", "jtj"), ("authority_reviewer", "authority")]
    assert NAME not in str(store.audit_records()) and CONTACT not in str(store.audit_records())
    assert store.verify_audit() == []
    assert NAME not in caplog.text and CONTACT not in caplog.text
    assert NAME not in everything_public(app) and CONTACT not in everything_public(app)


def test_over_long_input_is_refused_naming_the_limit(app: Flask, clock: Any) -> None:  # noqa: F811
    # Not silently cut to 2000 characters and stored: a 400 that says the limit.
    answer = post_json(app, "/api/v1/demands", {"title": "公交线路", "text": "长" * 2500})
    assert answer.status_code == 400
    assert answer.get_json()["errors"] == ["内容不超过 2000 字（现有 2500 字），请精简后提交。"]
    client = app.test_client()
    form = client.get("/suggestions/new").get_data(as_text=True)
    page = client.post("/suggestions/new", data={"csrf_token": csrf(form), "title": "接口",
                                                "text": "长" * 2001})
    assert page.status_code == 400
    assert "内容不超过 2000 字（现有 2001 字）" in page.get_data(as_text=True)
    stats = client.get("/api/v1/statistics/participation").get_json()["totals"]
    assert stats["demand"]["received"] == stats["suggestion"]["received"] == 0


def test_an_upper_case_scheme_keeps_its_link(app: Flask, clock: Any) -> None:  # noqa: F811
    filed = post_json(app, "/api/v1/reuses", {
        "title": "公交地图", "text": "线网图", "url": "HTTPS://example.org/Map",
        "dataset_ids": ["jtj-0001"], "contact": "dev@example.org"})
    assert filed.status_code == 201
    moderate(sign_in(app, "jtj"), filed.get_json()["number"], "approve")
    showcase = app.test_client().get("/showcase").get_data(as_text=True)
    assert '<a href="https://example.org/Map" rel="nofollow noopener noreferrer ugc"' in showcase
