"""The reviewer's actions are one table (review_views.ACTIONS): it covers
every action a reviewer role may take in the procedure's TRANSITIONS, and
the request page has a form for each."""

from __future__ import annotations

from pathlib import Path

from domain.procedures.request_states import TRANSITIONS, Role
from search_api.requests.review import ACTIONS

REVIEWERS = {Role.AUTHORITY_REVIEWER, Role.DEPARTMENT_REVIEWER, Role.DEPARTMENT_HEAD}
PAGE = Path(__file__).resolve().parent.parent / "search_api/templates/review/request.html"


def test_the_table_covers_every_reviewer_action() -> None:
    reviewer_actions = {a for a, (_, roles) in TRANSITIONS.items() if roles & REVIEWERS}
    assert set(ACTIONS) == reviewer_actions


def test_the_request_page_has_a_form_for_each() -> None:
    page = PAGE.read_text(encoding="utf-8")
    missing = [a.value for a in ACTIONS if f"action_form('{a.value}'" not in page]
    assert not missing, missing
