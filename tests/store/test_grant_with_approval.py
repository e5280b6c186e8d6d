"""An approval by API or sandbox and its grant commit together (#16): the
grant is written in the transaction that saves the approval, so a grant the
database refuses leaves the request as it was (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from domain.procedures.data_grants import GrantStatus, GrantTerms
from domain.procedures.requests import Request, State
from search_api.store import Store
from search_api.store.grant_tables import grants
from search_api.store.grants import KeyStore
from search_api.store.schema import outbox
from tests.store.store_helpers import APPLICANT, AUTHORITY, REVIEWER, Clock, P, d, submitted

NUMBER = "YH-20260302-0001"
SEAL = "a" * 64


def _terms(method: str = "api") -> GrantTerms:
    return GrantTerms(dataset_id="gz-bus-gps", method=method, fields={"gps": ("line", "at")},
                      valid_from=date(2026, 3, 16), valid_to=date(2027, 3, 15), raw_rows=True,
                      report_every_months=6)


def _forwarded(store: Store, clock: Clock) -> int:
    """A request forwarded to the department; its version."""
    req = submitted(NUMBER)
    store.add_request(req, access_code_hash="h", actor=APPLICANT, at=clock())
    return store.save(P.forward(req, actor=AUTHORITY, on=d(3)), expected_version=1,
                      actor=AUTHORITY, at=clock())


def _approved(store: Store) -> Request:
    req, _ = store.load(NUMBER)
    return P.approve(req, actor=REVIEWER, on=d(16), scope="仅用于公交出行研究",
                     delivery_method="api")


def _messages(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(outbox)).scalar_one())


def test_the_approval_and_its_grant_are_saved_together(store: Store, clock: Clock) -> None:
    version = _forwarded(store, clock)
    approved = _approved(store)
    keys = KeyStore(store)

    new = keys.save_approval(approved, _terms(), SEAL, expected_version=version,
                             actor=REVIEWER, at=clock())

    req, stored_version = store.load(NUMBER)
    assert (new, stored_version, req.state) == (version + 1, version + 1, State.APPROVED)
    grant = keys.grant(NUMBER)
    assert grant is not None and grant.status is GrantStatus.ACTIVE
    assert grant.terms == _terms() and grant.applicant_seal == SEAL
    actions = [r.action for r in store.audit_records(NUMBER)]
    # The grant's record follows the approval's, in the same append.
    assert actions[-2:] == ["request.approved", "grant_terms"]
    assert store.verify_audit() == []


def test_a_grant_the_database_refuses_leaves_the_request_unapproved(
        store: Store, clock: Clock) -> None:
    version = _forwarded(store, clock)
    records, messages = len(store.audit_records()), _messages(store)
    approved = _approved(store)

    # "ftp" breaks the CHECK constraint on grants.method: a real refusal.
    with pytest.raises(IntegrityError):
        KeyStore(store).save_approval(approved, _terms("ftp"), SEAL,
                                      expected_version=version, actor=REVIEWER, at=clock())

    req, stored_version = store.load(NUMBER)
    assert (req.state, stored_version) == (State.FORWARDED, version)
    assert req.decision is None
    assert len(req.events) == len(approved.events) - 1
    assert KeyStore(store).grant(NUMBER) is None
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(grants)).scalar_one() == 0
    # Neither the approval's audit records nor its messages were kept.
    assert len(store.audit_records()) == records and _messages(store) == messages
    assert store.verify_audit() == []
    # The same approval with acceptable terms then goes through.
    KeyStore(store).save_approval(approved, _terms(), SEAL,
                                  expected_version=version, actor=REVIEWER, at=clock())
    assert store.load(NUMBER)[0].state is State.APPROVED
