"""No acknowledged write is lost (issue #6), small and fast: the real
service under gunicorn, 40 filings in flight (requests, and one in five a
data error report through the JSON API) plus third parties and reviewers,
the master and all workers SIGKILLed twice and restarted, on SQLite and on
PostgreSQL; then every acknowledged write is looked up and the audit chain
verified. The full run is ``python -m bench.crash.run``."""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bench.crash import identity
from bench.crash.run import Options, run_database
from bench.crash.verify import verify
from domain.procedures.identity import IdentityKind, identity_problems
from tests.api.conftest import index_once
from tests.store.conftest import PG_URL, postgres_unreachable

SMALL = Options(in_flight=40, kills=2, seconds=6, processes=2, workers=2, threads=8,
                prepare=8, answerers=2, reviewers=1, grace=30, pg_url=PG_URL)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory,
          built_sample: Path) -> tuple[Path, dict[str, Path]]:
    """What ``bench.crash.run.build_site`` makes (``portal build datasets
    --index``: the site, its search database and labels), from the sample
    built once for the run: the site is only read."""
    out = tmp_path_factory.mktemp("crash")
    paths = {"site": built_sample, "search_db": out / "search.sqlite3",
             "labels": out / "labels.json"}
    index_once({"CATALOG_JSON": str(built_sample / "catalog.json"),
                "SEARCH_DB": str(paths["search_db"]), "LABELS_FILE": str(paths["labels"])})
    return out, paths


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_no_acknowledged_write_is_lost_across_kills(
        kind: str, built: tuple[Path, dict[str, Path]]) -> None:
    if kind == "postgresql" and (reason := postgres_unreachable()) is not None:
        pytest.skip(reason)
    out, paths = built
    result = run_database(kind, SMALL, paths, out)
    v = result.verdict
    assert len(result.kills) == 2 and all(k["processes"] >= 2 for k in result.kills)
    assert result.submissions_acked > 40 and result.answers_acked > 0 \
        and result.reviews_acked > 0 and result.reports_acked > 5, result.to_json()
    assert v.acked_reports == result.reports_acked and v.stored_reports >= v.acked_reports
    assert result.lost == 0 and not v.lost_reports, v.failures
    assert not v.unexplained_duplicates and not v.duplicate_numbers, v.failures
    assert not v.unexplained_report_duplicates and not v.unknown_report_markers, v.failures
    assert v.audit_problems == [] and not v.without_audit and not v.audit_short, v.failures
    assert not v.reports_without_audit and not v.reports_without_notice, v.failures
    assert result.ok, (v.failures, result.client_errors)

    if kind == "sqlite":
        # The check is not vacuous: an acknowledged number that is not
        # stored, and an altered audit record, are both found.
        url = result.url
        ghost = {"marker": "crash-" + "0" * 32, "acked": True, "number": "YH-20991231-9999",
                 "attempts": 1}
        assert len(verify(result.settings, [ghost], [], [], []).lost) == 1
        # The same for reports: a number never stored, and a stored number
        # claimed with another marker.
        # (Without the contact: only numbers and markers are checked here.)
        report = {**_acked_reports(out)[0], "contact": ""}
        ghost_report = {**report, "number": "JC-20991231-9999"}
        other_marker = {**report, "marker": "crash-" + "1" * 32}
        lost = verify(result.settings, [], [], [], [], [report, ghost_report, other_marker])
        assert len(lost.lost_reports) == 2 and report["number"] in lost.lost_reports[1], \
            lost.lost_reports
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            db.execute("DROP TRIGGER audit_log_no_update")  # the tables are append-only
            db.execute("UPDATE audit_log SET detail = '{\"altered\":1}' WHERE seq = 2")
        assert verify(result.settings, [], [], [], []).audit_problems


def _acked_reports(out: Path) -> list[dict[str, Any]]:
    """The acknowledged reports the client processes of the last run wrote down."""
    found = [r for path in sorted((out / "sqlite").glob("client-*.json"))
             for r in json.loads(path.read_text())["reports"] if r["acked"]]
    assert found
    return found


def test_generated_identities_are_valid() -> None:
    rng = random.Random(6)
    for _ in range(2000):
        assert identity_problems(IdentityKind.ID_NUMBER, identity.id_number(rng)) == []
        assert identity_problems(IdentityKind.CREDIT_CODE, identity.credit_code(rng)) == []
    assert identity.id_check_char("11010519491231002") == "X"  # the tests' known number
