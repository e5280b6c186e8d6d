"""Recognising a catalogue's columns by their values, not only their names.

Every portal names its columns differently (开放属性 / 开放条件 / 开放类型 /
开放状态 for the open type), and some name them wrongly (a column called 开放条件
that holds 无条件开放). So each column's values are scored against what each
field holds: open-type words (with their one-character typos, 无条件开发),
the catalogue's themes and update frequencies, department names, dates and
format lists. The score is the share of the column's non-empty rows that fit.

The rules, in order (``detect``):
1. the open type goes to the column with the most open-type values (at least
   ``OPEN_TYPE_MIN`` of its rows), whatever its header says: values win over
   headers, and the plan notes it;
2. a column whose header names a field keeps it unless rule 1 took it, or its
   values fit that field poorly while fitting another, unclaimed field well;
3. a column no header rule recognised takes the unclaimed field its values
   fit best, if at least ``VALUE_MIN`` of its rows fit; a field whose header
   column fits it poorly (less than ``VALUE_MIN``, e.g. 所属行业 holding GB/T
   industry classes beside 专题 holding the catalogue's themes) counts as
   unclaimed here, and its header column is kept under import_extra;
4. when no header names the title, the column of distinct short names in
   nearly every row is taken as the title (never a URL, date, number, code,
   or text another field's values fit), and the plan says so.
Each decision is kept as evidence (sample values, share of rows that fit,
alternatives) for ``portal import --write-plan``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from builder.import_columns import (
    PLACEHOLDERS,
    ColumnPlan,
    cell_items,
    cell_text,
    normalise,
    parse_formats,
)
from builder.import_dates import parse_date
from builder.import_frequency import match_frequency
from domain.catalogue.model import OpenType, Provision
from domain.catalogue.vocabulary import Vocabularies
from domain.han import has_han

# The default open-type value map (issue 13), overridable by the operator's
# value map: raw word -> (open type, delivered in a sandbox).
OPEN_TYPE_WORDS: dict[str, tuple[OpenType, bool]] = {
    "无条件开放": (OpenType.UNCONDITIONAL, False),
    "普遍开放": (OpenType.UNCONDITIONAL, False),
    "有条件开放": (OpenType.CONDITIONAL, False),
    "依申请开放": (OpenType.CONDITIONAL, False),
    "安全开放": (OpenType.CONDITIONAL, True),
    "不予开放": (OpenType.NOT_OPEN, False),
    # The names other provinces' rules give the same three kinds: 受限开放 and
    # 禁止开放 (浙江省公共数据条例), 非开放 (上海市公共数据开放暂行办法). Not
    # guesses: each is the open type its own regulation defines.
    "受限开放": (OpenType.CONDITIONAL, False),
    "禁止开放": (OpenType.NOT_OPEN, False),
    "非开放": (OpenType.NOT_OPEN, False),
}
# Short and English spellings, exact only.
_OPEN_TYPE_EXACT: dict[str, tuple[OpenType, bool]] = {
    **{s: (OpenType.UNCONDITIONAL, False) for s in ("无条件", "开放", "unconditional")},
    **{s: (OpenType.CONDITIONAL, False) for s in ("有条件", "conditional")},
    **{s: (OpenType.NOT_OPEN, False) for s in ("不开放", "not_open", "notopen")},
}
_CLASSIFIERS = ("类", "型")
_TYPO_MIN_LENGTH = 4
_LONGEST_CODE_TEXT = 60
OPEN_TYPE_MIN = 0.03  # share of a column's rows that must be open-type words
VALUE_MIN = 0.6  # share of rows that must fit for a column to be taken by its values
_PUNCTUATION_AROUND = re.compile(r"^[\W_]+|[\W_]+$")
_NOTE = re.compile(r"\s*[(（\[【][^)）\]】]*[)）\]】]\s*$")
_ORG_SUFFIX = re.compile(r"(局|厅|委|委员会|办|办公室|中心|院|所|站|队|部|会|公司|政府|管委会|"
                         r"管理处|处|署|馆|集团|银行|协会|大学|学校|医院|支队|分局|街道|镇|乡)$")


def open_type_word(text: str) -> tuple[OpenType, bool] | None:
    """(open type, sandbox) for an open-type word (also as other provinces'
    rules name the kinds: 受限开放, 禁止开放, 非开放), its short or English
    spelling, or a one-character typo of a word of four characters or more
    that is no other word (无条件开发 → unconditional), also inside punctuation or before a
    bracketed note (【无条件开放】, 无条件开放；, 有条件开放（需申请）), or with a
    classifier (无条件开放类, 有条件开放型), or beside the sharing attribute
    (无条件共享/无条件开放); None for anything else (开放网站,
    暂无, 无条件开放数据, 无条件开放类数据)."""
    key = _PUNCTUATION_AROUND.sub("", normalise(strip_note(text.strip())))
    if key in OPEN_TYPE_WORDS:
        return OPEN_TYPE_WORDS[key]
    if key in _OPEN_TYPE_EXACT:
        return _OPEN_TYPE_EXACT[key]
    # A word with a classifier (无条件开放类, 有条件开放型: "of the unconditional
    # kind"), as some platforms label their categories; not 无条件开放数据.
    if key[-1:] in _CLASSIFIERS and key[:-1] in OPEN_TYPE_WORDS:
        return OPEN_TYPE_WORDS[key[:-1]]
    # One wrong character in four or more (in 非开放, one of three would
    # read 可开放 or 已开放 as not open).
    typos = {word for word in OPEN_TYPE_WORDS if len(word) == len(key) >= _TYPO_MIN_LENGTH
             and sum(a != b for a, b in zip(word, key, strict=True)) == 1}
    if len(typos) == 1:
        return OPEN_TYPE_WORDS[typos.pop()]
    return _beside_sharing(key)


_SHARING = re.compile(r"(无条件|有条件|不予|不可|可)?共享(属性)?")


def _beside_sharing(key: str) -> tuple[OpenType, bool] | None:
    """The open type of a cell that states the sharing attribute beside it
    (共享开放属性: 无条件共享/无条件开放, 有条件共享；有条件开放): what remains
    without the sharing words, when that is an open-type word (in full)."""
    if "共享" not in key:
        return None
    rest = _PUNCTUATION_AROUND.sub("", _SHARING.sub("", key))
    return OPEN_TYPE_WORDS.get(rest)


def strip_note(text: str) -> str:
    """A value without its bracketed note: 不定期(更新说明:…) → 不定期."""
    before = text
    while True:
        after = _NOTE.sub("", before)
        if after == before or not after:
            return before
        before = after


def looks_like_department(text: str, vocab: Vocabularies) -> bool:
    text = " ".join(text.split())
    return bool(vocab.departments.match(text)) or (
        2 <= len(text) <= 40 and bool(_ORG_SUFFIX.search(text)) and not any(
            c.isdigit() for c in text))


def first_term(value: Any, terms: Any) -> str | None:
    """The code of the first item of a list cell that the term list knows
    (a row filed under two themes keeps the first the catalogue knows)."""
    for item in cell_items(value):
        term = terms.match(strip_note(item))
        if term is not None:
            return str(term.code)
    return None


@dataclass
class ColumnEvidence:
    """What the values of one column say."""

    column: str
    rows: int  # non-empty rows
    samples: list[str]
    fits: dict[str, float]  # field -> share of the non-empty rows that fit
    header_field: str | None = None
    chosen: str | None = None
    reason: str = ""

    def alternatives(self) -> dict[str, float]:
        return {f: round(s, 3) for f, s in sorted(self.fits.items(), key=lambda i: -i[1])
                if f != self.chosen and s > 0}


@dataclass
class Detection:
    evidence: dict[str, ColumnEvidence] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _fits(values: Counter[str], raw: Mapping[str, Any], vocab: Vocabularies) -> dict[str, float]:
    total = sum(values.values())
    if not total:
        return {}
    scores: Counter[str] = Counter()
    for text, n in values.items():
        if len(text) > _LONGEST_CODE_TEXT:
            continue  # a description, a URL: no field below is written at such length
        if open_type_word(text) is not None:
            scores["open_type"] += n
        if first_term(text, vocab.frequencies) is not None \
                or match_frequency(strip_note(text), vocab.frequencies) is not None:
            scores["update_frequency"] += n
        if first_term(text, vocab.themes) is not None:
            scores["theme"] += n
        if looks_like_department(text, vocab):
            scores["department"] += n
        if parse_date(raw.get(text, text)) is not None:
            scores["date"] += n
        formats = parse_formats(raw.get(text, text))
        if formats and all(_FORMAT_TOKEN.match(f) for f in formats):
            scores["formats"] += n
    return {name: n / total for name, n in scores.items()}


_FORMAT_TOKEN = re.compile(r"^(csv|json|xml|xls|xlsx|api|rdf|txt|pdf|doc|docx|zip|shp|kml|"
                           r"geojson|jpg|png|wms|wfs|mysql|oracle|sqlserver|数据库|接口|文件|"
                           r"[a-z]{2,5})$")
# Fields a column's values may decide; the date is placed by its header.
_BY_VALUE = ("open_type", "update_frequency", "theme", "department", "formats")


def _column_values(headers: list[str], rows: Iterable[Mapping[str, Any]]
                   ) -> tuple[dict[str, Counter[str]], dict[str, dict[str, Any]], int]:
    """Each column's texts with their counts (placeholders left out), the raw
    value behind each text that was not written as text, and the row count."""
    values: dict[str, Counter[str]] = {h: Counter() for h in headers}
    raw: dict[str, dict[str, Any]] = {h: {} for h in headers}
    rows_seen = 0
    for cells in rows:
        rows_seen += 1
        for header in headers:
            value = cells.get(header)
            text = cell_text(value)
            if text and normalise(text) not in PLACEHOLDERS:
                values[header][text] += 1
                if not isinstance(value, str):
                    raw[header].setdefault(text, value)
    return values, raw, rows_seen


def detect(headers: list[str], rows: Iterable[Mapping[str, Any]], plan: ColumnPlan,
           vocab: Vocabularies, fixed: Iterable[str] = ()) -> Detection:
    """Adjust ``plan`` (in place) by the columns' values; ``fixed`` are the
    columns the operator mapped, which are never moved. Returns the evidence."""
    values, raw, rows_seen = _column_values(headers, rows)
    fixed = set(fixed)
    field_of = {c: name for name, cols in plan.fields.items() for c in cols}
    result = Detection()
    for header in headers:
        counts = values[header]
        result.evidence[header] = ColumnEvidence(
            header, sum(counts.values()), [t[:60] for t, _ in counts.most_common(5)],
            _fits(counts, raw[header], vocab), header_field=field_of.get(header))

    def move(column: str, name: str, reason: str) -> None:
        for cols in plan.fields.values():
            if column in cols:
                cols.remove(column)
        for key in [k for k, cols in plan.fields.items() if not cols]:
            del plan.fields[key]
        if column in plan.extra:
            plan.extra.remove(column)
        previous = plan.fields.get(name, [])
        for other in previous:
            plan.extra.append(other)
            result.evidence[other].chosen = None
        plan.fields[name] = [column]
        result.evidence[column].chosen = name
        result.evidence[column].reason = reason
        result.notes.append(reason)

    for header in headers:
        result.evidence[header].chosen = field_of.get(header)
        if result.evidence[header].chosen:
            result.evidence[header].reason = ("header words" if header in plan.guessed
                                              else "header")
    # 1. the open type, by its values
    if "open_type" not in {field_of.get(c) for c in fixed}:
        candidates = [(e.fits.get("open_type", 0) * e.rows, e.fits.get("open_type", 0), h)
                      for h, e in result.evidence.items() if h not in fixed]
        best = max(candidates, default=(0.0, 0.0, ""))
        current = plan.column("open_type")
        if best[0] >= 1 and best[1] >= OPEN_TYPE_MIN and best[2] != current:
            header = best[2]
            named = field_of.get(header)
            move(header, "open_type", (
                f"column {header!r} holds open-type values ({best[1]:.0%} of its rows)"
                + (f"; its header suggests {named}, but the values win" if named else "")
                + (f"; {current!r} was kept under import_extra" if current else "")))
    # 2 and 3. other fields, by their values where the header says nothing
    claimed = {name for name, cols in plan.fields.items()
               if cols and not _poor_fit(name, cols, result, fixed)}
    for header in headers:
        evidence = result.evidence[header]
        if header in fixed or evidence.chosen or evidence.rows == 0:
            continue
        options = [(share, name) for name, share in evidence.fits.items()
                   if name in _BY_VALUE and name not in claimed and share >= VALUE_MIN]
        if options:
            share, name = max(options)
            move(header, name, f"column {header!r} was taken as {name}: {share:.0%} of its "
                               "values fit (its header is not a known name)")
            claimed.add(name)
    # 4. no title by any header: the column of distinct names
    if plan.column("title") is None:
        column = _title_by_values(headers, values, result, fixed, rows_seen)
        if column is not None:
            move(column, "title", f"column {column!r} was taken as the title: its values are "
                                  "distinct names in nearly every row (no header says title)")
    plan.extra.sort(key=headers.index)
    _note_guesses(plan, result)
    return result


def _note_guesses(plan: ColumnPlan, found: Detection) -> None:
    """Warn of the columns still placed by their headers' words alone."""
    placed = [f"{h} → {n}" for n, cols in plan.fields.items() for h in cols
              if found.evidence[h].reason == "header words"]  # not moved by values since
    if placed:
        plan.warnings.append("columns placed by the words of their headers (spellings no list "
                             "names; correct with --map COLUMN=FIELD): " + ", ".join(placed))


