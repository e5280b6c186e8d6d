"""Reading the text of a State Council holiday notice (国务院办公厅关于YYYY年
部分节假日安排的通知) into one year of the working-day calendar
(:mod:`domain.periods.calendar`, the ``YYYY.json`` format).

A notice lists one numbered block per holiday (or per merged holidays, e.g.
"六、国庆节、中秋节：…"). Each block is made of sentences of these forms, the
ones the 2024–2026 notices use:

- ``10月1日（周四）至7日（周三）放假调休，共7天。`` a period with make-up days;
- ``4月4日（周六）至6日（周一）放假，共3天。`` a period without;
- ``1月1日（周三）放假1天，不调休。`` one day, no make-up day;
- ``6月10日放假，与周末连休。`` one day next to a weekend;
- ``9月28日（周日）、10月11日（周六）上班。`` make-up working days;
- ``鼓励各单位……`` an encouragement, which sets no day.

Every 共N天 / 放假N天 is checked against the dates, every weekday written in
brackets against the calendar, every make-up day is a weekend day, and each
of the seven statutory holidays has a block. Anything else in a block is
refused: :class:`NoticeUnreadable` names the sentence, so a text is never
half-read into a wrong calendar. Lines outside the numbered blocks (title,
document number, addressees, introduction, closing, signature) are read only
for the year, the document number and the date.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta

HOLIDAY_NAMES = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")

_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_NUMERALS = "一二三四五六七八九十"
_BLOCK = re.compile(rf"^[{_NUMERALS}]+、(?P<names>[^：:]+)[：:](?P<body>.+)$")
# A date as the notices write it: [YYYY年]M月D日 or, after 至, D日; then an
# optional bracket such as （周三）, （星期日） or （农历除夕、周二）.
_DATE = r"(?:(?:(?P<{p}y>\d{{4}})年)?(?P<{p}m>\d{{1,2}})月)?(?P<{p}d>\d{{1,2}})日(?:（(?P<{p}note>[^）]*)）)?"
_RANGE = _DATE.format(p="s") + r"(?:至" + _DATE.format(p="e") + r")?"
_HOLIDAY = re.compile(
    rf"^{_RANGE}放假(?P<swap>调休)?(?:(?P<days>\d+)天(?:（[^）]*）)?)?"
    r"(?:，(?:共(?P<total>\d+)天|(?P<noswap>不调休)|(?P<weekend>与周末连休)))?$")
_ONE_DATE = re.compile(rf"^{_DATE.format(p='w')}$")
_TITLE_YEAR = re.compile(r"国务院办公厅关于(\d{4})年部分节假日安排的通知")
_INTRO_YEAR = re.compile(r"现将(\d{4})年")
_DOC_NUMBER = re.compile(r"国办发(?:明电)?〔\d{4}〕\d+号")
_SIGNED = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
_ADVISORY = ("鼓励",)  # sentences that encourage, and set no day
# After the blocks: the closing paragraph and the signature, nothing else.
_AFTER_BLOCKS = ("节假日期间", "国务院办公厅", "（此件公开发布）")


class NoticeUnreadable(ValueError):
    """The notice text cannot be read fully; the message names the sentence
    (or what is missing) in English, the Chinese sentence quoted."""


@dataclass(frozen=True)
class ParsedNotice:
    """One year's holidays and make-up working days, as the notice sets them."""

    year: int
    source: str
    holidays: frozenset[date]
    workdays: frozenset[date]

    def to_json(self) -> str:
        """The ``YYYY.json`` calendar file (see ``calendar.schema.json``)."""
        body = {
            "year": self.year,
            "source": self.source,
            "note": "Parsed from the text of the notice by `portal calendar`.",
            "holidays": [d.isoformat() for d in sorted(self.holidays)],
            "workdays": [d.isoformat() for d in sorted(self.workdays)],
        }
        return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def _clean(line: str) -> str:
    return re.sub(r"\s+", "", line.replace("\u3000", " ")).replace("(", "（").replace(")", "）")


def _date(match: re.Match[str], p: str, year: int, month: int | None, sentence: str) -> date:
    y = int(match.group(f"{p}y") or year)
    m = int(match.group(f"{p}m") or month or 0)
    if not m:
        raise NoticeUnreadable(f"no month for the day in sentence {sentence!r}")
    try:
        day = date(y, m, int(match.group(f"{p}d")))
    except ValueError as exc:
        raise NoticeUnreadable(f"{exc} in sentence {sentence!r}") from exc
    if day.year != year:
        raise NoticeUnreadable(
            f"{day.isoformat()} in sentence {sentence!r} is not in {year}; a calendar file "
            "holds one year only: put that day into the file of its own year by hand")
    note = match.group(f"{p}note") or ""
    for written in re.findall(r"(?:周|星期)([一二三四五六日天])", note):
        if _WEEKDAYS[written] != day.weekday():
            raise NoticeUnreadable(
                f"{day.isoformat()} is not a 星期{written} (sentence {sentence!r})")
    return day


