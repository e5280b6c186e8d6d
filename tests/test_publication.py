"""The public record of a dataset (domain.catalogue.publication): every key, and what
the public may not read.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest
import yaml

from domain.catalogue.freshness import Freshness
from domain.catalogue.model import (
    Announcement,
    Contact,
    Dataset,
    Emergency,
    Field,
    OpenType,
    Provision,
    Resource,
    Status,
)
from domain.catalogue.publication import NotPublished, dataset_path, public_record
from domain.catalogue.vocabulary import vocabularies_from_mapping
from tests.conftest import MINIMAL

VOCAB = vocabularies_from_mapping(
    yaml.safe_load((MINIMAL / "vocabularies.yaml").read_text(encoding="utf-8")))
TODAY = date(2026, 11, 23)
TABLE = Resource("stops", "data/stops.csv", "csv",
                 fields=(Field("name", title="站点名称", description="站点的名称"),))
DATASET = Dataset(
    identifier="bus-stops", title="公交站点", summary="全市公交站点的名称、位置和途经线路。" * 3,
    department="jtj", theme="transport", open_type=OpenType.UNCONDITIONAL,
    update_frequency="monthly", last_updated=date(2026, 11, 1), published=date(2025, 1, 2),
    region="990102", level="L1", keywords=("公交", "站点"),
    provision=(Provision.DOWNLOAD, Provision.API), usage_requirements="注明来源",
    contact=Contact("张科长", "0990-1234", "a@b.example"), resources=(TABLE,),
    licence="开放数据使用协议", licence_id="yunhe-odl", licence_url="terms/",
    not_in_source=("published",))


def record(**changes: Any) -> dict[str, Any]:
    """The record's JSON form (catalog.json's entry, which must not change)."""
    return public_record(dataclasses.replace(DATASET, **changes), VOCAB, TODAY).to_json()


def test_the_whole_record_of_an_open_dataset() -> None:
    got = record()
    quality = got.pop("quality")
    assert got == {
        "id": "bus-stops", "title": "公交站点", "summary": DATASET.summary,
        "keywords": ["公交", "站点"],
        "department": "jtj", "department_name": "云河市交通运输局",
        "theme": "transport", "theme_name": "交通出行",
        "region": "990102", "region_name": "新城区",
        "open_type": "unconditional", "open_type_name": "无条件开放",
        "formats": ["csv"], "provision": ["download", "api"],
        "update_frequency": "monthly", "update_frequency_name": "每月",
        "last_updated": "2026-11-01", "published": "2025-01-02",
        "not_in_source": ["published"], "freshness": "current",
        "level": "L1", "level_name": "一般数据",
        "open_conditions": "", "legal_basis": "", "usage_requirements": "注明来源",
        "contact": {"name": "张科长", "phone": "0990-1234", "email": "a@b.example"},
        "status": "active", "emergency": None, "withdrawal": None, "invalidation": None,
        "licence": "开放数据使用协议", "licence_id": "yunhe-odl", "licence_url": "terms/",
        "data_public": True, "files_held": True, "url": "datasets/bus-stops/", "temporal": None,
    }
    assert quality["score"] == 100
    assert [c["key"] for c in quality["criteria"]] == [
        "documented", "machine_readable", "files_held", "on_time", "described", "terms",
        "reports_answered"]
    assert quality["criteria"][0] == {"key": "documented",
                                      "label": "数据字典完整（每项有中文名称，多数有说明）",
                                      "passed": True}
    assert quality["criteria"][-1]["passed"] is None  # reports not known here


def test_optional_values_left_empty() -> None:
    got = record(region="", level="", last_updated=None, published=None, resources=(),
                 declared_formats=("xlsx",))
    assert (got["region"], got["region_name"], got["level"], got["level_name"]) == \
        ("", "", "", "")
    assert (got["last_updated"], got["published"]) == (None, None)
    assert (got["formats"], got["files_held"], got["data_public"]) == (["xlsx"], False, True)


def test_a_dataset_without_contact_shows_its_departments_office() -> None:
    got = record(contact=Contact("张科长"))
    assert got["contact"] == {"name": "市交通局", "phone": "0990-12345601",
                              "email": "open@jtj.yunhe.example.gov.cn"}
    # A phone or an e-mail of its own is enough.
    assert record(contact=Contact("", "0990-1"))["contact"] == \
        {"name": "", "phone": "0990-1", "email": ""}
    assert record(contact=Contact("", "", "x@y.example"))["contact"] == \
        {"name": "", "phone": "", "email": "x@y.example"}


def test_conditional_data_is_listed_but_its_files_are_not_public() -> None:
    got = record(open_type=OpenType.CONDITIONAL, open_conditions="仅限科研",
                 legal_basis="《条例》")
    assert (got["open_type"], got["open_type_name"]) == ("conditional", "有条件开放")
    assert (got["open_conditions"], got["legal_basis"]) == ("仅限科研", "《条例》")
    assert got["data_public"] is False and got["files_held"] is True


def test_not_open_data_has_no_public_record() -> None:
    with pytest.raises(NotPublished, match="dataset bus-stops is not_open and has no public"):
        record(open_type=OpenType.NOT_OPEN)
    assert issubclass(NotPublished, ValueError)


def test_emergency_data_carries_its_event() -> None:
    ongoing = record(emergency=Emergency("暴雨", date(2026, 11, 20)))["emergency"]
    assert ongoing == {"event": "暴雨", "since": "2026-11-20", "until": None, "active": True}
    over = record(emergency=Emergency("暴雨", date(2026, 11, 1), date(2026, 11, 10)))
    assert over["emergency"] == {"event": "暴雨", "since": "2026-11-01",
                                 "until": "2026-11-10", "active": False}


def test_retired_data_carries_its_announcement() -> None:
    notice = Announcement(date(2026, 6, 1), "停止采集")
    withdrawn = record(status=Status.WITHDRAWN, withdrawal=notice)
    assert withdrawn["withdrawal"] == {"date": "2026-06-01", "reason": "停止采集"}
    assert withdrawn["invalidation"] is None
    assert (withdrawn["status"], withdrawn["data_public"]) == ("withdrawn", False)
    invalid = record(status=Status.INVALID, invalidation=notice)
    assert invalid["invalidation"] == {"date": "2026-06-01", "reason": "停止采集"}
    assert invalid["withdrawal"] is None


def test_quality_follows_the_portal_terms_and_overdue_reports() -> None:
    bare = dataclasses.replace(DATASET, licence="", usage_requirements="")

    def criterion(key: str, **kwargs: Any) -> object:
        got = public_record(bare, VOCAB, TODAY, **kwargs).quality.criteria
        return next(c.passed for c in got if c.key == key)

    assert criterion("terms") is True
    assert criterion("terms", portal_has_terms=False) is False
    assert criterion("reports_answered", overdue_reports=0) is True
    assert criterion("reports_answered", overdue_reports=2) is False
    low = public_record(bare, VOCAB, TODAY, portal_has_terms=False, overdue_reports=2)
    assert low.quality.score < record()["quality"]["score"]


def test_freshness_is_judged_on_the_given_day() -> None:
    assert record()["freshness"] == "current"
    later = public_record(DATASET, VOCAB, date(2027, 3, 1))
    assert later.freshness is Freshness.OVERDUE


def test_dataset_path() -> None:
    assert dataset_path("bus-stops") == "datasets/bus-stops/"


def test_an_empty_region_or_level_has_no_name_whatever_the_vocabulary_lists() -> None:
    raw = yaml.safe_load((MINIMAL / "vocabularies.yaml").read_text(encoding="utf-8"))
    raw["regions"].append({"code": "", "name": "未填写"})
    raw["levels"].append({"code": "", "name": "未分级"})
    got = public_record(dataclasses.replace(DATASET, region="", level=""),
                        vocabularies_from_mapping(raw), TODAY)
    assert (got.region_name, got.level_name) == ("", "")
