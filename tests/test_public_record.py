"""The typed public record (domain.catalogue.public_record): catalog.json's
entries read back into records give the same JSON, and a malformed entry is
refused with the key it names."""

from __future__ import annotations

import copy
import dataclasses
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from domain.catalogue.freshness import Freshness
from domain.catalogue.model import Announcement, OpenType, Provision, Status
from domain.catalogue.public_record import (
    CatalogEntry,
    Coverage,
    PublicRecord,
    PublishedFile,
    RecordFormatError,
)


@pytest.fixture(scope="module")
def entries(built_sample: Path) -> list[dict[str, Any]]:
    data = json.loads((built_sample / "catalog.json").read_text(encoding="utf-8"))
    return list(data["datasets"])


def _entry(entries: list[dict[str, Any]], identifier: str) -> dict[str, Any]:
    return copy.deepcopy(next(e for e in entries if e["id"] == identifier))


def test_every_entry_of_the_sample_reads_back_to_the_same_json(
        entries: list[dict[str, Any]]) -> None:
    for raw in entries:
        entry = CatalogEntry.from_json(raw)
        assert entry.to_json() == raw
        # Same keys in the same order: catalog.json's bytes do not change.
        assert list(entry.to_json()) == list(raw)


def test_values_are_typed(entries: list[dict[str, Any]]) -> None:
    record = PublicRecord.from_json(_entry(entries, "hbj-0001"))
    assert record.open_type is OpenType.UNCONDITIONAL and record.open_type_name == "无条件开放"
    assert record.provision == (Provision.DOWNLOAD, Provision.API)
    assert record.freshness in set(Freshness) and record.status is Status.ACTIVE
    assert isinstance(record.last_updated, date) and isinstance(record.published, date)
    assert record.keywords == ("空气质量", "AQI", "PM2.5", "环境监测", "臭氧")
    assert record.url == "datasets/hbj-0001/"
    assert record.temporal is not None and record.temporal.end is None
    assert record.temporal.interval == f"{record.temporal.start.isoformat()}/.."
    assert record.quality.criteria[-1].passed is None
    files = CatalogEntry.from_json(_entry(entries, "hbj-0001")).downloads
    assert files[0] == PublishedFile(**{**_entry(entries, "hbj-0001")["downloads"][0]})


def test_retired_and_emergency_entries_keep_their_notices(
        entries: list[dict[str, Any]]) -> None:
    retired = [PublicRecord.from_json(e) for e in entries if e["status"] != "active"]
    assert {r.status for r in retired} == {Status.WITHDRAWN, Status.INVALID}
    for record in retired:
        notice = record.withdrawal or record.invalidation
        assert isinstance(notice, Announcement) and isinstance(notice.date, date)
    emergencies = [PublicRecord.from_json(e) for e in entries if e["emergency"]]
    assert emergencies and all(isinstance(r.emergency and r.emergency.since, date)
                               for r in emergencies)


def test_download_count_is_written_only_when_known(entries: list[dict[str, Any]]) -> None:
    record = PublicRecord.from_json(entries[0])
    assert record.download_count is None and "download_count" not in record.to_json()
    counted = dataclasses.replace(record, download_count=0)
    assert list(counted.to_json())[-1] == "download_count"
    assert PublicRecord.from_json(counted.to_json()).download_count == 0


def test_a_closed_period_and_an_unknown_key(entries: list[dict[str, Any]]) -> None:
    raw = {**_entry(entries, "hbj-0001"), "name_key": "kongqi", "content_hash": "x"}
    raw["temporal"] = {"start": "2019-01-01", "end": "2025-12-31", "interval": "ignored"}
    record = PublicRecord.from_json(raw)
    assert record.temporal == Coverage(date(2019, 1, 1), date(2025, 12, 31))
    assert record.to_json()["temporal"]["interval"] == "2019-01-01/2025-12-31"
    assert "name_key" not in record.to_json()


@pytest.mark.parametrize(("change", "message"), [
    (lambda r: r.pop("title"), "'title' is missing"),
    (lambda r: r.update(keywords="空气"), "'keywords' must be a list of texts"),
    (lambda r: r.update(open_type="not_open_at_all"), "'open_type' has an unknown value"),
    (lambda r: r.update(open_type="not_open"), "is not_open and has no public record"),
    (lambda r: r.update(provision=["fax"]), "'provision' has an unknown value 'fax'"),
    (lambda r: r.update(freshness="stale"), "'freshness' has an unknown value"),
    (lambda r: r.update(status=None), "'status' has an unknown value None"),
    (lambda r: r.update(last_updated="2026-13-01"), "'last_updated' must be a date"),
    (lambda r: r.update(published=20260101), "'published' must be a date"),
    (lambda r: r.update(data_public="yes"), "'data_public' must be true or false"),
    (lambda r: r.update(contact=None), "'contact' must be an object"),
    (lambda r: r["contact"].pop("email"), "'contact.email' is missing"),
    (lambda r: r.update(emergency=[]), "'emergency' must be an object or null"),
    (lambda r: r.update(withdrawal={"date": None, "reason": "x"}),
     "'notice.date' must be a date"),
    (lambda r: r.update(temporal={"start": "2019-01-01", "end": "then"}),
     "'temporal.end' must be a date"),
    (lambda r: r["quality"].update(score=-1), "'quality.score' must be a whole number"),
    (lambda r: r["quality"].update(score=True), "'quality.score' must be a whole number"),
    (lambda r: r["quality"].update(criteria={}), "'quality.criteria' must be a list"),
    (lambda r: r["quality"]["criteria"][0].update(passed="ok"),
     "'quality.criteria.passed' must be true, false or null"),
    (lambda r: r.update(download_count=1.5), "'download_count' must be a whole number"),
    (lambda r: r.update(downloads={}), "'downloads' must be a list"),
    (lambda r: r.update(downloads=["a.csv"]), "each item of 'downloads' must be a JSON object"),
    (lambda r: r["downloads"][0].pop("sha256"), "'downloads.sha256' is missing"),
    (lambda r: r["downloads"][0].update(bytes="12"), "'downloads.bytes' must be a whole"),
])
def test_a_malformed_entry_is_refused_naming_its_key(
        entries: list[dict[str, Any]], change: Any, message: str) -> None:
    raw = _entry(entries, "hbj-0001")
    change(raw)
    with pytest.raises(RecordFormatError) as caught:
        CatalogEntry.from_json(raw)
    assert message in str(caught.value)
    assert issubclass(RecordFormatError, ValueError)


def test_an_entry_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(RecordFormatError, match="must be a JSON object, not list"):
        CatalogEntry.from_json([])
