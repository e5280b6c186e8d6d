"""The store of scenario applications (authorised operation, 000 §34–36) on
SQLite and PostgreSQL: a case round-trips with its personal part sealed
(encrypted under a key, unopenable without it), a stale save is refused,
reviewers' lists and the public register never open the personal part, and
every step leaves an audit record without the operator's identifiers."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from domain.periods.calendar import WorkCalendar
from domain.periods.profiles import load_profile
from domain.procedures.operation import Operations
from domain.procedures.operation_application import build_application
from domain.procedures.operation_periods import periods_for
from domain.procedures.operation_records import Authorisation, Operation
from search_api.store import PersonalDataKeyError, StaleRequest, Store, new_key
from search_api.store.operations import OperationStore
from search_api.store.schema import audit_log, operations
from tests.store.store_helpers import Clock as Tick

CREDIT_CODE = "91350100M000100Y43"
PHONE = "13912345678"
VALUES = {"scenario_title": "公交到站预测", "scenario": "开发面向市民的公交到站时间预测服务。",
          "purpose": "为出行应用提供实时到站预测服务。", "fields": "",
          "security_measures": "境内机房存储，最小权限访问，日志留存。",
          "organisation": "云河智行科技有限公司", "credit_code": CREDIT_CODE,
          "contact_name": "张晓明", "phone": PHONE, "email": "ops@example.com"}
OPS = Operations(periods_for(load_profile("guizhou-measures")), WorkCalendar())


def filed(number: str = "YY-20260930-0001") -> Operation:
    app = build_application(VALUES, ["jtj-0001"], department_of={"jtj-0001": "jtj"})
    return OPS.file(number=number, on=date(2026, 9, 30), application=app)


def authorise(case: Operation) -> Operation:
    case = OPS.first_review(case, opinion="pass", reasons="可以提供", by="jtj",
                            on=date(2026, 10, 9))
    return OPS.decide(case, verdict="authorise", reasons="符合要求", by="authority",
                      on=date(2026, 10, 12),
                      scope=Authorisation(("jtj-0001",), (), date(2026, 11, 2),
                                          date(2027, 10, 30)))


def test_a_case_round_trips_and_a_stale_save_is_refused(store: Store, clock: Tick) -> None:
    cases = OperationStore(store)
    case = filed()
    cases.add(case, access_code_hash="h" * 64, at=clock())
    assert cases.load(case.number) == (case, 1) and cases.access_code_hash(case.number) == "h" * 64
    done = authorise(case)
    assert cases.save(done, expected_version=1, actor_role="authority_reviewer",
                      actor="authority", action="operation.decide", at=clock()) == 2
    assert cases.load(case.number) == (done, 2)
    with pytest.raises(StaleRequest):
        cases.save(done, expected_version=1, actor_role="applicant", actor="applicant",
                   action="operation.feedback", at=clock())
    [listed] = cases.for_review("jtj")
    assert listed.number == case.number and listed.application.operator.credit_code == ""
    assert cases.for_review("rsj") == []
    [entry] = cases.register()
    assert entry.organisation == "云河智行科技有限公司" and entry.datasets == ("jtj-0001",)
    assert entry.end == date(2027, 10, 30)
    with store.engine.connect() as conn:
        audit = [str(r.detail) for r in conn.execute(select(audit_log).where(
            audit_log.c.subject == case.number))]
    assert len(audit) == 2 and not any(CREDIT_CODE in a or PHONE in a for a in audit)


def test_the_personal_part_is_encrypted_at_rest(url: str, clock: Tick) -> None:
    case = filed()
    with Store.open(url, personal_key=new_key()) as store:
        store.migrate()
        OperationStore(store).add(case, access_code_hash="h" * 64, at=clock())
        with store.engine.connect() as conn:
            raw = str(conn.execute(select(operations)).one())
        assert CREDIT_CODE not in raw and PHONE not in raw and "aesgcm1:" in raw
        assert OperationStore(store).load(case.number)[0] == case
    with Store.open(url) as keyless, pytest.raises(PersonalDataKeyError):
        OperationStore(keyless).load(case.number)
