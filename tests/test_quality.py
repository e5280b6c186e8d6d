"""Quality score criteria (issue 5; in the spirit of data.gouv.fr)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from domain.catalogue.catalog import load_catalog
from domain.catalogue.freshness import Freshness, update_status
from domain.catalogue.model import Dataset, OpenType
from domain.catalogue.quality import QualityScore, quality
from domain.catalogue.vocabulary import Vocabularies
from tests.conftest import MINIMAL, TODAY


def dataset(identifier: str) -> tuple[Dataset, Vocabularies]:
    catalog, _ = load_catalog(MINIMAL)
    return catalog.by_id()[identifier], catalog.vocab


def by_key(score: QualityScore) -> dict[str, Any]:
    return {c.key: c.passed for c in score.criteria}


def test_minimal_bus_stops_fails_only_description_and_dictionary() -> None:
    bus, vocab = dataset("jtj-0001")
    result = by_key(quality(bus, vocab, TODAY))
    # Short summary, and no column has a description.
    assert result == {"documented": False, "machine_readable": True, "files_held": True,
                      "on_time": True, "described": False, "terms": True,
                      "reports_answered": None}  # the build knows no report
    assert quality(bus, vocab, TODAY).score == 67


def test_overdue_data_fails_on_time() -> None:
    bus, vocab = dataset("jtj-0001")
    assert by_key(quality(bus, vocab, date(2027, 3, 1)))["on_time"] is False


def test_a_freshness_the_caller_worked_out_is_the_one_judged() -> None:
    # public_record hands over the update status it already has: the score
    # is the one quality() would work out itself, and it is that status's.
    bus, vocab = dataset("jtj-0001")
    late = date(2027, 3, 1)
    assert quality(bus, vocab, late, freshness=update_status(bus, vocab, late).freshness) \
        == quality(bus, vocab, late)
    assert by_key(quality(bus, vocab, TODAY, freshness=Freshness.OVERDUE))["on_time"] is False
    assert by_key(quality(bus, vocab, TODAY, freshness=Freshness.UNSCHEDULED))["on_time"] is None


def test_conditional_data_is_not_judged_on_files_held() -> None:
    social, vocab = dataset("rsj-0001")
    assert social.open_type is OpenType.CONDITIONAL
    assert by_key(quality(social, vocab, TODAY))["files_held"] is None


def test_metadata_only_entry_fails_files_held() -> None:
    bus, vocab = dataset("jtj-0001")
    entry = replace(bus, resources=(), declared_formats=("csv",))
    result = by_key(quality(entry, vocab, TODAY))
    assert result["files_held"] is False and result["machine_readable"] is True
    assert result["documented"] is None


def test_terms_need_a_licence_or_requirements_when_the_portal_has_none() -> None:
    bus, vocab = dataset("jtj-0001")
    assert by_key(quality(bus, vocab, TODAY, portal_has_terms=False))["terms"] is False
    stated = replace(bus, usage_requirements="注明来源")
    assert by_key(quality(stated, vocab, TODAY, portal_has_terms=False))["terms"] is True




def test_error_reports_past_their_deadline_fail_the_dataset() -> None:
    # 000 §25 / 004 §17: reports are answered within the period; one left
    # unanswered past it costs the dataset a criterion.
    bus, vocab = dataset("jtj-0001")
    answered = quality(bus, vocab, TODAY, overdue_reports=0)
    late = quality(bus, vocab, TODAY, overdue_reports=2)
    assert by_key(answered)["reports_answered"] is True
    assert by_key(late)["reports_answered"] is False
    assert answered.score == 71 and late.score == 57  # 5 of 7, 4 of 7
