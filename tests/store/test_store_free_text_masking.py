"""Free text of a request (purpose, scope of use...) holding an ID, mobile or
card number is kept masked in the request's snapshot, the column any
database reader sees, and whole only in the sealed personal part (issue 11)."""

from __future__ import annotations

import json

from sqlalchemy import select

from domain.procedures.request_codec import join_personal, request_to_dict, split_personal
from search_api.store import Store
from search_api.store.schema import requests
from tests.store.store_helpers import APPLICANT, submitted
from tests.store.store_helpers import Clock as Tick

PURPOSE = "研究用途，联系人身份证号 440306\u3000198503124519，手机 138—0013—8000"
SCOPE = "仅限课题组；负责人证件 440306/19850312/4519"


def test_split_masks_free_text_and_join_restores_it() -> None:
    data = request_to_dict(submitted(purpose=PURPOSE, scope_of_use=SCOPE))
    rest, personal = split_personal(data)
    app = rest["application"]
    text = json.dumps(rest, ensure_ascii=False)
    assert "4519" not in text.replace("440*************19", "")
    assert "8000" not in text
    assert app["purpose"] == "研究用途，联系人身份证号 440*************19，手机 138******00"
    assert app["scope_of_use"] == "仅限课题组；负责人证件 440*************19"
    assert app["security_measures"] == data["application"]["security_measures"]
    assert personal["clear:purpose"] == PURPOSE and personal["clear:scope_of_use"] == SCOPE
    assert join_personal(rest, personal) == data


def test_free_text_without_identifiers_stays_in_the_snapshot() -> None:
    data = request_to_dict(submitted())
    rest, personal = split_personal(data)
    assert rest["application"]["purpose"] == data["application"]["purpose"]
    assert set(personal) == {"identity_number", "phone", "email"}


def test_stored_snapshot_is_masked_and_the_request_loads_whole(store: Store,
                                                               clock: Tick) -> None:
    req = submitted(purpose=PURPOSE, scope_of_use=SCOPE)
    store.add_request(req, access_code_hash="h", actor=APPLICANT, at=clock())
    with store.engine.connect() as conn:
        snapshot = conn.execute(select(requests.c.snapshot)).scalar_one()
    stored = json.dumps(snapshot, ensure_ascii=False)
    assert "198503124519" not in stored and "19850312/4519" not in stored
    assert "0013—8000" not in stored
    assert store.load(req.number) == (req, 1)
    audit = json.dumps([r.detail for r in store.audit_records(req.number)], ensure_ascii=False)
    assert "4519" not in audit.replace("440*************19", "")
