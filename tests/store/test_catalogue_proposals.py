"""Catalogue proposals when an entry goes back to an earlier version: only the
authority's latest approval counts, so the entry is filed again; and going
back to the approved entry withdraws what was pending (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from search_api.governance.store import CatalogueChanges
from search_api.store import Store

START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def _entry(title: str) -> dict[str, str]:
    return {"identifier": "jtj-0001", "department": "jtj", "title": title}


def _approve(changes: CatalogueChanges, digest: str, title: str, at: datetime) -> None:
    [filed] = changes.propose([(digest, _entry(title))], by="jtj-officer", at=at)
    changes.decide(filed.id, approve=True, reason="", by="authority",
                   role="authority_reviewer", expected_version=filed.version, at=at)


def test_an_entry_reverted_to_an_older_approval_is_reviewed_again(store: Store) -> None:
    changes = CatalogueChanges(store)
    _approve(changes, "hash-a", "公交站点", START)
    _approve(changes, "hash-b", "公交站点信息", START + timedelta(hours=1))
    assert changes.approved_entries() == {"jtj-0001": "hash-b"}
    # Back to A: approved once, replaced since — it needs approving again.
    [again] = changes.propose([("hash-a", _entry("公交站点"))], by="jtj-officer",
                              at=START + timedelta(hours=2))
    assert again.entry_hash == "hash-a" and again.status.value == "pending"
    assert changes.propose([("hash-a", _entry("公交站点"))], by="jtj-officer",
                           at=START + timedelta(hours=3)) == []  # already pending


def test_going_back_to_the_approved_entry_withdraws_the_pending_one(store: Store) -> None:
    changes = CatalogueChanges(store)
    _approve(changes, "hash-a", "公交站点", START)
    [pending] = changes.propose([("hash-b", _entry("公交站点信息"))], by="jtj-officer",
                                at=START + timedelta(hours=1))
    assert changes.propose([("hash-a", _entry("公交站点"))], by="jtj-officer",
                           at=START + timedelta(hours=2)) == []
    assert [c.id for c in changes.queue("jtj", recent=0)] == []  # nothing pending any more
    assert changes.approved_entries() == {"jtj-0001": "hash-a"}
    assert pending.id not in {c.id for c in changes.queue("jtj", recent=0)}
