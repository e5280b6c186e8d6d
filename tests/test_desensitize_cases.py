"""Boundary cases of the desensitization gate (domain/catalogue/desensitize.py) where
each negative case fails for the one reason it names.

The ID numbers below carry the right check character unless a case says
otherwise: :func:`check_char` computes it independently of the module (the
weights of GB 11643-1999 are 2^(17-i) mod 11, the check is ISO 7064 MOD 11-2),
so a case meant to show a bad birth date is not rejected for its check
character instead.
"""

from __future__ import annotations

import pytest

from domain.catalogue.desensitize import (
    PiiHit,
    PiiKind,
    find_pii,
    id_number_is_valid,
    luhn_is_valid,
    mask_pii_text,
)
from domain.catalogue.pii_identifiers import (
    mask_id_number,
    mask_mobile,
    unified_credit_code_is_valid,
)

ID = PiiKind.ID_NUMBER
MOBILE = PiiKind.MOBILE
CARD = PiiKind.BANK_CARD


def check_char(body: str) -> str:
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(body))
    return "10X98765432"[total % 11]


def id_number(region: str, birth: str, sequence: str = "001") -> str:
    body = region + birth + sequence
    assert len(body) == 17
    return body + check_char(body)


def test_the_check_character_helper_agrees_with_the_standards_example() -> None:
    assert id_number("110105", "19491231", "002") == "11010519491231002X"


@pytest.mark.parametrize(("birth", "valid"), [
    ("19000229", False),  # 1900 was not a leap year (divisible by 100)
    ("19040229", True),  # 1904 was
    ("20000229", True),  # 2000 was (divisible by 400)
    ("20230229", False),
    ("20240229", True),
    ("20230228", True),
    ("19000101", True),  # the first day accepted
    ("18991231", False),
    ("20991231", True),  # the last day accepted
    ("21000101", False),
    ("20230131", True),
    ("20230431", False),  # April has 30 days
    ("20230430", True),
    ("20231131", False),
    ("20231231", True),
    ("20230001", False),  # no month 0
    ("20231301", False),  # no month 13
    ("20230100", False),  # no day 0
    ("20230132", False),
])
def test_birth_dates(birth: str, valid: bool) -> None:
    number = id_number("110101", birth)
    assert id_number_is_valid(number) is valid, number


@pytest.mark.parametrize(("region", "valid"), [
    ("110101", True), ("910101", True), ("710101", True), ("820000", True),
    ("101101", False), ("920101", False), ("000000", False), ("190101", False),
])
def test_province_codes(region: str, valid: bool) -> None:
    assert id_number_is_valid(id_number(region, "19900307")) is valid


def test_only_the_check_character_is_wrong() -> None:
    good = id_number("110101", "19900307", "451")
    assert id_number_is_valid(good)
    for wrong in "0123456789X":
        if wrong != good[-1]:
            assert not id_number_is_valid(good[:-1] + wrong), wrong


def test_lower_case_x_is_the_check_character_x() -> None:
    x_number = "11010519491231002x"
    assert id_number_is_valid(x_number) and id_number_is_valid(x_number.upper())


def test_id_numbers_are_18_ascii_characters() -> None:
    good = id_number("110101", "19900307", "451")
    assert not id_number_is_valid(good[:17])
    assert not id_number_is_valid(good + "1")
    assert not id_number_is_valid("１" + good[1:])  # full-width digit
    assert not id_number_is_valid(good[:10] + "A" + good[11:])


@pytest.mark.parametrize(("digits", "valid"), [
    ("18", True),  # the second digit from the right is doubled: 2 + 8
    ("81", False),  # 7 + 1
    ("59", True),  # 1 + 9 (5 doubled is 10, digits summed)
    ("95", False),
    ("00", True),
    ("1", False),
    ("4111111111111111", True),
])
def test_luhn_doubles_every_second_digit_from_the_right(digits: str, valid: bool) -> None:
    assert luhn_is_valid(digits) is valid


@pytest.mark.parametrize(("code", "valid"), [
    ("91350100M000100Y43", True),
    ("91350100M000100Y4", False),  # 17 characters
    ("91350100M000100Y433", False),  # 19 characters
    ("9135010AM000100Y43", False),  # region code with a letter
    ("91350100M000100I43", False),  # I is not in the alphabet
])
def test_unified_credit_codes(code: str, valid: bool) -> None:
    assert unified_credit_code_is_valid(code) is valid


def test_masks() -> None:
    assert mask_id_number("11010519491231002x") == "110105********002x"
    assert mask_mobile("0086 138 1234 5678") == "138****5678"
    assert mask_mobile("86-138-1234-5678") == "138****5678"
    for wrong in ("8613812345678X", "008613812345", "12812345678", "23812345678"):
        with pytest.raises(ValueError, match="^not a mainland mobile number: expected 11 digits starting 13-19$"):
            mask_mobile(wrong)
    with pytest.raises(ValueError, match="expected 15 or 18 characters, got 16"):
        mask_id_number("1101011990030745")