_NOT_A_NAME = re.compile(r"^(https?://|www\.)|^[\d\s.:/\-年月日时分秒]+$", re.IGNORECASE)
TITLE_ROWS_MIN = 0.9  # share of rows with a value, for a column taken as titles by value
TITLE_DISTINCT_MIN = 0.3  # share of distinct values among them (上海: 0.5, names repeat)


def _looks_like_name(text: str) -> bool:
    """Short text in words: Chinese, or words with spaces (AD4002012016 is
    a code, 2023-06-12 a date, http://… an address)."""
    if not 2 <= len(text) <= _LONGEST_CODE_TEXT or _NOT_A_NAME.search(text):
        return False
    return has_han(text) or (
        " " in text.strip() and any(c.isalpha() for c in text))


def _title_by_values(headers: list[str], values: Mapping[str, Counter[str]], found: Detection,
                     fixed: set[str], rows: int) -> str | None:
    """The unclaimed column that reads as dataset names, or None: a value in
    at least ``TITLE_ROWS_MIN`` of the rows, mostly distinct, short text
    that is no URL, number, date, code or department; the most distinct wins
    (a description is longer than ``_LONGEST_CODE_TEXT``, so it never does)."""
    best: tuple[float, str] | None = None
    for header in headers:
        evidence, counts = found.evidence[header], values[header]
        if header in fixed or evidence.chosen or not rows or evidence.rows < TITLE_ROWS_MIN * rows:
            continue
        distinct = len(counts) / evidence.rows
        names = sum(n for text, n in counts.items() if _looks_like_name(text))
        if distinct < TITLE_DISTINCT_MIN or names < VALUE_MIN * evidence.rows or max(
                evidence.fits.values(), default=0) >= VALUE_MIN:
            continue
        if best is None or distinct > best[0]:
            best = (distinct, header)
    return best[1] if best else None


def _poor_fit(name: str, columns: list[str], found: Detection, fixed: set[str]) -> bool:
    """Whether a header gave ``name`` to a column whose values fit it poorly
    (never a column the operator mapped; only fields values can decide)."""
    return (name in _BY_VALUE and not any(c in fixed for c in columns)
            and all(found.evidence[c].fits.get(name, 0) < VALUE_MIN for c in columns))


def provision_for(open_type: tuple[OpenType, bool]) -> list[str]:
    """The delivery an open-type word implies (安全开放: a sandbox)."""
    return [Provision.SANDBOX.value] if open_type[1] else []
