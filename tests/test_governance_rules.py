"""Catalogue governance rules (domain.catalogue.governance): what is reviewed, what
kind of change a proposal is, who may decide (000 §9, §40; 003 §9)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from domain.catalogue.catalog import load_catalog
from domain.catalogue.governance import (
    ChangeKind,
    allowed,
    catalogue_entry,
    classify,
    entry_hash,
    full_review_due,
)
from domain.catalogue.model import Announcement, OpenType, Status
from tests.conftest import MINIMAL


def _bus_stops():  # type: ignore[no-untyped-def]
    catalog, _ = load_catalog(MINIMAL)
    return catalog.by_id()["jtj-0001"]


def test_routine_updates_need_no_review_but_catalogue_changes_do() -> None:
    dataset = _bus_stops()
    assert entry_hash(replace(dataset, last_updated=date(2030, 1, 1))) == entry_hash(dataset)
    for changed in (replace(dataset, open_type=OpenType.CONDITIONAL),
                    replace(dataset, legal_basis="《某条例》第三条"),
                    replace(dataset, title="公交站点基础信息")):
        assert entry_hash(changed) != entry_hash(dataset)


def test_kinds_of_change() -> None:
    dataset = _bus_stops()
    before = catalogue_entry(dataset)
    assert classify(None, before) == (ChangeKind.NEW, [])
    basis = catalogue_entry(replace(dataset, open_type=OpenType.CONDITIONAL, legal_basis="依据"))
    assert classify(before, basis) == (ChangeKind.CHANGE, ["open_type", "legal_basis"])
    gone = catalogue_entry(replace(dataset, status=Status.WITHDRAWN,
                                   withdrawal=Announcement(date(2026, 11, 1), "停止采集")))
    assert classify(before, gone) == (ChangeKind.WITHDRAWAL, ["status", "withdrawal"])


def test_only_the_authority_decides_and_departments_see_their_own() -> None:
    assert allowed("approve", "authority_reviewer", None, "jtj")
    assert not allowed("approve", "department_reviewer", "jtj", "jtj")
    assert allowed("view", "department_reviewer", "jtj", "jtj")
    assert not allowed("view", "department_reviewer", "rsj", "jtj")
    assert not allowed("view", "department_head", None, "jtj")
    assert allowed("view", "auditor", None, "jtj") and not allowed("reject", "auditor", None, "jtj")
    assert not allowed("view", "applicant", None, "jtj")


def test_full_review_at_least_once_a_year() -> None:
    assert full_review_due(None, date(2026, 11, 23))
    assert not full_review_due(date(2025, 11, 23), date(2026, 11, 23))
    assert full_review_due(date(2025, 11, 22), date(2026, 11, 23))
