"""Citations in Chinese, only of the deployment's regulation, and the
recipients of overdue reminders with their basis per profile."""

from __future__ import annotations

import pytest

from domain.periods.citations import basis_text, cite, cite_own
from domain.periods.profiles import PROFILES
from search_api.mail.supervision import targets
from search_api.web.law_text import LawText


def test_codes_become_full_titles_and_chinese_numerals() -> None:
    assert cite("003 §25 para 3") == "《贵州省政府数据共享开放条例》第二十五条第三款"
    assert cite("000 §36(四)") == "《贵州省政务数据资源管理办法》第三十六条第（四）项"
    assert cite("003-pre §25") == "《贵州省政府数据共享开放条例》修订前第二十五条"
    assert cite_own("000 §31, 003 §25, 004 §31", "004") == "《万州区政务数据资源管理办法》第三十一条"
    assert cite_own("002 §38", "003") == ""


@pytest.mark.parametrize(("basis", "regulation", "text"), [
    ("003 §25 para 2", "003", "《贵州省政府数据共享开放条例》第二十五条第二款"),
    ("policy", "003", "本局规定"),
    ("policy: 003-pre §25", "003", "本局规定（参照《贵州省政府数据共享开放条例》修订前第二十五条）"),
    ("policy: 000 §43", "000", "本局规定（参照《贵州省政务数据资源管理办法》第四十三条）"),
    ("policy: 000 §43", "004", "本局规定"),  # never another jurisdiction's text
    ("002 §38", "003", "本局规定"),
])
def test_basis_text(basis: str, regulation: str, text: str) -> None:
    assert basis_text(basis, regulation) == text


@pytest.mark.parametrize(("profile", "to_authority", "to_department"), [
    ("foshan", "《佛山市政务数据资源管理办法（试行）》第四十四条", "本局规定"),
    ("guizhou-measures", "本局规定（参照《贵州省政务数据资源管理办法》第四十三条）",
     "本局规定（参照《贵州省政务数据资源管理办法》第四十三条）"),
    ("wanzhou", "本局规定", "本局规定"),
])
def test_reminders_reach_four_recipients_each_with_its_basis(
        profile: str, to_authority: str, to_department: str) -> None:
    p, law = PROFILES[profile], LawText(PROFILES[profile])
    got = [(t.role, t.address, law.basis(t.basis))
           for t in targets(p, "jtj", "department_reviewer")]
    assert got == [("department_reviewer", "department:jtj", to_department),
                   ("department_head", "department_head:jtj", to_department),
                   ("data_officer", "data_officer:jtj", to_department),
                   ("authority_reviewer", "authority", to_authority)]
    # The authority's own period (review, formal check) goes to the authority only.
    assert [t.address for t in targets(p, "jtj", "authority_reviewer")] == ["authority"]
