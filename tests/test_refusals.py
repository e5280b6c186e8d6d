"""Every refusal of the request procedure has a stable code and one Chinese
sentence (search_api/requests/refusals.py), checked against the domain's source: no
code without a sentence, no sentence for a code that is never raised, and
no sentence naming a value its error does not carry."""

from __future__ import annotations

import ast
import re
import string
from datetime import date
from pathlib import Path

import pytest

from domain.procedures.request_states import (
    ApplicationIncomplete,
    EventOutOfOrder,
    IllegalTransition,
    RoleNotAllowed,
    RuleViolation,
)
from search_api.requests.refusals import FALLBACK, PROCEDURE, RULES, chinese_number, cite, refusal
from tests.python_source import parse

DOMAIN = Path(__file__).resolve().parent.parent / "domain"


def raised_codes() -> dict[str, list[set[str]]]:
    """code → the keyword names passed with it, at each place it is raised."""
    found: dict[str, list[set[str]]] = {}
    for path in sorted(DOMAIN.rglob("*.py")):
        for node in ast.walk(parse(path)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "RuleViolation":
                keywords = {k.arg: k.value for k in node.keywords if k.arg}
                code = keywords.get("code")
                assert isinstance(code, ast.Constant), f"{path.name}:{node.lineno} has no code"
                found.setdefault(str(code.value), []).append(set(keywords) - {"code"})
    return found


def test_every_raised_code_has_exactly_one_chinese_sentence() -> None:
    codes = raised_codes()
    assert set(codes) == set(RULES), (set(codes) ^ set(RULES))
    duplicated = {c: len(sites) for c, sites in codes.items() if len(sites) > 1}
    assert not duplicated, f"codes raised at several places: {duplicated}"


@pytest.mark.parametrize("code", sorted(RULES))
def test_each_sentence_names_only_values_its_error_carries(code: str) -> None:
    fields = {name for _, name, _, _ in string.Formatter().parse(RULES[code]) if name}
    for params in raised_codes()[code]:
        assert fields <= params, f"{code}: the sentence names {fields - params}"
    # Chinese for people: no English word outside the placeholders.
    assert not re.search(r"[A-Za-z]{3,}", re.sub(r"\{\w+\}", "", RULES[code])), code


def test_refusal_translates_the_code_and_cites_the_article() -> None:
    exc = RuleViolation("third party 'p1' answered on 2026-10-23 ...", "003 §25",
                        code="third-party-answer-late", party="p1", on=date(2026, 10, 23),
                        due=date(2026, 10, 22), period=15)
    assert refusal(exc) == ("已超过答复期限：期限（15 个工作日）已于 2026-10-22 届满，2026-10-23 "
                            "的答复属逾期答复，未予记录。（依据：《贵州省政府数据共享开放条例》第二十五条）")
    vetoed = RuleViolation("...", "002 §38", code="third-party-consent-missing", parties="p1, p2")
    assert refusal(vetoed).startswith("第三方 p1, p2 未同意开放。")
    assert refusal(vetoed).endswith("（依据：《佛山市政务数据资源管理办法（试行）》第三十八条）")


def test_other_procedure_errors_and_unknown_codes() -> None:
    assert refusal(IllegalTransition("cannot approve")) == PROCEDURE["illegal-transition"]
    assert refusal(RoleNotAllowed("no")) == PROCEDURE["role-not-allowed"]
    assert refusal(EventOutOfOrder("no")) == PROCEDURE["event-out-of-order"]
    assert refusal(ApplicationIncomplete(["请填写数据用途。", "请填写使用范围。"])) == (
        "申请材料不完整：请填写数据用途。请填写使用范围。")
    assert refusal(RuleViolation("new rule", code="not-in-the-table")) == FALLBACK
    assert refusal(RuleViolation("x", code="third-party-answer-late")) == FALLBACK  # no params


@pytest.mark.parametrize(("articles", "expected"), [
    ("003 §25", "《贵州省政府数据共享开放条例》第二十五条"),
    ("000 §31, 004 §31", "《贵州省政务数据资源管理办法》第三十一条、《万州区政务数据资源管理办法》第三十一条"),
    ("000 §36(四)", "《贵州省政务数据资源管理办法》第三十六条第（四）项"),
    ("002 §38", "《佛山市政务数据资源管理办法（试行）》第三十八条"),
    ("003 §9", "《贵州省政府数据共享开放条例》第九条"),
    ("003 §10", "《贵州省政府数据共享开放条例》第十条"),
])
def test_cite(articles: str, expected: str) -> None:
    assert cite(articles) == expected


def test_chinese_numbers() -> None:
    assert [chinese_number(n) for n in (1, 10, 11, 20, 25, 40, 99)] == [
        "一", "十", "十一", "二十", "二十五", "四十", "九十九"]
