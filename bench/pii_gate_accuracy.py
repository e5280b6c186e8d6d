"""Measure the desensitization gate (domain/catalogue/desensitize.py, 003 §22).

Builds a labelled corpus from a seeded ``random.Random``: clear ID numbers,
mobiles and bank cards in varied contexts (positives: plain, in sentences and
CSV lines, grouped by any kind of space, dash, dot or slash, full-width,
digits spaced one by one), and values that look close but are not clear
personal identifiers (negatives: masked values, dates, amounts, landlines,
order numbers, credit codes, postcodes, rows of small numbers...). Then
runs the hand-written corpus of the tests (``tests/pii_corpus.py``). Runs ``find_pii`` on
every sample and prints misses and false alarms per kind and per negative
category, then the throughput on a million typical table cells.

The check characters are computed here independently of the module under
test, so a bug there shows up as misses rather than cancelling out.

Run from the repository root::

    .venv/bin/python -m bench.pii_gate_accuracy [--seed 20240101] [--cells 1000000]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from random import Random

from domain.catalogue.desensitize import PiiHit, PiiKind, find_pii

PROVINCES = [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46]
PROVINCES += [50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 91]
MOBILE_SEGMENTS = [*range(130, 140), *range(145, 150), 150, 151, 152, 153, 155, 156, 157, 158]
MOBILE_SEGMENTS += [159, 166, *range(170, 179), *range(180, 190), 191, 193, 195, 198, 199]
# (prefix, total length): UnionPay debit/credit BINs of large Chinese banks, Visa, MC, JCB.
CARD_BINS = [("622202", 19), ("622848", 19), ("621700", 19), ("623668", 19), ("622588", 16)]
CARD_BINS += [("625966", 16), ("622262", 19), ("621226", 19), ("6214", 18), ("6228", 17)]
CARD_BINS += [("4", 16), ("51", 16), ("55", 16), ("3528", 16), ("62", 19)]
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CHINESE_BEFORE = [
    "身份证号",
    "联系电话：",
    "户主张三，证件号码",
    "收款账号",
    "备注：本人",
    "申请人李四（",
    "",
]
CHINESE_AFTER = ["", "。", "，请核实", "）", "，已登记", "号"]


@dataclass(frozen=True)
class Sample:
    text: str
    kind: PiiKind | None  # None for a negative
    span: tuple[int, int] = (0, 0)
    category: str = ""


def gb11643_check(body: str) -> str:
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    return "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def luhn_check_digit(body: str) -> str:
    total = 0
    for i, char in enumerate(reversed(body)):
        d = int(char)
        if i % 2 == 0:  # doubled once the check digit is appended
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str(-total % 10)


def luhn_ok(number: str) -> bool:
    return luhn_check_digit(number[:-1]) == number[-1]


def uscc_check(body: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(body))
    return USCC_ALPHABET[-total % 31]


def digits(rng: Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def id_body(rng: Random) -> str:
    born = date(1930, 1, 1) + timedelta(days=rng.randrange(31_000))
    region = f"{rng.choice(PROVINCES)}{rng.randint(1, 20):02d}{rng.randint(1, 30):02d}"
    return f"{region}{born:%Y%m%d}{digits(rng, 3)}"


def make_id(rng: Random) -> str:
    body = id_body(rng)
    return body + gb11643_check(body)


def make_mobile(rng: Random) -> str:
    return f"{rng.choice(MOBILE_SEGMENTS)}{digits(rng, 8)}"


def make_card(rng: Random) -> str:
    prefix, length = rng.choice(CARD_BINS)
    body = prefix + digits(rng, length - len(prefix) - 1)
    return body + luhn_check_digit(body)


def org_code_check(body: str) -> str:
    """GB 11714 check character of an 8-character organisation code."""
    total = sum(int(c, 36) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    return "0123456789X0"[11 - total % 11]


def make_uscc(rng: Random, all_digits: bool = False) -> str:
    heads = ["91", "92", "93", "11", "12", "51", "52", "53", "31"] + ([] if all_digits else ["Y1"])
    head = rng.choice(heads)
    chars = "0123456789" if all_digits else "0123456789ABCDEFGHJKLMNPQRTUWXY"
    while True:
        org = "".join(rng.choice(chars) for _ in range(8))
        org += org_code_check(org)
        body = f"{head}{rng.choice(PROVINCES)}{rng.randint(0, 9999):04d}{org}"
        code = body + uscc_check(body)
        if not all_digits or code.isdigit():
            return code


def to_fullwidth(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))


def grouped(value: str, sizes: list[int], sep: str) -> str:
    parts, at = [], 0
    for size in sizes:
        parts.append(value[at : at + size])
        at += size
    if at < len(value):
        parts.append(value[at:])
    return sep.join(parts)


def place(kind: PiiKind, rng: Random, written: str, context: str) -> Sample:
    before = after = ""
    if context == "sentence":
        before, after = rng.choice(CHINESE_BEFORE), rng.choice(CHINESE_AFTER)
    elif context == "csv":
        before, after = rng.choice(
            [('"', '"'), ("张三,男,", ",北京市"), ("2024-01-01,", ",已办结")]
        )
    elif context == "float":
        after = ".0"
    text = before + written + after
    return Sample(text, kind, (len(before), len(before) + len(written)), context)


# Separators people type or paste between digit groups (issue 11): spaces of
# every kind, zero-width characters, hyphens and dashes, dots, slashes.
UNICODE_SEPARATORS = [" ", "\u3000", "\u00a0", "\u2009", "\u202f", "\u200b", "\u2060", "\ufeff",
                      "-", "\u2010", "\u2011", "\u2013", "\u2014", "\u2015", "\u2212", "\ufe58",
                      "\ufe63", "\uff0d", ".", "\u00b7", "\u30fb", "/", "\uff0f", " - ", "_"]


def positives(rng: Random, per_kind: int) -> list[Sample]:
    samples = []
    contexts = ["plain", "sentence", "csv", "separators", "fullwidth", "unicode", "spaced"]
    for i in range(per_kind):
        context = contexts[i % len(contexts)]
        sep = rng.choice(UNICODE_SEPARATORS)
        value = make_id(rng)
        written = {
            "separators": grouped(value, [6, 8], rng.choice(" -")),
            "fullwidth": to_fullwidth(value),
            "unicode": grouped(value, rng.choice([[6, 8], [4, 4, 4, 4], [3, 3, 4, 4]]), sep),
            "spaced": " ".join(value),
        }.get(context, value)
        samples.append(place(PiiKind.ID_NUMBER, rng, written, context))

        value = make_mobile(rng)
        if context == "separators":
            prefix = rng.choice(["", "+86 ", "+86", "0086-", "86 "])
            written = prefix + grouped(value, [3, 4], rng.choice([" ", "-", ""]))
        elif context == "fullwidth":
            written, context = value, "float"  # phone column exported as float
        elif context == "unicode":
            prefix = rng.choice(["", "+86" + sep, "(+86)", "0086" + sep])
            written = prefix + grouped(value, rng.choice([[3, 4], [3, 3], [4, 4]]), sep)
        elif context == "spaced":
            written = " ".join(value)
        else:
            written = value
        samples.append(place(PiiKind.MOBILE, rng, written, context))

        value = make_card(rng)
        written = {
            "separators": grouped(value, [4, 4, 4, 4], rng.choice(" -")),
            "fullwidth": to_fullwidth(value),
            "unicode": grouped(value, rng.choice([[4, 4, 4, 4], [6]]), sep),
            "spaced": " ".join(value),
        }.get(context, value)
        samples.append(place(PiiKind.BANK_CARD, rng, written, context))
    return samples


def masked_id(rng: Random) -> str:
    v = make_id(rng)
    return rng.choice(
        [
            v[:6] + "*" * 8 + v[-4:],
            v[:14] + "****",
            v[:3] + "*" * 13 + v[-2:],
            v[:6] + "×" * 8 + v[-4:],
            v[:6] + "x" * 8 + v[-4:],
            v[:1] + "*" * 16 + v[-1:],
        ]
    )


def masked_mobile(rng: Random) -> str:
    v = make_mobile(rng)
    return rng.choice(
        [
            v[:3] + "****" + v[7:],
            v[:3] + "xxxx" + v[7:],
            f"+86 {v[:3]}****{v[7:]}",
            f"{v[:3]}-****-{v[7:]}",
            "*" * 7 + v[7:],
            f"联系电话{v[:3]}****{v[7:]}",
        ]
    )


def masked_card(rng: Random) -> str:
    v = make_card(rng)
    return rng.choice(
        [
            f"{v[:4]} **** **** {v[-4:]}",
            v[:6] + "*" * (len(v) - 10) + v[-4:],
            "*" * (len(v) - 4) + v[-4:],
            f"尾号{v[-4:]}",
        ]
    )


def wrong_check_id(rng: Random) -> str:
    body = id_body(rng)
    return body + rng.choice([c for c in "0123456789X" if c != gb11643_check(body)])


def timestamp(rng: Random) -> str:
    moment = date(2000, 1, 1) + timedelta(days=rng.randrange(9000))
    clock = f"{rng.randrange(24):02d}{rng.randrange(60):02d}{rng.randrange(60):02d}"
    return rng.choice(
        [
            f"{moment:%Y%m%d}{clock}",
            f"{moment:%Y%m%d}{clock}{rng.randrange(1000):03d}",
            str(rng.randint(1_000_000_000_000, 1_800_000_000_000)),
            str(rng.randint(1_000_000_000, 1_800_000_000)),
        ]
    )


def order_number(rng: Random) -> str:
    moment = date(2015, 1, 1) + timedelta(days=rng.randrange(4000))
    return rng.choice(
        [
            f"{moment:%Y%m%d}{digits(rng, rng.randint(6, 12))}",
            f"DD{moment:%Y%m%d}{digits(rng, 8)}",
            f"NO.{moment:%Y}{digits(rng, 12)}",
        ]
    )


def landline(rng: Random) -> str:
    area = rng.choice(["010", "021", "0571", "0755", "020", "028", "0351"])
    number = str(rng.randint(2, 8)) + digits(rng, 7 if len(area) == 3 else rng.choice([6, 7]))
    return rng.choice(
        [
            f"{area}-{number}",
            f"({area}){number}",
            f"{area} {number}",
            f"{area}-{number}转{rng.randint(100, 9999)}",
            f"{area}{number}",
        ]
    )


def amount(rng: Random) -> str:
    value = rng.uniform(0, 10 ** rng.randint(3, 12))
    return rng.choice(
        [f"{value:.2f}", f"¥{value:,.2f}", f"{value:.4f}万元", f"{int(value)}元", str(int(value))]
    )  # a bare integer of 13e9..2e10 reads as a mobile


def coordinates(rng: Random) -> str:
    lng, lat = rng.uniform(73, 135), rng.uniform(18, 53)
    places = rng.choice([6, 8, 11, 14])
    return rng.choice([f"{lng:.{places}f},{lat:.{places}f}", f"{lng:.{places}f}"])


def isbn(rng: Random) -> str:
    body = "9787" + digits(rng, 8)
    check = str(-sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body)) % 10)
    return rng.choice(
        [body + check, f"978-7-{body[4:7]}-{body[7:12]}-{check}", f"ISBN {body + check}"]
    )


def run_of(rng: Random, lengths: list[int]) -> str:
    n = rng.choice(lengths)
    return str(rng.randint(1, 9)) + digits(rng, n - 1)


def luhn_invalid_16(rng: Random) -> str:
    body = str(rng.randint(3, 6)) + digits(rng, 14)
    return body + rng.choice([c for c in "0123456789" if c != luhn_check_digit(body)])


def a_date(rng: Random) -> str:
    d = date(1950, 1, 1) + timedelta(days=rng.randrange(30000))
    return rng.choice(
        [
            f"{d:%Y-%m-%d}",
            f"{d.year}年{d.month}月{d.day}日",
            f"{d:%Y%m%d}",
            f"{d:%Y/%m/%d} 12:00:00",
            f"{d:%Y-%m-%d}T08:30:00+08:00",
        ]
    )


def glued(rng: Random) -> str:
    value = rng.choice([make_id, make_mobile, make_card])(rng)
    return rng.choice([f"SN{value}", f"{value}A", f"ID{value}", f"v1.{value}"])


def separated_date(rng: Random) -> str:
    d = date(1990, 1, 1) + timedelta(days=rng.randrange(15000))
    sep = rng.choice([" ", ".", "/", "\u3000", "-"])
    return rng.choice([f"{d:%Y}{sep}{d:%m}{sep}{d:%d}",
                       f"{d:%Y}{sep}{d:%m}{sep}{d:%d} {rng.randrange(24):02d}:{rng.randrange(60):02d}",
                       f"{d:%Y.%m.%d}-{d.year + 1}.{d:%m.%d}", f"{d:%Y%m%d} 至 {d.year + 1}{d:%m%d}"])


def grouped_landline(rng: Random) -> str:
    area = rng.choice(["010", "021", "0571", "0755", "020", "028", "0851"])
    head, tail = rng.randint(2000, 8999), rng.randint(1000, 9999)
    return rng.choice([f"{area} {head} {tail}", f"({area}) {head} {tail}", f"{area}-{head}-{tail}",
                       f"{area}\u3000{head}{tail}", f"400 {rng.randint(100, 999)} {tail}"])


def grouped_order_number(rng: Random) -> str:
    moment = date(2015, 1, 1) + timedelta(days=rng.randrange(4000))
    return rng.choice([f"{moment:%Y %m%d} {digits(rng, 4)} {digits(rng, 4)}",
                       f"{moment:%Y-%m%d}-{digits(rng, 6)}", f"NO.{moment:%Y}-{digits(rng, 8)}"])


def small_numbers_row(rng: Random) -> str:
    """A row of a space- or tab-separated table of counts: digit groups that
    a separator-tolerant reader could join into a long number."""
    sep = rng.choice([" ", "\t", "  "])
    return sep.join(str(rng.randint(0, rng.choice([9, 99, 999, 9999]))) for _ in range(rng.randint(4, 12)))


def spaced_amount(rng: Random) -> str:
    value = rng.randint(10**9, 10**11)
    return rng.choice([f"{value:,}".replace(",", " ") + " 元", f"¥ {value:,}".replace(",", " "),
                       f"{value / 100:.2f}"])


NEGATIVES: dict[str, Callable[[Random], str]] = {
    "masked ID": masked_id,
    "masked mobile": masked_mobile,
    "masked card": masked_card,
    "ID layout, wrong check": wrong_check_id,
    "timestamp": timestamp,
    "order number": order_number,
    "credit code": make_uscc,
    "credit code, all digits": lambda rng: make_uscc(rng, all_digits=True),
    "landline": landline,
    "amount": amount,
    "postcode": lambda rng: rng.choice(["", "邮编"]) + f"{rng.randint(10, 86)}{digits(rng, 4)}",
    "coordinates": coordinates,
    "ISBN": isbn,
    "15-digit run": lambda rng: run_of(rng, [15]),
    "20-digit run": lambda rng: run_of(rng, [20]),
    "Luhn-invalid 16 digits": luhn_invalid_16,
    "date": a_date,
    "glued to letters": glued,
    "date, separated": separated_date,
    "landline, grouped": grouped_landline,
    "order number, grouped": grouped_order_number,
    "amount, spaced": spaced_amount,
    "row of small numbers": small_numbers_row,
}
# Honest cases: numbers of other meanings the gate cannot tell from cards;
# about 4.4% of them pass Luhn and start 3-6.
LUHN_RANDOM = "random 16-19 digits"
LUHN_INHERENT: dict[str, Callable[[Random], str]] = {
    "17-digit run": lambda rng: run_of(rng, [17]),
    LUHN_RANDOM: lambda rng: run_of(rng, [16, 17, 18, 19]),
}


def negatives(rng: Random, per_category: int) -> list[Sample]:
    return [
        Sample(make(rng), None, category=name)
        for name, make in (NEGATIVES | LUHN_INHERENT).items()
        for _ in range(per_category)
    ]


def typical_cells(rng: Random, count: int) -> list[str]:
    """Cells as they occur in government tables, with a little masked PII."""
    words = [
        "是",
        "否",
        "男",
        "女",
        "已办结",
        "办理中",
        "北京市",
        "朝阳区",
        "市场监督管理局",
        "合格",
    ]
    makers: list[Callable[[], str]] = [
        lambda: rng.choice(words),
        lambda: str(rng.randint(0, 100_000)),
        lambda: f"{rng.uniform(0, 1e7):.2f}",
        lambda: a_date(rng),
        lambda: f"北京市朝阳区建国路{rng.randint(1, 300)}号院{rng.randint(1, 20)}号楼",
        lambda: make_uscc(rng),
        lambda: f"{rng.randint(10, 86)}{digits(rng, 4)}",
        lambda: f"{rng.choice(PROVINCES)}0105{digits(rng, 6)}",  # 12-digit division code
        lambda: (
            "根据《政府信息公开条例》第"
            + str(rng.randint(1, 50))
            + "条，本单位于"
            + a_date(rng)
            + "受理申请，共计"
            + str(rng.randint(1, 999))
            + "件，现已办结并答复申请人。"
        ),
        lambda: masked_mobile(rng),
        lambda: masked_id(rng),
        lambda: landline(rng),
    ]
    weights = [25, 20, 10, 15, 8, 5, 2, 3, 5, 3, 2, 2]
    return [maker() for maker in rng.choices(makers, weights, k=count)]


def report_misses(samples: list[Sample], hits_by: list[list[PiiHit]], examples: int) -> None:
    print(f"{'kind':<10} {'positives':>9} {'misses':>7} {'miss rate':>9}")
    for kind in PiiKind:
        mine = [(s, h) for s, h in zip(samples, hits_by, strict=True) if s.kind is kind]
        # A hit counts when it is of the right kind and overlaps the written
        # value (its span may include or leave out a bracket or a "+").
        missed = [
            s for s, h in mine
            if not any(x.kind is kind and x.start < s.span[1] and s.span[0] < x.end for x in h)
        ]
        print(f"{kind:<10} {len(mine):>9} {len(missed):>7} {len(missed) / len(mine):>9.3%}")
        for s in missed[:examples]:
            print(f"    missed [{s.category}]: {s.text!r}")
    extra = sum(len(h) - 1 for s, h in zip(samples, hits_by, strict=True) if s.kind and h)
    print(f"extra hits on positive cells: {extra}")


def report_false_alarms(samples: list[Sample], hits_by: list[list[PiiHit]], examples: int) -> None:
    print(f"{'negative category':<26} {'samples':>7} {'alarms':>7} {'rate':>7}  by kind")
    totals: dict[bool, Counter[str]] = {False: Counter(), True: Counter()}
    for category in [*NEGATIVES, *LUHN_INHERENT]:
        mine = [(s, h) for s, h in zip(samples, hits_by, strict=True) if s.category == category]
        kinds = Counter(str(x.kind) for _, h in mine for x in h)
        bad = [s for s, h in mine if h]
        print(
            f"{category:<26} {len(mine):>7} {len(bad):>7} {len(bad) / len(mine):>7.2%}  "
            + ", ".join(f"{k}={n}" for k, n in sorted(kinds.items()))
        )
        inherent = category in LUHN_INHERENT
        for s in bad[: 0 if inherent else examples]:
            print(f"    false alarm: {s.text!r}")
        totals[inherent].update(kinds | {"samples": len(mine), "alarms": len(bad)})
    for inherent, label in [(False, "close negatives"), (True, "Luhn-inherent negatives")]:
        t = totals[inherent]
        print(
            f"{'all ' + label:<26} {t['samples']:>7} {t['alarms']:>7} "
            f"{t['alarms'] / t['samples']:>7.2%}  " + ", ".join(f"{k}={t[k]}" for k in PiiKind)
        )

    luhn = [s for s in samples if s.category == LUHN_RANDOM and luhn_ok(s.text)]
    card_like = [s for s in luhn if s.text[0] in "3456"]
    flagged_like = sum(1 for s in card_like if find_pii(s.text))
    print(
        f"\nof the {LUHN_RANDOM}: {len(luhn)} pass Luhn, {len(card_like)} of those start 3-6, "
        f"{flagged_like} flagged as cards ({flagged_like / max(1, len(card_like)):.1%});"
    )
    print("  a random number passes Luhn 1 time in 10 and starts 3-6 4 times in 9, so about")
    print("  4.4% of random 16-19-digit numbers are flagged; mask them or use ignore={BANK_CARD}.")


def report_18_digit_cards(rng: Random, count: int) -> None:
    """18-digit cards are the one length the ID-layout and credit-code exclusions touch."""
    missed = 0
    for _ in range(count):
        body = rng.choice(["62", "4", "5", "35"]) + digits(rng, 18 - 1 - 1)
        body = body[:17]
        if not find_pii(body + luhn_check_digit(body)):
            missed += 1
    print(
        f"18-digit cards missed (ID layout or credit code): {missed} of {count:,} "
        f"({missed / count:.2%})"
    )


def report_test_corpus(examples: int) -> None:
    """The hand-written corpus of the tests (tests/pii_corpus.py): every
    writing of each kind, and the close negatives, with the counts."""
    from tests.pii_corpus import negatives as corpus_negatives
    from tests.pii_corpus import positives as corpus_positives

    writings = corpus_positives()
    print(f"{'kind':<10} {'writings':>9} {'misses':>7}")
    for kind in PiiKind:
        mine = [w for w in writings if w.kind == kind.value]
        missed = [w for w in mine if not any(h.kind is kind for h in find_pii(w.text))]
        print(f"{kind:<10} {len(mine):>9} {len(missed):>7}")
        for w in missed[:examples]:
            print(f"    missed [{w.how}]: {w.text!r}")
    close = corpus_negatives(per_kind=20)
    alarms = [w for w in close if find_pii(w.text)]
    categories = len({w.how for w in close})
    print(f"close negatives: {len(close)} in {categories} categories, {len(alarms)} false alarms "
          f"({len(alarms) / len(close):.2%})")
    for w in alarms[:examples]:
        print(f"    false alarm [{w.how}]: {w.text!r}")


def throughput(cells: list[str], label: str) -> None:
    start = time.perf_counter()
    for cell in cells:
        find_pii(cell)
    elapsed = time.perf_counter() - start
    print(
        f"{label}: {len(cells):,} cells in {elapsed:.3f} s "
        f"({len(cells) / elapsed:,.0f} cells/s, {elapsed / len(cells) * 1e9:.0f} ns/cell)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20240101)
    parser.add_argument("--per-kind", type=int, default=2500, help="positives per kind")
    parser.add_argument("--per-category", type=int, default=700, help="negatives per category")
    parser.add_argument("--cells", type=int, default=1_000_000, help="typical cells to time")
    parser.add_argument("--examples", type=int, default=3, help="examples printed per row")
    args = parser.parse_args()

    rng = Random(args.seed)
    samples = positives(rng, args.per_kind) + negatives(rng, args.per_category)
    print(
        f"seed {args.seed}: {sum(s.kind is not None for s in samples):,} positives, "
        f"{sum(s.kind is None for s in samples):,} negatives\n"
    )
    hits_by = [find_pii(sample.text) for sample in samples]
    report_misses(samples, hits_by, args.examples)
    print()
    report_false_alarms(samples, hits_by, args.examples)
    report_18_digit_cards(rng, 20_000)
    print("\nlabelled corpus of the tests (tests/pii_corpus.py):")
    report_test_corpus(args.examples)
    print()
    throughput([s.text for s in samples], "labelled corpus")
    throughput(typical_cells(rng, args.cells), "typical cells  ")


if __name__ == "__main__":
    main()
