"""docs/periods.md is the generated table of every period per profile, and current."""

from __future__ import annotations

import subprocess
import sys

from domain.periods.period_table import markdown, rows
from domain.periods.profiles import PROFILES
from tests.conftest import REPO

DOC = REPO / "docs" / "periods.md"


def test_the_periods_table_in_docs_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == markdown() + "\n", (
        "docs/periods.md is stale: run `portal periods --out docs/periods.md`")


def test_portal_periods_check_fails_on_a_stale_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    stale = tmp_path / "periods.md"
    stale.write_text("# old\n", encoding="utf-8")
    run = [sys.executable, "-m", "portal", "periods", "--out", str(stale), "--check"]
    assert subprocess.run(run, cwd=REPO, capture_output=True).returncode == 1
    subprocess.run(run[:-1], cwd=REPO, check=True, capture_output=True)
    assert subprocess.run(run, cwd=REPO, capture_output=True).returncode == 0


def test_every_profile_and_period_is_in_the_table() -> None:
    text = DOC.read_text(encoding="utf-8")
    for key, profile in PROFILES.items():
        assert f"## `{key}` — {profile.name}" in text
        for row in rows(profile):
            assert f"`{row.spec.field}`" in text


def test_the_table_says_where_each_provider_period_starts() -> None:
    text = DOC.read_text(encoding="utf-8")
    regulation = text.split("## `guizhou-regulation`")[1].split("## ")[0]
    assert "| 规范性审核（大数据主管部门） | `normative_review` | none (no such step)" in regulation
    assert ("| 15 (+15) | receipt of the application on the platform (a formal check runs "
            "inside the period and cannot move its end) | 003 §25 para 2 |") in regulation
    assert "| 15 | the day the third party received the letter | bureau policy, modelled on " \
           "003-pre §25 |" in regulation
    measures = text.split("## `guizhou-measures`")[1].split("## ")[0]
    assert "| 10 | forwarding to the provider after the review | 000 §31 |" in measures
