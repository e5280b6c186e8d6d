"""Applicant identity and contact checks (domain/procedures/identity.py, 003 §24(一))."""

from __future__ import annotations

import pytest

from domain.procedures.identity import (
    IdentityKind,
    contact_problems,
    credit_code_problems,
    email_problems,
    id_number_problems,
    identity_problems,
    mask_contact,
    mask_identity,
    normalize_identity,
    phone_kind,
    phone_problems,
    validate_applicant,
)

VALID_ID = "520102199003074517"  # Guiyang 南明区, check character computed by GB 11643
VALID_ID_X = "11010519491231002X"  # the example number of GB 11643-1999
VALID_USCC = "91110000802100433B"
VALID_USCC_2 = "91520100MA6DJ1BY5U"


@pytest.mark.parametrize(("value", "expected"), [
    (VALID_ID, []),
    (VALID_ID_X, []),
    ("11010519491231002x", []),  # lower-case x
    ("５２０１０２１９９００３０７４５１７", []),  # full-width, as typed with a Chinese IME
    ("520102 19900307 4517", []),  # grouped
    ("", ["请填写身份证号码。"]),
    ("520102900307451", ["15 位身份证号码已停止使用，请填写 18 位居民身份证号码。"]),
    ("52010219900307451", ["身份证号码应为 18 位，您填写了 17 位。"]),
    ("5201021990030745171", ["身份证号码应为 18 位，您填写了 19 位。"]),
    ("52010219900307A517", ["身份证号码前 17 位只能是数字。"]),
    ("52010219900307451Y", ["身份证号码第 18 位只能是数字或字母 X。"]),
    ("520102199003074518", ["身份证号码校验位不正确，请核对第 18 位。"]),
    ("520102199002304517", ["身份证号码第 7–14 位（出生日期）不是有效日期，请核对。"]),  # 2/30
    ("520102189003074517", ["身份证号码第 7–14 位（出生日期）不是有效日期，请核对。"]),  # 1890
    ("000102199003074517", ["身份证号码前 6 位（地址码）不正确，请核对。"]),
])
def test_id_number_problems(value: str, expected: list[str]) -> None:
    assert id_number_problems(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (VALID_USCC, []),
    (VALID_USCC_2, []),
    ("91520100ma6dj1by5u", []),  # lower case is read as upper case
    ("9152 0100 MA6D J1BY 5U", []),
    ("", ["请填写统一社会信用代码。"]),
    ("9152010MA6DJ1BY5U", ["统一社会信用代码应为 18 位，您填写了 17 位。"]),
    ("91520100MA6DJ1BO5U",
     ["统一社会信用代码含有无效字符“O”：代码由数字和大写字母组成，不使用字母 I、O、S、V、Z。"]),
    ("91A20100MA6DJ1BY5U", ["统一社会信用代码第 3–8 位（登记管理机关行政区划码）应为数字。"]),
    ("91520100MA6DJ1BY5X", ["统一社会信用代码校验位不正确，请核对第 18 位。"]),
])
def test_credit_code_problems(value: str, expected: list[str]) -> None:
    assert credit_code_problems(value) == expected


def test_identity_problems_dispatches_on_the_kind() -> None:
    assert identity_problems(IdentityKind.ID_NUMBER, VALID_ID) == []
    assert identity_problems("credit_code", VALID_USCC) == []
    assert identity_problems(IdentityKind.CREDIT_CODE, VALID_ID) != []
    assert identity_problems("passport", "E12345678") == [
        "请选择证件类型：居民身份证或统一社会信用代码。"]


def test_normalize_identity() -> None:
    assert normalize_identity(" １１０１０５-19491231-002ｘ ") == VALID_ID_X


@pytest.mark.parametrize(("kind", "value", "expected"), [
    (IdentityKind.ID_NUMBER, VALID_ID, "520102********4517"),
    (IdentityKind.ID_NUMBER, "11010519491231002x", "110105********002X"),
    (IdentityKind.ID_NUMBER, "520102199003074518", "520102********4518"),  # wrong check: masked too
    (IdentityKind.CREDIT_CODE, VALID_USCC_2, "915201********BY5U"),
    (IdentityKind.ID_NUMBER, "5201021990", "5********0"),  # malformed: first and last only
    ("passport", "E12345678", "E*******8"),
    (IdentityKind.ID_NUMBER, "12345", "*****"),
    (IdentityKind.CREDIT_CODE, "", ""),
])
def test_mask_identity_never_shows_the_clear_value(kind: str, value: str, expected: str) -> None:
    assert mask_identity(kind, value) == expected


