"""Store.event_days: the days of one kind of event for a page of requests in
one query (the supervision list), equal to what loading each request gives."""

from __future__ import annotations

from domain.procedures.requests import EventKind
from search_api.store import Store
from tests.store.store_helpers import APPLICANT, REVIEWER, Clock, full, submitted


def test_event_days_equal_the_loaded_events(store: Store, clock: Clock) -> None:
    done, fresh = full("YH-20260302-0001"), submitted("YH-20260302-0002")
    store.add_request(submitted(done.number), access_code_hash="h", actor=APPLICANT, at=clock())
    store.save(done, expected_version=1, actor=REVIEWER, at=clock())
    store.add_request(fresh, access_code_hash="h", actor=APPLICANT, at=clock())
    asked = [done.number, fresh.number, "YH-20260302-0099"]
    for kind in (EventKind.USE_REPORTED, EventKind.SUBMITTED):
        days = store.event_days(asked, kind)
        assert days == {
            done.number: [e.on for e in done.events if e.kind is kind],
            fresh.number: [e.on for e in fresh.events if e.kind is kind],
            "YH-20260302-0099": []}
    assert store.event_days([done.number], EventKind.USE_REPORTED)[done.number]  # one at least
    assert store.event_days([], EventKind.USE_REPORTED) == {}
