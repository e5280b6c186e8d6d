"""Tests for the desensitization gate (domain/catalogue/desensitize.py, 003 §22)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from domain.catalogue.desensitize import PiiHit, PiiKind, find_pii
from domain.catalogue.pii_identifiers import (
    id_number_is_valid,
    luhn_is_valid,
    mask_id_number,
    mask_mobile,
    unified_credit_code_is_valid,
)
from tests.python_source import parse

ID = PiiKind.ID_NUMBER
MOBILE = PiiKind.MOBILE
CARD = PiiKind.BANK_CARD

# 11010519491231002X is the worked example of GB 11643-1999 itself.
VALID_ID = "110101199003074514"

# (cell text, [(kind, text[start:end]), ...])
DETECTED: list[tuple[str, list[tuple[PiiKind, str]]]] = [
    ("11010519491231002X", [(ID, "11010519491231002X")]),
    ("11010519491231002x", [(ID, "11010519491231002x")]),
    (VALID_ID, [(ID, VALID_ID)]),
    (f"身份证号{VALID_ID}", [(ID, VALID_ID)]),
    (f"申请人身份证号：{VALID_ID}。", [(ID, VALID_ID)]),
    ("110101 19900307 4514", [(ID, "110101 19900307 4514")]),
    ("110101-19900307-4514", [(ID, "110101-19900307-4514")]),
    ("110101200002290018", [(ID, "110101200002290018")]),  # 29 Feb 2000
    (f'"{VALID_ID}",张三,男', [(ID, VALID_ID)]),
    ("13812345678", [(MOBILE, "13812345678")]),
    ("14512345678", [(MOBILE, "14512345678")]),
    ("19912345678", [(MOBILE, "19912345678")]),
    ("联系电话13812345678，工作日可拨打", [(MOBILE, "13812345678")]),
    ("+8613812345678", [(MOBILE, "+8613812345678")]),
    ("+86 138 1234 5678", [(MOBILE, "+86 138 1234 5678")]),
    ("(+86)13812345678", [(MOBILE, "+86)13812345678")]),
    ("0086-138-1234-5678", [(MOBILE, "0086-138-1234-5678")]),
    ("8613812345678", [(MOBILE, "8613812345678")]),
    ("86 13812345678", [(MOBILE, "86 13812345678")]),
    ("138-1234-5678", [(MOBILE, "138-1234-5678")]),
    ("138 1234 5678", [(MOBILE, "138 1234 5678")]),
    ("13812345678.0", [(MOBILE, "13812345678")]),  # phone column rendered as float
    # Normalised first (issue 11): any separator between digits, full-width
    # and zero-width characters; the span is the value as written.
    ("440306\u3000198503124519", [(ID, "440306\u3000198503124519")]),
    ("440306/19850312/4519", [(ID, "440306/19850312/4519")]),
    ("1 1 0 1 0 5 1 9 4 9 1 2 3 1 0 0 2 X", [(ID, "1 1 0 1 0 5 1 9 4 9 1 2 3 1 0 0 2 X")]),
    ("138.0013.8000", [(MOBILE, "138.0013.8000")]),
    ("138\u20140013\u20148000", [(MOBILE, "138\u20140013\u20148000")]),
    ("138\u200b0013\u200b8000", [(MOBILE, "138\u200b0013\u200b8000")]),
    ("1 3 8 0 0 1 3 8 0 0 0", [(MOBILE, "1 3 8 0 0 1 3 8 0 0 0")]),
    ("（＋86）138\u00a00013\u00a08000", [(MOBILE, "＋86）138\u00a00013\u00a08000")]),
    ("138 0013 8000 x 2", [(MOBILE, "138 0013 8000")]),
    ("13800138000/13900139000", [(MOBILE, "13800138000"), (MOBILE, "13900139000")]),
    ("138 0013 8000 139 0013 9000", [(MOBILE, "138 0013 8000"), (MOBILE, "139 0013 9000")]),
    ("6200\u30000000\u30000000\u30000005", [(CARD, "6200\u30000000\u30000000\u30000005")]),
    ("电话：１３８１２３４５６７８", [(MOBILE, "１３８１２３４５６７８")]),
    ("tel:13812345678", [(MOBILE, "13812345678")]),
    ("张三13812345678、李四13912345679", [(MOBILE, "13812345678"), (MOBILE, "13912345679")]),
    ("6200000000000005", [(CARD, "6200000000000005")]),
    ("6200 0000 0000 0005", [(CARD, "6200 0000 0000 0005")]),
    ("6200-0000-0000-0005", [(CARD, "6200-0000-0000-0005")]),
    ("4111111111111111", [(CARD, "4111111111111111")]),
    ("5555555555554444", [(CARD, "5555555555554444")]),
    ("3530111333300000", [(CARD, "3530111333300000")]),
    ("6222021001115555556", [(CARD, "6222021001115555556")]),
    ("6222 0210 0111 5555 556", [(CARD, "6222 0210 0111 5555 556")]),
    ("3101 0119 9003 0710 09", [(CARD, "3101 0119 9003 0710 09")]),  # ID layout, in fours
    ("收款账号6217001234567890122（工商银行）", [(CARD, "6217001234567890122")]),
    (
        f"张三，{VALID_ID}，13812345678，6200000000000005",
        [(ID, VALID_ID), (MOBILE, "13812345678"), (CARD, "6200000000000005")],
    ),
]

PASSED: list[tuple[str, str]] = [
    ("110101********1234", "masked ID"),
    ("11010119900307****", "masked ID, tail"),
    ("110101××××××××1234", "masked ID with ×"),
    ("110101xxxxxxxx1234", "masked ID with x"),
    ("1101011990030745**", "partly masked ID"),
    ("138****5678", "masked mobile"),
    ("138××××5678", "masked mobile with ×"),
    ("138xxxx5678", "masked mobile with x"),
    ("6222 **** **** 1234", "masked card"),
    ("6222021001115555***", "partly masked card"),
    ("张*", "masked name"),
    ("110101199003074516", "ID with a wrong check digit"),
    ("110101189003074515", "ID born before 1900"),
    ("110101199002300014", "ID born on 30 Feb"),
    ("101101199003074513", "ID with no such province"),
    ("ID110101199003074514", "ID glued to letters"),
    ("110101199003074514abc", "ID followed by letters"),
    ("A13812345678", "mobile glued to a letter"),
    ("138123456789", "12-digit run"),
    ("1381234567", "10-digit run"),
    ("12345678901", "11 digits not starting 13-19"),
    ("8613812345678901", "mobile inside a longer run"),
    ("138 1234 5678 9012", "3-4-4 grouping followed by another group"),
    ("20240101123456", "timestamp"),
    ("1712345678901", "millisecond epoch"),
    ("2024010112345670", "Luhn-valid order number starting with 2"),
    ("202401011234567890", "18-digit order number"),
    ("310101199003071009", "Luhn-valid ID-shaped number with a wrong check digit"),
    ("91110000802100433B", "unified social credit code"),
    ("521100005000109770", "all-digit Luhn-valid unified social credit code"),
    ("0571-87654321", "landline"),
    ("010-12345678转8001", "landline with extension"),
    ("12345678901.25", "amount with a fraction"),
    ("15234567890.00", "amount with two decimals"),
    ("15234567890元", "amount in yuan"),
    ("13812345678万元", "amount in ten thousands"),
    ("￥13812345678", "amount after a currency sign"),
    ("0.13812345678", "fraction digits"),
    ("116.397128,39.916527", "coordinates"),
    ("978-7-111-12345-6", "ISBN with hyphens"),
    ("9787111123456", "ISBN-13"),
    ("100086", "postcode"),
    ("4111111111111112", "Luhn-invalid 16 digits"),
    ("4111 1111 1111 1111 1111", "five groups of four"),
    ("12345678901234567890", "20-digit run"),
    ("2024-01-01 12:34:56", "date and time"),
    ("2019.01.01-2019.12.31", "date range with dots"),
    ("13800.138000", "two groups joined by one dot: a decimal"),
    ("31.230416666666667", "latitude with float noise"),
    ("6222 0235 1305 5436 430", "a mobile-like tail of a longer grouped number"),
    ("0755 8888 8888", "grouped landline"),
    ("¥ 138 0013 8000", "amount after a currency sign, grouped"),
    ("", "empty"),
]


def spans(text: str, hits: list[PiiHit]) -> list[tuple[PiiKind, str]]:
    return [(hit.kind, text[hit.start : hit.end]) for hit in hits]


@pytest.mark.parametrize(("text", "expected"), DETECTED)
def test_find_pii_detects(text: str, expected: list[tuple[PiiKind, str]]) -> None:
    assert spans(text, find_pii(text)) == expected


@pytest.mark.parametrize(("text", "why"), PASSED)
def test_find_pii_passes(text: str, why: str) -> None:
    assert find_pii(text) == [], why


@pytest.mark.parametrize(("text", "expected"), DETECTED)
def test_preview_hides_the_value(text: str, expected: list[tuple[PiiKind, str]]) -> None:
    lengths = {ID: {18}, MOBILE: {11}, CARD: {16, 17, 18, 19}}
    for hit in find_pii(text):
        preview = hit.masked_preview
        assert len(preview) in lengths[hit.kind]
        assert preview[3:-2] == "*" * (len(preview) - 5)


def test_hit_positions_and_preview() -> None:
    assert find_pii(f"身份证号{VALID_ID}") == [PiiHit(ID, 4, 22, "110*************14")]
    assert find_pii("+86 138 1234 5678") == [PiiHit(MOBILE, 0, 17, "138******78")]


@pytest.mark.parametrize(
    ("text", "ignore", "expected"),
    [
        ("4111111111111111", {CARD}, []),
        ("13812345678", {MOBILE}, []),
        (VALID_ID, {ID}, []),  # an ignored ID is not re-read as a card
        (f"{VALID_ID} 13812345678", {ID}, [(MOBILE, "13812345678")]),
        ("13812345678 4111111111111111", {MOBILE}, [(CARD, "4111111111111111")]),
        ("13812345678", set(PiiKind), []),
    ],
)
def test_find_pii_ignore(
    text: str, ignore: set[PiiKind], expected: list[tuple[PiiKind, str]]
) -> None:
    assert spans(text, find_pii(text, ignore=frozenset(ignore))) == expected


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("11010519491231002X", True),
        ("11010519491231002x", True),
        (VALID_ID, True),
        ("440306198512311236", True),
        ("110101200002290018", True),
        ("110101199003074516", False),  # wrong check character
        ("440524188001010014", False),  # standard's example, but born 1880
        ("11010519491231002", False),
        ("11010519491231002X0", False),
        (" 11010519491231002X", False),
        ("101101199003074513", False),  # no province 10
        ("110101190002290011", False),  # 1900 was not a leap year
        ("１１０１０５１９４９１２３１００２X", False),
        ("11010519491231002Y", False),
        ("", False),
    ],
)
def test_id_number_is_valid(value: str, valid: bool) -> None:
    assert id_number_is_valid(value) is valid


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("79927398713", True),
        ("4111111111111111", True),
        ("378282246310005", True),
        ("6200000000000005", True),
        ("6011111111111117", True),
        ("0", True),
        ("79927398710", False),
        ("4111111111111112", False),
        ("4111 1111 1111 1111", False),
        ("", False),
        ("４１１１１１１１１１１１１１１１", False),
    ],
)
def test_luhn_is_valid(digits: str, valid: bool) -> None:
    assert luhn_is_valid(digits) is valid


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("91350100M000100Y43", True),
        ("9144030071526726XG", True),
        ("91330100716105852F", True),
        ("91110000802100433B", True),
        ("521100005000109770", True),
        ("91110000802100433C", False),
        ("91110000802100433b", False),
        ("9111000080210043B", False),
        ("91AB0000802100433B", False),  # region code must be digits
        ("9135010OM000100Y43", False),  # O is not in the alphabet
        ("", False),
    ],
)
def test_unified_credit_code_is_valid(code: str, valid: bool) -> None:
    assert unified_credit_code_is_valid(code) is valid


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        (VALID_ID, "110101********4514"),
        ("11010519491231002X", "110105********002X"),
        ("110101900307451", "110101*****7451"),
    ],
)
def test_mask_id_number(value: str, masked: str) -> None:
    assert mask_id_number(value) == masked
    assert find_pii(masked) == []


@pytest.mark.parametrize(
    "value", ["", "1101011990030745", "11010119900307451Y", "110101********4514"]
)
def test_mask_id_number_rejects(value: str) -> None:
    with pytest.raises(ValueError, match="not an ID number"):
        mask_id_number(value)


@pytest.mark.parametrize(
    "value", ["13812345678", "+86 138-1234-5678", "008613812345678", "8613812345678"]
)
def test_mask_mobile(value: str) -> None:
    assert mask_mobile(value) == "138****5678"
    assert find_pii(mask_mobile(value)) == []


@pytest.mark.parametrize(
    "value", ["", "12812345678", "1381234567", "138****5678", "+1 138 1234 5678"]
)
def test_mask_mobile_rejects(value: str) -> None:
    with pytest.raises(ValueError, match="not a mainland mobile number"):
        mask_mobile(value)


@pytest.mark.parametrize(
    "module", ["desensitize.py", "pii_identifiers.py", "digitfold.py", "links.py"]
)
def test_module_imports_only_the_standard_library(module: str) -> None:
    source = Path(__file__).parents[1] / "domain" / "catalogue" / module
    tree = parse(source)
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported <= set(sys.stdlib_module_names) | {"__future__", "domain"}
