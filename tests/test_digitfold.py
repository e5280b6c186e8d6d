"""domain/catalogue/digitfold.py: the normalisation the personal-data detector reads
through, with every folded character traced to its original position."""

from __future__ import annotations

import pytest

from domain.catalogue.digitfold import _ASCII_RUN, _tables, compact, fold, may_hold_digit_run


@pytest.mark.parametrize(("text", "folded"), [
    ("１３８\u3000００１３", "138 0013"),  # full-width digits, ideographic space
    ("138\u200b0013\u2060\ufeff8000", "13800138000"),  # format characters dropped
    ("138\u00a00013", "138 0013"),  # no-break space
    ("\uff0886\uff09", "(86)"),  # full-width brackets
    ("138\ufe630013\uff0d8000", "138-0013-8000"),
    ("٠١٢٣٤٥٦٧٨٩", "0123456789"),  # Arabic-Indic digits
    ("身份证号", "身份证号"),
])
def test_fold(text: str, folded: str) -> None:
    assert fold(text).text == folded


def test_positions_lead_back_to_the_original() -> None:
    text = "电话：１３８\u200b００１３"
    result = fold(text)
    start = result.text.index("138")
    assert result.span(start, len(result.text)) == (3, len(text))
    assert fold("ascii 123").origin is None and fold("中文").origin is None


def test_compact_compares_writings() -> None:
    assert compact("０８５１－８８８８ ８８８８") == compact("0851\u200b88888888") == "085188888888"
    assert compact("e12345678") == "E12345678"


@pytest.mark.parametrize(("text", "holds"), [
    ("13800138000", True), ("138 0013 8000", True), ("１３８\u3000００１３\u3000８０００", True),
    ("1 3 8 0 0 1 3 8 0 0 0", True), ("2024-01-01 12:00", False), ("1380013800", False),
    ("138：0013：8000", False),  # a colon is no separator
])
def test_prefilter(text: str, holds: bool) -> None:
    assert may_hold_digit_run(text) is holds


def test_ascii_fast_path_has_the_same_separators() -> None:
    ascii_separators = {c for c in _tables().separators if c.isascii()} | set("+0123456789")
    assert {chr(c) for c in range(128) if _ASCII_RUN.fullmatch(chr(c) * 11)} == ascii_separators