def test_mask_pii_text_masks_every_identifier_and_keeps_the_rest() -> None:
    text = "张三，身份证110101199003074514，电话+86 138 1234 5678，卡号6200000000000005。"
    assert mask_pii_text(text) == \
        "张三，身份证110*************14，电话138******78，卡号620***********05。"
    assert mask_pii_text(text, ignore=frozenset({CARD, ID})) == \
        "张三，身份证110101199003074514，电话138******78，卡号6200000000000005。"
    assert mask_pii_text("没有个人信息") == "没有个人信息"


@pytest.mark.parametrize(("text", "expected"), [
    ("13812345678 元", []),  # an amount even with a space before 元
    ("¥ 13812345678", []),
    ("$13812345678", []),
    ("编号13812345678亿", []),
    ("13812345678 人", [(MOBILE, "13812345678")]),
    ("008613812345678", [(MOBILE, "008613812345678")]),
    ("008713812345678", []),  # 15 digits, not 0086 + a mobile
    ("8713812345678", []),  # 13 digits, not 86 + a mobile
    ("12812345678", []),
    ("6222021001115555556", [(CARD, "6222021001115555556")]),  # 19 digits
    ("62220210011155555562", []),  # 20 digits
    ("7222021001115555554", []),  # a Luhn-valid 19-digit number starting 7
    ("2200000000000004", []),
    ("3101 0119 9003 0710 09", [(CARD, "3101 0119 9003 0710 09")]),
    ("310101199003071009", []),  # the same, ID-shaped without separators
])
def test_find_pii_edges(text: str, expected: list[tuple[PiiKind, str]]) -> None:
    assert [(h.kind, text[h.start:h.end]) for h in find_pii(text)] == expected


def test_hit_positions_index_the_original_text() -> None:
    text = "电话：１３８１２３４５６７８。"
    assert find_pii(text) == [PiiHit(MOBILE, 3, 14, "138******78")]
    assert find_pii("x 8613812345678") == [PiiHit(MOBILE, 2, 15, "138******78")]
    assert find_pii("+8613812345678") == [PiiHit(MOBILE, 0, 14, "138******78")]
    card = "卡 6222 0210 0111 5555 556"
    assert find_pii(card) == [PiiHit(CARD, 2, len(card), "622**************56")]


# 18-digit numbers laid out like unified social credit codes (GB 32100-2015),
# all Luhn-valid: only a plausible, valid credit code is excused from being
# read as a card (the module docstring).
@pytest.mark.parametrize(("number", "expected"), [
    ("516100003072437609", []),  # a valid code: organisation type 1, region 61
    ("511000004745756740", []),  # region 10: central level
    ("511100008627627704", []),  # organisation check digit 0 (weighted sum ≡ 0 mod 11)
    ("661100004217400829", [CARD]),  # organisation type 6 is not in use
    ("510000003529297881", [CARD]),  # region 00 is no province
    ("511100004831116535", [CARD]),  # the organisation check digit is wrong
])
def test_only_a_plausible_credit_code_is_not_a_card(number: str,
                                                    expected: list[PiiKind]) -> None:
    assert luhn_is_valid(number) and unified_credit_code_is_valid(number)
    assert [h.kind for h in find_pii(number)] == expected


@pytest.mark.parametrize("code", [
    "91A50100M000100Y42",  # a letter in the region code, check character right
    "9135010AM000100Y4K",
    "9I350100M000100Y43",  # I is not in the alphabet (it would stand for 1)
    "9144030071526726IG",  # nor for X (29 ≡ -2 mod 31)
])
def test_credit_codes_refused_whatever_their_check_character(code: str) -> None:
    assert not unified_credit_code_is_valid(code)


def test_a_mobile_prefix_is_dropped_once_and_only_at_its_length() -> None:
    with pytest.raises(ValueError, match=r"^not a mainland mobile number: expected 11 digits "
                                         r"starting 13-19$"):
        mask_mobile("00868613812345678")


@pytest.mark.parametrize(("text", "expected"), [
    ("1-3800138000", []),  # a one-digit group before a longer one
    ("13-8-0013-8000", []),
    ("138-0013-8-000", []),
    ("1-38-0013-8000", []),
    ("0.138 0013 8000", []),  # the fractional part of a decimal
    ("138 0013 8000 X", [(MOBILE, "138 0013 8000")]),  # a lone X after it is a word
    # Written in fours (three groups or more, all but the last of four digits),
    # an ID-shaped run is a card; otherwise the ID layout excuses it.
    ("3101 0119 9003071009", [(CARD, "3101 0119 9003071009")]),
    ("3101 01199003071009", []),
    ("3101 01199 003071009", []),
    ("3101 0119 90030 71009", []),
])
def test_grouping_rules(text: str, expected: list[tuple[PiiKind, str]]) -> None:
    assert [(h.kind, text[h.start:h.end]) for h in find_pii(text)] == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("金额￥13812345678", []),  # a currency sign after other text
    ("金额 ¥ 13812345678", []),
    ("第1号：13812345678", [(MOBILE, "13812345678")]),  # a short number before it
    ("12 34 56，13812345678", [(MOBILE, "13812345678")]),
])
def test_what_comes_before_a_number(text: str, expected: list[tuple[PiiKind, str]]) -> None:
    assert [(h.kind, text[h.start:h.end]) for h in find_pii(text)] == expected
