"""Applicant identity and contact checks for the conditional-open request form.

An application names the applicant, proves who they are and says how to reach
them (003 §24(一): 申请人的姓名或者名称、身份证明、联系方式). Natural persons
are identified by their resident ID number, legal persons and other
organisations by their unified social credit code (000 §14, 003 §12, 004 §14).

The checks themselves live in :mod:`domain.catalogue.desensitize` (one implementation of
GB 11643 and GB 32100 for the whole portal); this module turns a failed check
into a message the public can act on, in Chinese, naming the position to look
at. Identity numbers and contacts are personal information (SPEC §7): show and
log them only through :func:`mask_identity` / :func:`mask_contact`.

Input is read leniently before it is checked: full-width characters typed with
a Chinese input method become ASCII (NFKC), spaces and hyphens inside an
identity number are dropped and letters are upper-cased (``x`` → ``X``).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from enum import StrEnum
from typing import Literal

from domain.catalogue.pii_identifiers import (
    id_number_is_valid,
    mask_id_number,
    mask_mobile,
    unified_credit_code_is_valid,
)

__all__ = [
    "IdentityKind",
    "contact_problems",
    "credit_code_problems",
    "email_problems",
    "id_number_problems",
    "identity_problems",
    "mask_contact",
    "mask_identity",
    "normalize_identity",
    "phone_kind",
    "phone_problems",
    "validate_applicant",
]

NAME_MAX = 100  # characters; an organisation's registered name fits easily


class IdentityKind(StrEnum):
    """The identity document of an applicant (003 §24(一) 身份证明)."""

    ID_NUMBER = "id_number"  # 居民身份证号码, natural persons (003 §12)
    CREDIT_CODE = "credit_code"  # 统一社会信用代码, legal persons and organisations (003 §12)


# GB 32100-2015: digits and upper-case letters except I, O, S, V, Z.
_USCC_ALPHABET = frozenset("0123456789ABCDEFGHJKLMNPQRTUWXY")
_ID_CHECK_CHARS = "0123456789X"
_INSIDE_SEPARATORS = re.compile(r"[\s\-]")


def normalize_identity(value: str) -> str:
    """``value`` as the checks read it: NFKC (full-width → ASCII), without
    spaces or hyphens, upper-cased. Never raises."""
    return _INSIDE_SEPARATORS.sub("", unicodedata.normalize("NFKC", value)).upper()


def _ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def id_number_problems(value: str) -> list[str]:
    """Why ``value`` is not a valid 18-character resident ID number, in
    Chinese for the applicant; empty when it is valid. At most one message:
    the first fault found, the most basic first. Never raises."""
    v = normalize_identity(value)
    if not v:
        return ["请填写身份证号码。"]
    if id_number_is_valid(v):
        return []
    if len(v) == 15 and _ascii_digits(v):
        return ["15 位身份证号码已停止使用，请填写 18 位居民身份证号码。"]
    if len(v) != 18:
        return [f"身份证号码应为 18 位，您填写了 {len(v)} 位。"]
    if not _ascii_digits(v[:17]):
        return ["身份证号码前 17 位只能是数字。"]
    if v[17] not in _ID_CHECK_CHARS:
        return ["身份证号码第 18 位只能是数字或字母 X。"]
    # The layout (region, birth date) is right exactly when some check
    # character makes the number valid; then only the check character
    # disagrees with the other 17 digits.
    if any(id_number_is_valid(v[:17] + c) for c in _ID_CHECK_CHARS):
        return ["身份证号码校验位不正确，请核对第 18 位。"]
    if not _birth_date_ok(v[6:14]):
        return ["身份证号码第 7–14 位（出生日期）不是有效日期，请核对。"]
    return ["身份证号码前 6 位（地址码）不正确，请核对。"]


def _birth_date_ok(yyyymmdd: str) -> bool:
    # The same span desensitize accepts: 1900..2099.
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return 1900 <= born.year <= 2099


def credit_code_problems(value: str) -> list[str]:
    """Why ``value`` is not a valid unified social credit code (GB 32100),
    in Chinese; empty when it is valid. At most one message. Never raises."""
    v = normalize_identity(value)
    if not v:
        return ["请填写统一社会信用代码。"]
    if unified_credit_code_is_valid(v):
        return []
    if len(v) != 18:
        return [f"统一社会信用代码应为 18 位，您填写了 {len(v)} 位。"]
    bad = sorted({c for c in v if c not in _USCC_ALPHABET})
    if bad:
        return [
            f"统一社会信用代码含有无效字符“{'、'.join(bad)}”：代码由数字和大写字母组成，"
            "不使用字母 I、O、S、V、Z。"
        ]
    if not _ascii_digits(v[2:8]):
        return ["统一社会信用代码第 3–8 位（登记管理机关行政区划码）应为数字。"]
    # Every other rule holds, so only the check character can be wrong.
    return ["统一社会信用代码校验位不正确，请核对第 18 位。"]


def identity_problems(kind: IdentityKind | str, value: str) -> list[str]:
    """The problems of ``value`` read as an identity of ``kind``, in Chinese.
    An unknown ``kind`` is itself a problem. Never raises."""
    if kind == IdentityKind.ID_NUMBER:
        return id_number_problems(value)
    if kind == IdentityKind.CREDIT_CODE:
        return credit_code_problems(value)
    return ["请选择证件类型：居民身份证或统一社会信用代码。"]


def mask_identity(kind: IdentityKind | str, value: str) -> str:
    """``value`` masked for display and logs (SPEC §7): an ID number keeps its
    first 6 and last 4 characters (``mask_id_number``), a credit code its
    first 6 (registration authority, type, region) and last 4. Anything
    else, including a malformed value or an unknown ``kind``, keeps at most
    its first and last character. Never raises, so that an error path never
    falls back to logging the clear value."""
    v = normalize_identity(value)
    if kind == IdentityKind.ID_NUMBER:
        try:
            return mask_id_number(v)
        except ValueError:
            pass
    elif kind == IdentityKind.CREDIT_CODE and len(v) == 18:
        return v[:6] + "*" * 8 + v[-4:]
    return _mask_any(v)


def _mask_any(v: str) -> str:
    if len(v) < 6:
        return "*" * len(v)
    return v[0] + "*" * (len(v) - 2) + v[-1]


# --- contacts ---------------------------------------------------------------

# Mainland mobile numbers: 1[3-9] + 9 digits, optionally with a country prefix.
_MOBILE = re.compile(r"(?:\+86|0086|86)?(1[3-9][0-9]{9})")
# Landlines: area code with its trunk 0, then the subscriber number, which
# never starts with 0 or 1. Beijing (010) and the 02x areas use 3-digit area
# codes and 8-digit numbers; the other areas 4-digit codes and 7 or 8 digits.
_LANDLINE = re.compile(r"0(?:10|2[0-9])[2-9][0-9]{7}|0[3-9][0-9]{2}[2-9][0-9]{6,7}")
_EXTENSION = re.compile(r"(.+?)\s*(?:转|分机|ext\.?|x|#)\s*([0-9]{1,6})", re.IGNORECASE)
_PHONE_SEPARATORS = re.compile(r"[\s\-()]")
_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})"
)


def _national_landline(digits: str) -> str:
    """``+86 851…`` / ``0086 851…`` written internationally → ``0851…``."""
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            return "0" + digits[len(prefix) :]
    return digits


def phone_kind(value: str) -> Literal["mobile", "landline"] | None:
    """``"mobile"`` or ``"landline"`` when ``value`` is a mainland phone
    number, else None. Accepted forms: ``13812345678``, ``+86 138 1234 5678``,
    ``0851-88888888``, ``(0851) 8888 8888``, ``010-12345678转123``,
    ``0851-88888888-123`` (an extension after a complete number). Full-width
    characters are read as ASCII. Never raises."""
    text = unicodedata.normalize("NFKC", value).strip()
    extension = _EXTENSION.fullmatch(text)
    main = extension.group(1) if extension else text
    digits = _PHONE_SEPARATORS.sub("", main)
    if not extension and _MOBILE.fullmatch(digits):
        return "mobile"
    if _LANDLINE.fullmatch(_national_landline(digits)):
        return "landline"
    head, dash, tail = main.rpartition("-")
    if not extension and dash and _ascii_digits(tail) and len(tail) <= 6:
        if _LANDLINE.fullmatch(_national_landline(_PHONE_SEPARATORS.sub("", head))):
            return "landline"
    return None


def phone_problems(value: str) -> list[str]:
    """Why ``value`` is not a mainland mobile or landline number, in Chinese;
    empty when it is one. Never raises."""
    if not value.strip():
        return ["请填写联系电话。"]
    if phone_kind(value) is not None:
        return []
    digits = _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", value))
    if _ascii_digits(digits) and digits.startswith("1") and len(digits) != 11:
        return [f"手机号码应为 11 位，您填写了 {len(digits)} 位。"]
    return [
        "联系电话格式不正确：手机号码为 11 位数字（如 13812345678），"
        "固定电话请加区号（如 0851-88888888）。"
    ]


def email_problems(value: str) -> list[str]:
    """Why ``value`` is not a usable e-mail address, in Chinese; empty when
    it is one. Full-width characters (``＠``) are read as ASCII. Never raises."""
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        return ["请填写电子邮箱。"]
    if len(text) > 254 or not _EMAIL.fullmatch(text) or len(text.split("@")[0]) > 64:
        return ["电子邮箱格式不正确，请按 name@example.com 的格式填写。"]
    return []


def contact_problems(phone: str = "", email: str = "") -> list[str]:
    """The problems of an applicant's contacts: at least one of a phone
    number and an e-mail address, each valid when given. Never raises."""
    if not phone.strip() and not email.strip():
        return ["请至少填写一种联系方式：手机、固定电话或电子邮箱。"]
    problems: list[str] = []
    if phone.strip():
        problems += phone_problems(phone)
    if email.strip():
        problems += email_problems(email)
    return problems


def mask_contact(value: str) -> str:
    """A phone number or e-mail address masked for display and logs: a mobile
    as ``138****5678``, an e-mail as ``z***@example.com``, anything else
    keeping at most its first and last character. Never raises."""
    text = unicodedata.normalize("NFKC", value).strip()
    if phone_kind(text) == "mobile":
        return mask_mobile(_PHONE_SEPARATORS.sub("", text))
    if not email_problems(text):
        local, _, domain = text.partition("@")
        return f"{local[0]}***@{domain}"
    return _mask_any(_PHONE_SEPARATORS.sub("", text))


def validate_applicant(
    *,
    name: str,
    identity_kind: IdentityKind | str,
    identity_number: str,
    phone: str = "",
    email: str = "",
) -> list[str]:
    """Every problem of the applicant part of a request form (003 §24(一)),
    in Chinese for the public and in the order of the form; empty when the
    applicant part can be accepted. Never raises.

    ``phone`` may be a mobile or a landline number; at least one of
    ``phone`` and ``email`` is required.
    """
    problems: list[str] = []
    if not name.strip():
        problems.append("请填写申请人姓名或单位名称。")
    elif len(name.strip()) > NAME_MAX:
        problems.append(f"申请人姓名或单位名称不能超过 {NAME_MAX} 个字。")
    problems += identity_problems(identity_kind, identity_number)
    problems += contact_problems(phone, email)
    return problems