@pytest.mark.parametrize(("value", "kind"), [
    ("13812345678", "mobile"),
    ("138 1234 5678", "mobile"),
    ("138-1234-5678", "mobile"),
    ("+86 138 1234 5678", "mobile"),
    ("008613812345678", "mobile"),
    ("１３８１２３４５６７８", "mobile"),
    ("19912345678", "mobile"),
    ("0851-88888888", "landline"),  # Guiyang
    ("085188888888", "landline"),
    ("(0851) 8888 8888", "landline"),
    ("（0851）88888888", "landline"),
    ("010-62345678", "landline"),  # Beijing, 3-digit area code
    ("021 62345678", "landline"),
    ("0856-5222222", "landline"),  # 7-digit subscriber number
    ("010-62345678转123", "landline"),
    ("0851-88888888 ext. 12", "landline"),
    ("0851-88888888-123", "landline"),
    ("+86 851 8888 8888", "landline"),
    ("12812345678", None),  # 12x is not a mobile prefix
    ("1381234567", None),
    ("88888888", None),  # no area code
    ("0851-08888888", None),  # subscriber numbers do not start with 0 or 1
    ("010-12345678", None),
    ("010-1234567", None),  # Beijing numbers have 8 digits
    ("13812345678转1", None),  # mobiles have no extension
    ("wang@example.com", None),
    ("", None),
])
def test_phone_kind(value: str, kind: str | None) -> None:
    assert phone_kind(value) == kind


@pytest.mark.parametrize(("value", "expected"), [
    ("13812345678", []),
    ("0851-88888888", []),
    ("", ["请填写联系电话。"]),
    ("1381234567", ["手机号码应为 11 位，您填写了 10 位。"]),
    ("88888888", ["联系电话格式不正确：手机号码为 11 位数字（如 13812345678），"
                  "固定电话请加区号（如 0851-88888888）。"]),
])
def test_phone_problems(value: str, expected: list[str]) -> None:
    assert phone_problems(value) == expected


@pytest.mark.parametrize(("value", "ok"), [
    ("wang@example.com", True),
    ("wang.xiao-ming+portal@data.gov.cn", True),
    ("WANG＠EXAMPLE.COM", True),  # full-width @
    ("wang@data.xn--fiqs8s", True),  # .中国 in punycode
    ("", False),
    ("wang", False),
    ("wang@", False),
    ("wang@example", False),
    ("wang@@example.com", False),
    (".wang@example.com", False),
    ("wang..xm@example.com", False),
    ("wang@-example.com", False),
    ("王小明@example.com", False),
    ("wang @example.com", False),
    ("a" * 65 + "@example.com", False),
])
def test_email_problems(value: str, ok: bool) -> None:
    assert (email_problems(value) == []) is ok


def test_contact_problems_need_one_contact_and_check_each() -> None:
    assert contact_problems() == ["请至少填写一种联系方式：手机、固定电话或电子邮箱。"]
    assert contact_problems(phone="13812345678") == []
    assert contact_problems(email="wang@example.com") == []
    assert contact_problems(phone="123", email="x") == [
        phone_problems("123")[0], "电子邮箱格式不正确，请按 name@example.com 的格式填写。"]


@pytest.mark.parametrize(("value", "expected"), [
    ("13812345678", "138****5678"),
    ("+86 138-1234-5678", "138****5678"),
    ("wang@example.com", "w***@example.com"),
    ("0851-88888888", "0**********8"),
    ("", ""),
])
def test_mask_contact(value: str, expected: str) -> None:
    assert mask_contact(value) == expected


def test_validate_applicant_lists_every_problem_in_form_order() -> None:
    assert validate_applicant(name="王小明", identity_kind=IdentityKind.ID_NUMBER,
                              identity_number=VALID_ID, phone="13812345678") == []
    assert validate_applicant(name="贵州某某科技有限公司", identity_kind="credit_code",
                              identity_number=VALID_USCC_2, email="info@example.com") == []
    assert validate_applicant(name=" ", identity_kind=IdentityKind.ID_NUMBER,
                              identity_number="520102199003074518", phone="",
                              email="wang@") == [
        "请填写申请人姓名或单位名称。",
        "身份证号码校验位不正确，请核对第 18 位。",
        "电子邮箱格式不正确，请按 name@example.com 的格式填写。",
    ]
    assert validate_applicant(name="名" * 101, identity_kind=IdentityKind.ID_NUMBER,
                              identity_number=VALID_ID, phone="13812345678") == [
        "申请人姓名或单位名称不能超过 100 个字。"]
