"""Labelled corpus of personal identifiers as people really write them.

Each of the three kinds (resident ID number, mobile number, bank card number)
is written in at least 60 ways: every kind of space (ASCII, ideographic
U+3000, no-break, thin, narrow no-break), zero-width and other format
characters, every kind of hyphen and dash, dots and middle dots, slashes,
brackets, full-width digits, country prefixes, digits spaced one by one,
float exports, and Chinese sentences around them. :data:`NEGATIVES` holds
close negatives the detector must let through: dates, amounts, landlines,
order numbers, unified social credit codes, postcodes, masked values, ID
numbers with a wrong check character, Luhn-invalid card numbers.

The values are generated here with their own check characters (GB 11643 MOD
11-2, Luhn), independently of ``domain.catalogue.desensitize``, from a fixed seed, so
the corpus is the same on every run. Used by ``tests/test_pii_corpus.py``,
``tests/api/test_moderation_pii.py`` and ``bench/pii_gate_accuracy.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from random import Random

ID = "id-number"
MOBILE = "mobile"
CARD = "bank-card"
KINDS = (ID, MOBILE, CARD)

PROVINCES = [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
             50, 51, 52, 53, 54, 61, 62, 63, 64, 65]


@dataclass(frozen=True)
class Writing:
    """One labelled text: ``kind`` is None for a negative; ``how`` says what
    the writing shows (for messages)."""

    text: str
    kind: str | None
    how: str


def id_check(body: str) -> str:
    """GB 11643-1999 check character of 17 digits (ISO 7064 MOD 11-2)."""
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(body))
    return "10X98765432"[total % 11]


def luhn_digit(body: str) -> str:
    """The digit that makes ``body`` + digit Luhn-valid."""
    total = 0
    for i, d in enumerate(reversed(body)):
        n = int(d) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return str(-total % 10)


def make_id(rng: Random, *, check: str | None = None) -> str:
    """A valid resident ID number; with ``check``, one whose check character
    is exactly that (e.g. ``"X"``)."""
    while True:
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(25_000))
        body = (f"{rng.choice(PROVINCES)}{rng.randint(1, 20):02d}{rng.randint(1, 30):02d}"
                f"{born:%Y%m%d}{rng.randrange(1000):03d}")
        if check is None or id_check(body) == check:
            return body + id_check(body)


def make_mobile(rng: Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10)}{rng.randrange(10 ** 8):08d}"


def make_card(rng: Random, length: int = 19, prefix: str = "622202") -> str:
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    return body + luhn_digit(body)


def group(value: str, sizes: list[int], sep: str) -> str:
    parts, at = [], 0
    for size in sizes:
        parts.append(value[at:at + size])
        at += size
    if at < len(value):
        parts.append(value[at:])
    return sep.join(p for p in parts if p)


def fullwidth(text: str) -> str:
    return text.translate(str.maketrans("0123456789+-X ", "０１２３４５６７８９＋－Ｘ\u3000"))


# Separators people type or paste between groups of digits.
SEPARATORS: dict[str, str] = {
    "space": " ",
    "two spaces": "  ",
    "ideographic space U+3000": "\u3000",
    "no-break space": "\u00a0",
    "en space": "\u2002",
    "thin space": "\u2009",
    "narrow no-break space": "\u202f",
    "tab": "\t",
    "zero-width space": "\u200b",
    "zero-width non-joiner": "\u200c",
    "zero-width joiner": "\u200d",
    "word joiner": "\u2060",
    "byte-order mark": "\ufeff",
    "soft hyphen": "\u00ad",
    "hyphen-minus": "-",
    "hyphen U+2010": "\u2010",
    "non-breaking hyphen": "\u2011",
    "figure dash": "\u2012",
    "en dash": "\u2013",
    "em dash": "\u2014",
    "horizontal bar": "\u2015",
    "minus sign": "\u2212",
    "small em dash": "\ufe58",
    "small hyphen-minus": "\ufe63",
    "full-width hyphen-minus": "\uff0d",
    "spaced hyphen": " - ",
    "dot": ".",
    "full-width dot": "\uff0e",
    "middle dot": "\u00b7",
    "katakana middle dot": "\u30fb",
    "bullet": "\u2022",
    "slash": "/",
    "full-width slash": "\uff0f",
    "backslash": "\\",
    "underscore": "_",
    "wave dash": "\u301c",
    "full-width tilde": "\uff5e",
    "space and zero-width space": " \u200b",
}


def _id_forms(rng: Random) -> list[tuple[str, str]]:
    forms = [(f"6-8-4 by {name}", group(make_id(rng), [6, 8], sep))
             for name, sep in SEPARATORS.items()]
    x_id = make_id(rng, check="X")
    forms += [
        ("plain", make_id(rng)),
        ("check character X", x_id),
        ("check character x", x_id[:-1] + "x"),
        ("X, 6-8-4 by U+3000", group(x_id, [6, 8], "\u3000")),
        ("full-width digits", fullwidth(make_id(rng))),
        ("full-width digits and X", fullwidth(x_id)),
        ("full-width, 6-8-4 by U+3000", fullwidth(group(make_id(rng), [6, 8], " "))),
        ("in fours", group(make_id(rng), [4, 4, 4, 4], " ")),
        ("3-3-4-4-4", group(make_id(rng), [3, 3, 4, 4], " ")),
        ("digits spaced one by one", " ".join(make_id(rng))),
        ("digits and X spaced one by one", " ".join(x_id)),
        ("6-4-4-4 by hyphens", group(make_id(rng), [6, 4, 4], "-")),
        ("6-8-4 mixed space and dash", (lambda v: f"{v[:6]} {v[6:14]}-{v[14:]}")(make_id(rng))),
        ("region in brackets", (lambda v: f"({v[:6]}){v[6:]}")(make_id(rng))),
        ("full-width brackets", (lambda v: f"（{v[:6]}）{v[6:14]}（{v[14:]}）")(make_id(rng))),
        ("zero-width between every digit", "\u200b".join(make_id(rng))),
        ("Arabic-Indic digits", make_id(rng).translate(str.maketrans("0123456789",
                                                                     "٠١٢٣٤٥٦٧٨٩"))),
    ]
    return forms


def _mobile_forms(rng: Random) -> list[tuple[str, str]]:
    forms = [(f"3-4-4 by {name}", group(make_mobile(rng), [3, 4], sep))
             for name, sep in SEPARATORS.items()]
    forms += [
        ("plain", make_mobile(rng)),
        ("+86", "+86" + make_mobile(rng)),
        ("+86 and space", "+86 " + make_mobile(rng)),
        ("+86-, 3-4-4 by hyphens", "+86-" + group(make_mobile(rng), [3, 4], "-")),
        ("0086 and space", "0086 " + make_mobile(rng)),
        ("(+86)", "(+86)" + make_mobile(rng)),
        ("full-width (＋86)", "（＋86）" + make_mobile(rng)),
        ("+86 and U+3000, 3-4-4", "+86\u3000" + group(make_mobile(rng), [3, 4], "\u3000")),
        ("86-", "86-" + make_mobile(rng)),
        ("full-width digits", fullwidth(make_mobile(rng))),
        ("full-width +86 and digits", fullwidth("+86 " + group(make_mobile(rng), [3, 4], " "))),
        ("4-4-3", group(make_mobile(rng), [4, 4], " ")),
        ("3-8", group(make_mobile(rng), [3], "-")),
        ("3-3-5", group(make_mobile(rng), [3, 3], " ")),
        ("digits spaced one by one", " ".join(make_mobile(rng))),
        ("area in brackets", (lambda v: f"({v[:3]}){v[3:7]}-{v[7:]}")(make_mobile(rng))),
        ("spreadsheet float", make_mobile(rng) + ".0"),
        ("zero-width between every digit", "\u200b".join(make_mobile(rng))),
        ("3-4-4 by dots", group(make_mobile(rng), [3, 4], ".")),
    ]
    return forms


def _card_forms(rng: Random) -> list[tuple[str, str]]:
    forms = [(f"19 digits in fours by {name}", group(make_card(rng), [4, 4, 4, 4], sep))
             for name, sep in SEPARATORS.items()]
    forms += [
        ("plain, 19 digits", make_card(rng)),
        ("plain, 16 digits", make_card(rng, 16, "622588")),
        ("Visa, in fours", group(make_card(rng, 16, "4"), [4, 4, 4], " ")),
        ("Mastercard, in fours by hyphens", group(make_card(rng, 16, "51"), [4, 4, 4], "-")),
        ("18 digits, in fours", group(make_card(rng, 18, "6214"), [4, 4, 4, 4], " ")),
        ("17 digits", make_card(rng, 17, "6228")),
        ("6-13", group(make_card(rng), [6], " ")),
        ("6-6-7", group(make_card(rng), [6, 6], " ")),
        ("full-width digits", fullwidth(make_card(rng))),
        ("full-width digits in fours", fullwidth(group(make_card(rng), [4, 4, 4, 4], " "))),
        ("digits spaced one by one", " ".join(make_card(rng, 16, "622588"))),
        ("zero-width between every digit", "\u200b".join(make_card(rng))),
        ("16 digits in fours by U+3000", group(make_card(rng, 16, "625966"), [4, 4, 4],
                                               "\u3000")),
    ]
    return forms


# Sentences around a value, as in a remark cell, a demand or a message.
SENTENCES: dict[str, list[str]] = {
    ID: ["身份证号：{}", "申请人张三（身份证{}）已到场核验。", "证件号码为{}，请核对",
         "户主李四，公民身份号码 {}；家庭住址略"],
    MOBILE: ["联系电话：{}", "如有疑问请拨打{}，工作日可联系。", "手机 {}（王女士）",
             "联系人：赵先生，{}"],
    CARD: ["收款账号：{}（工商银行）", "请将款项汇至{}，户名张三。", "银行卡号 {}",
           "退款账户{}已核实"],
}


def positives(seed: int = 11) -> list[Writing]:
    """Every writing of every kind, as a lone cell and inside a sentence."""
    rng = Random(seed)
    found: list[Writing] = []
    for kind, forms in ((ID, _id_forms(rng)), (MOBILE, _mobile_forms(rng)),
                        (CARD, _card_forms(rng))):
        for number, (how, text) in enumerate(forms):
            found.append(Writing(text, kind, how))
            sentence = SENTENCES[kind][number % len(SENTENCES[kind])]
            found.append(Writing(sentence.format(text), kind, f"{how}, in a sentence"))
    return found


def _wrong_check_id(rng: Random) -> str:
    value = make_id(rng)
    return value[:17] + next(c for c in "0123456789X" if c != value[17])


def _luhn_invalid(rng: Random) -> str:
    value = make_card(rng)
    return value[:-1] + str((int(value[-1]) + 1) % 10)


NEGATIVE_MAKERS: dict[str, Callable[[Random], str]] = {
    "date": lambda r: f"{r.randint(1990, 2030)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}",
    "date with time": lambda r: f"2024-03-{r.randint(10, 28)} 13:{r.randint(10, 59)}:00",
    "date range with dots": lambda r: f"2019.01.{r.randint(10, 31)}-2019.12.31",
    "date range with spaces": lambda r: f"2024 03 {r.randint(10, 28)} 至 2024 12 31",
    "timestamp": lambda r: f"2024031{r.randint(0, 9)}1345{r.randint(10, 59)}",
    "Chinese date": lambda r: f"{r.randint(1990, 2030)}年{r.randint(1, 12)}月{r.randint(1, 28)}日",
    "amount with yuan": lambda r: f"{r.randint(10 ** 10, 10 ** 11 - 1)}元",
    "amount with currency sign": lambda r: f"¥{r.randint(13 * 10 ** 9, 19 * 10 ** 9)}",
    "amount, thousands": lambda r: f"￥{r.randint(10 ** 9, 10 ** 10):,}.00",
    "amount with decimals": lambda r: f"{r.randint(13 * 10 ** 9, 19 * 10 ** 9)}.{r.randint(10, 99)}",
    "amount in 万元": lambda r: f"{r.randint(13 * 10 ** 9, 19 * 10 ** 9)} 万元",
    "decimal fraction": lambda r: f"0.{r.randint(13 * 10 ** 9, 19 * 10 ** 9)}",
    "landline": lambda r: f"0851-{r.randint(8000_0000, 8999_9999)}",
    "landline in brackets": lambda r: f"(010) {r.randint(6000, 6999)} {r.randint(1000, 9999)}",
    "landline with extension": lambda r: f"0755-8888 {r.randint(1000, 9999)} 转 {r.randint(100, 999)}",
    "service number": lambda r: f"400-{r.randint(100, 999)}-{r.randint(1000, 9999)}",
    "order number with letters": lambda r: f"DD2024031500{r.randint(10 ** 7, 10 ** 8 - 1)}",
    "order number, grouped": lambda r: f"订单号 2024 0315 {r.randint(1000, 9999)} {r.randint(1000, 9999)}",
    "credit code": lambda r: r.choice(["91350100M000100Y43", "9144030071526726XG",
                                        "91330100716105852F", "91110000802100433B"]),
    "all-digit credit code": lambda r: "521100005000109770",
    "postcode": lambda r: f"邮编 {r.randint(100000, 860000)}",
    "postcode spaced": lambda r: f"{r.randint(100, 860)} {r.randint(100, 999)}",
    "masked ID": lambda r: (lambda v: f"{v[:6]}********{v[-4:]}")(make_id(r)),
    "masked ID with spaces": lambda r: (lambda v: f"{v[:6]} ******** {v[-4:]}")(make_id(r)),
    "masked mobile": lambda r: (lambda v: f"{v[:3]}****{v[-4:]}")(make_mobile(r)),
    "masked mobile, 3-4-4": lambda r: (lambda v: f"{v[:3]} **** {v[-4:]}")(make_mobile(r)),
    "masked card": lambda r: (lambda v: f"{v[:4]} **** **** {v[-4:]}")(make_card(r)),
    "ID with a wrong check character": _wrong_check_id,
    "ID, wrong check, 6-8-4": lambda r: group(_wrong_check_id(r), [6, 8], "\u3000"),
    "Luhn-invalid card": _luhn_invalid,
    "Luhn-invalid card in fours": lambda r: group(_luhn_invalid(r), [4, 4, 4, 4], " "),
    "ID glued to letters": lambda r: "ID" + make_id(r),
    "mobile glued to letters": lambda r: "SN" + make_mobile(r) + "A",
    "10-digit number": lambda r: f"{r.randint(13 * 10 ** 8, 19 * 10 ** 8)}",
    "12-digit number": lambda r: f"{r.randint(13 * 10 ** 10, 19 * 10 ** 10)}",
    "mobile-like number with more groups": lambda r: group(make_mobile(r) + "9012", [3, 4, 4],
                                                           " "),
    "ISBN": lambda r: f"978-7-{r.randint(100, 999)}-{r.randint(10000, 99999)}-{r.randint(0, 9)}",
    "IP address": lambda r: f"192.168.{r.randint(100, 255)}.{r.randint(100, 255)}",
    "coordinates": lambda r: f"{r.uniform(100, 120):.6f},{r.uniform(20, 40):.6f}",
    "version": lambda r: f"v13.8.{r.randint(1000, 9999)}",
    "administrative division code": lambda r: f"{r.choice(PROVINCES)}0105{r.randint(100000, 999999)}",
}


def negatives(seed: int = 12, per_kind: int = 3) -> list[Writing]:
    """``per_kind`` close negatives of each category."""
    rng = Random(seed)
    return [Writing(make(rng), None, how)
            for how, make in NEGATIVE_MAKERS.items() for _ in range(per_kind)]
