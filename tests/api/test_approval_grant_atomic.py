"""An approval by API and its grant commit in one transaction (#16), over
HTTP on SQLite and PostgreSQL: when the database refuses the grant (here a
trigger on ``grants``, a real refusal by the database), the reviewer's
approval is not kept either — no approved request stands without its grant."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import Engine, text

from domain.procedures.requests import State
from search_api.store import Store
from search_api.store.grants import KeyStore
from tests.api.keyed_helpers import app, clock, file_for  # noqa: F401
from tests.api.test_applicant_flow import csrf
from tests.api.test_review_flow import act, sign_in

pytestmark = pytest.mark.both_dbs

SQLITE_TRIGGER = ["CREATE TRIGGER refuse_grants BEFORE INSERT ON grants "
                  "BEGIN SELECT RAISE(ABORT, 'grants refused'); END"]
POSTGRES_TRIGGER = [
    "CREATE FUNCTION refuse_grant() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'grants refused'; END $$",
    "CREATE TRIGGER refuse_grants BEFORE INSERT ON grants "
    "FOR EACH ROW EXECUTE FUNCTION refuse_grant()",
]


@pytest.fixture
def refusing(app: Flask) -> Iterator[Store]:  # noqa: F811
    """The app's store with a trigger that refuses every new grant row."""
    store: Store = app.extensions["portal_store"]
    engine: Engine = store.engine
    with engine.begin() as conn:
        for statement in SQLITE_TRIGGER if store.backend == "sqlite" else POSTGRES_TRIGGER:
            conn.execute(text(statement))
    yield store


def test_a_refused_grant_leaves_the_request_unapproved(app: Flask,  # noqa: F811
                                                       refusing: Store) -> None:
    applicant = app.test_client()
    number = file_for(applicant, "dsj-0001", "api")
    act(sign_in(app, "authority"), number, "forward")
    before, version = refusing.load(number)
    provider = sign_in(app, "dsj")
    page = provider.get(f"/review/requests/{number}").get_data(as_text=True)
    audited = len(refusing.audit_records())  # with the sign-in's
    assert re.search(rf'name="version" value="{version}"', page)

    answer = provider.post(f"/review/requests/{number}/approve", data={
        "csrf_token": csrf(page), "version": str(version), "scope": "企业用能研究",
        "delivery_method": "api"})
    # A database that fails is the service's fault: its error page, logged.
    assert answer.status_code == 500

    after, stored_version = refusing.load(number)
    assert (after.state, stored_version) == (State.FORWARDED, version)
    assert after.events == before.events and after.decision is None
    assert KeyStore(refusing).grant(number) is None
    assert len(refusing.audit_records()) == audited
    assert refusing.verify_audit() == []
    # The applicant's page says nothing was decided: no key can be asked for.
    status = applicant.get(f"/requests/{number}").get_data(as_text=True)
    assert "api-key" not in status