def _holiday_days(match: re.Match[str], year: int, sentence: str) -> list[date]:
    start = _date(match, "s", year, None, sentence)
    end = start
    if match.group("ed"):
        end = _date(match, "e", year, start.month, sentence)
    if end < start:
        raise NoticeUnreadable(f"the period ends before it starts in sentence {sentence!r}")
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    for group in ("total", "days"):
        written = match.group(group)
        if written is not None and int(written) != len(days):
            raise NoticeUnreadable(
                f"{written} days written but the dates give {len(days)} "
                f"in sentence {sentence!r}")
    if match.group("total") is None and match.group("days") is None and len(days) > 1:
        raise NoticeUnreadable(f"a period without 共N天 in sentence {sentence!r}")
    if match.group("weekend") and (len(days) != 1 or start.weekday() not in (0, 4)):
        raise NoticeUnreadable(
            f"与周末连休 but {start.isoformat()} is not a Monday or Friday "
            f"(sentence {sentence!r})")
    return days


def _workdays(sentence: str, year: int) -> list[date]:
    out = []
    previous_month: int | None = None
    for part in sentence[: -len("上班")].split("、"):
        match = _ONE_DATE.match(part)
        if match is None:
            raise NoticeUnreadable(f"cannot read the make-up day {part!r} in sentence {sentence!r}")
        day = _date(match, "w", year, previous_month, sentence)
        if day.weekday() < 5:
            raise NoticeUnreadable(
                f"make-up working day {day.isoformat()} is not a Saturday or Sunday "
                f"(sentence {sentence!r})")
        previous_month = day.month
        out.append(day)
    return out


def _block(names: str, body: str, year: int) -> tuple[list[date], list[date]]:
    holidays: list[date] = []
    workdays: list[date] = []
    no_swap = False
    for sentence in (s for s in body.split("。") if s):
        if sentence.startswith(_ADVISORY):
            continue
        if sentence.endswith("上班"):
            workdays += _workdays(sentence, year)
            continue
        match = _HOLIDAY.match(sentence)
        if match is None:
            raise NoticeUnreadable(f"cannot read sentence {sentence!r} of the block {names!r}")
        holidays += _holiday_days(match, year, sentence)
        no_swap = no_swap or bool(match.group("noswap"))
    if not holidays:
        raise NoticeUnreadable(f"the block {names!r} gives no day off")
    if no_swap and workdays:
        raise NoticeUnreadable(f"the block {names!r} says 不调休 but lists make-up working days")
    return holidays, workdays


def _source(lines: list[str], year: int) -> str:
    title = f"国务院办公厅关于{year}年部分节假日安排的通知"
    details: list[str] = []
    for line in lines:
        found = _DOC_NUMBER.search(line)
        if found and not details:
            details.append(found.group(0))
    for line in reversed(lines):
        signed = _SIGNED.match(line)
        if signed:
            details.append(date(*map(int, signed.groups())).isoformat())
            break
    return f"{title} ({', '.join(details)})" if details else title


def parse_notice(text: str, year: int) -> ParsedNotice:
    """Read the notice ``text`` for ``year``.

    Raises:
        NoticeUnreadable: the text names no year or another year, a block or
            a sentence cannot be read, a count or a weekday disagrees with
            the dates, a statutory holiday has no block, a day is listed
            twice or both off and worked.
    """
    # A text copied from a web page may hold several blocks on one line.
    text = re.sub(rf"。\s*(?=[{_NUMERALS}]+、|节假日期间)", "。\n", text)
    lines = [c for c in (_clean(raw) for raw in text.splitlines()) if c]
    named = {int(m.group(1)) for line in lines
             for m in (_TITLE_YEAR.search(line), _INTRO_YEAR.search(line)) if m}
    if not named:
        raise NoticeUnreadable("the text names no year: expected the title "
                               "国务院办公厅关于YYYY年部分节假日安排的通知 or 现将YYYY年…")
    if named != {year}:
        raise NoticeUnreadable(
            f"the text is the notice for {', '.join(map(str, sorted(named)))}, not {year}")
    holidays: dict[date, str] = {}
    workdays: dict[date, str] = {}
    covered: set[str] = set()
    for line in lines:
        block = _BLOCK.match(line)
        if block is None:
            # Before the first block: title, number, addressees, introduction.
            # After it, a line that is no block could be a wrapped part of one.
            if covered and not (line.startswith(_AFTER_BLOCKS) or _SIGNED.match(line)):
                raise NoticeUnreadable(f"cannot read the line {line!r} after the numbered blocks")
            continue
        names = block.group("names")
        for name in re.split(r"[、和]", names):
            if name not in HOLIDAY_NAMES:
                raise NoticeUnreadable(f"unknown holiday {name!r} in the block {line!r}")
            if name in covered:
                raise NoticeUnreadable(f"{name} has two blocks")
            covered.add(name)
        off, worked = _block(names, block.group("body"), year)
        for day in off:
            if day in holidays:
                raise NoticeUnreadable(f"{day.isoformat()} is off in two blocks "
                                       f"({holidays[day]}, {names})")
            holidays[day] = names
        for day in worked:
            if day in workdays or day in holidays:
                raise NoticeUnreadable(f"{day.isoformat()} is listed twice (block {names!r})")
            workdays[day] = names
    clash = sorted(set(holidays) & set(workdays))
    if clash:
        raise NoticeUnreadable(f"{clash[0].isoformat()} is both a day off and a working day")
    missing = [n for n in HOLIDAY_NAMES if n not in covered]
    if missing:
        raise NoticeUnreadable(f"no block for {'、'.join(missing)}: the text is incomplete")
    return ParsedNotice(year, _source(lines, year), frozenset(holidays), frozenset(workdays))
