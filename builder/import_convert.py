"""One catalogue row into one dataset descriptor (``portal import``): each
cell is mapped onto the vocabularies' codes, the operator's value map or
defaults, never guessed; what cannot be mapped is kept raw under
``import_unmapped`` so that ``portal check`` reports it."""

from __future__ import annotations

import copy
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any

from builder.import_columns import (
    PLACEHOLDERS,
    PROVISION_SPELLINGS,
    ColumnPlan,
    cell_items,
    cell_text,
    normalise,
    parse_contact,
    parse_formats,
    row_list,
)
from builder.import_dates import parse_date
from builder.import_detect import (
    first_term,
    open_type_word,
    strip_note,
)
from builder.import_frequency import match_frequency
from builder.import_operator import VOCAB_ATTR, Defaults
from builder.import_period import parse_period
from builder.import_report import ImportReport
from domain.catalogue.model import MACHINE_READABLE_FORMATS, OpenType
from domain.catalogue.vocabulary import Department, TermList, Vocabularies

EMPTY_VALUES: tuple[Any, ...] = ("", [], {}, None)
# Theme cells that say "no theme"; such rows are filed under UNCLASSIFIED.
NO_THEME = frozenset({*PLACEHOLDERS, "默认主题", "未分类", "其他", "其它", "无主题"})
UNCLASSIFIED = {"code": "unclassified", "name": "未分类"}
# What a theme's name looks like: two to twelve Chinese characters (with
# letters or a middle dot at most), no digits, no punctuation of a sentence.
_THEME_NAME = re.compile(r"[\u4e00-\u9fffA-Za-z·]{2,12}")


class Converter:
    """Converts rows to descriptors, mapping values onto codes with caches
    (a catalogue repeats the same few hundred texts thousands of times)."""

    def __init__(self, vocab: Vocabularies, values: dict[str, dict[str, str]], plan: ColumnPlan,
                 default_open_type: OpenType | None, defaults: Defaults,
                 report: ImportReport) -> None:
        self.vocab, self.values, self.plan = vocab, values, plan
        self.default_open_type, self.report = default_open_type, report
        self.defaults = {t: defaults.for_open_type(t) for t in ("", *(o.value for o in OpenType))}
        self.not_machine_readable: list[int] = []  # unconditional rows
        self.urls: dict[str, list[int]] = defaultdict(list)
        self.cache: dict[tuple[str, str], str | None] = {}
        self.missing: dict[str, list[int]] = defaultdict(list)
        self.invalid_dates: dict[str, list[int]] = defaultdict(list)
        self.defaulted: list[int] = []
        self.new_department_entries: list[dict[str, str]] = []
        self.new_theme_entries: list[dict[str, str]] = []
        self.unclassified: list[int] = []
        self.lacking: dict[str, list[int]] = defaultdict(list)
        self._next_code = _free_codes("d", vocab.departments.codes())
        self._next_theme_code = _free_codes("t", vocab.themes.codes())
        self.new_theme_codes: dict[str, str] = {}  # normalised name -> generated code
        self.new_theme_rows: Counter[str] = Counter()  # raw text -> rows given a new theme
        self.new_theme_given: dict[str, str] = {}  # raw text -> its new theme's code
        # Fields with unmapped values or new themes, in the order first met (the plan's order).
        self.listed_fields: dict[str, None] = {}

    def _cell(self, cells: Mapping[str, Any], name: str) -> Any:
        column = self.plan.column(name)
        return None if column is None else cells.get(column)

    def convert(self, row: int, cells: Mapping[str, Any]) -> dict[str, Any] | None:
        if all(cell_text(v) == "" for v in cells.values()):
            return None  # blank line in a spreadsheet: not a row at all
        self.report.rows += 1
        title = cell_text(self._cell(cells, "title"))
        if not title:
            self.report.skipped.append((row, f"no title in column {self.plan.column('title')!r}"))
            return None
        unmapped: dict[str, str] = {}
        description = cell_text(self._cell(cells, "description"))
        if normalise(description) in PLACEHOLDERS:
            description = ""
        if not description:
            self.missing["description"].append(row)
            description = title
        open_type, sandbox = self._open_type(row, self._cell(cells, "open_type"), unmapped)
        lacking: list[str] = []
        desc: dict[str, Any] = {
            "name": cell_text(self._cell(cells, "identifier")),  # replaced by assign_identifiers
            "title": title,
            "description": description,
            "keywords": cell_items(self._cell(cells, "keywords"), keywords=True),
            "department": self._department(row, self._cell(cells, "department")),
            "theme": self._theme(row, self._cell(cells, "theme"), unmapped),
            "region": self._code("region", row, self._cell(cells, "region"), unmapped),
            "open_type": open_type,
            "open_conditions": cell_text(self._cell(cells, "open_conditions")),
            "legal_basis": cell_text(self._cell(cells, "legal_basis")),
            "provision": self._provision(self._cell(cells, "provision"), unmapped)
            or (["sandbox"] if sandbox else []),
            "update_frequency": self._code("update_frequency", row, strip_note(cell_text(
                self._cell(cells, "update_frequency"))), unmapped, True),
            "last_updated": self._date("last_updated", row, self._cell(cells, "last_updated"),
                                       unmapped, lacking),
            "published": self._date("published", row, self._cell(cells, "published"), unmapped,
                                    lacking),
            "level": self._code("level", row, self._cell(cells, "level"), unmapped),
            "usage_requirements": cell_text(self._cell(cells, "usage_requirements")),
            "contact": parse_contact(cell_text(cells.get(c))
                                     for c in self.plan.fields.get("contact", [])),
            "licenses": [],
        }
        self._temporal(cells, desc, unmapped)
        if self.plan.column("formats") is not None:
            desc["declared_formats"] = parse_formats(self._cell(cells, "formats"))
        if open_type == OpenType.UNCONDITIONAL.value \
                and not set(desc.get("declared_formats", ())) & MACHINE_READABLE_FORMATS:
            self.not_machine_readable.append(row)
        desc["resources"] = []
        desc["source_url"] = cell_text(self._cell(cells, "source_url"))
        if desc["source_url"]:
            self.urls[desc["source_url"]].append(row)
        desc["import_defaults"] = self._apply_defaults(open_type, desc)
        # A date the source never gave and no default stated: left empty and
        # said so (the page shows 来源目录未提供), never invented.
        desc["not_in_source"] = [n for n in lacking if desc[n] in EMPTY_VALUES]
        desc["import_unmapped"] = unmapped
        desc["import_extra"] = {c: _plain(v) for c in self.plan.extra
                                if cell_text(v := cells.get(c)) != ""}
        # Required keys are written even when empty, so the gap is visible and
        # `portal check` names it; an empty declared_formats says the source
        # declared none.
        required = {"name", "title", "description", "department", "theme", "open_type",
                    "update_frequency", "last_updated", "published", "resources",
                    "declared_formats"}
        if open_type != OpenType.UNCONDITIONAL.value:
            required |= {"open_conditions", "legal_basis"}
        return {k: v for k, v in desc.items() if k in required or v not in EMPTY_VALUES}

    def _temporal(self, cells: Mapping[str, Any], desc: dict[str, Any],
                  unmapped: dict[str, str]) -> None:
        """``temporal`` from a range column or start/end columns, when the
        source has them; an unreadable value goes to import_unmapped."""
        ranged = self._cell(cells, "temporal")
        start, end = self._cell(cells, "temporal_start"), self._cell(cells, "temporal_end")
        written = [cell_text(v) for v in (ranged, start, end)]
        if not any(w and normalise(w) not in PLACEHOLDERS for w in written):
            return
        period = parse_period(start, end, ranged=ranged)
        if period is None:
            self._unmapped("temporal", " ~ ".join(w for w in written if w), unmapped)
            return
        desc["temporal"] = period

    def _apply_defaults(self, open_type: str, desc: dict[str, Any]) -> list[str]:
        """Fill the fields the row left empty from the operator's defaults;
        the names of the fields filled, in descriptor order."""
        filled = []
        stated = self.defaults.get(open_type, {})
        for name in [n for n in desc if n in stated]:
            scope, value = stated[name]
            if desc[name] in EMPTY_VALUES:
                desc[name] = copy.deepcopy(value)
                self.report.defaults_applied[f"{scope}.{name}"] += 1
                filled.append(name)
        return filled

    def _open_type(self, row: int, value: Any, unmapped: dict[str, str]) -> tuple[str, bool]:
        """(open type code or "", delivered in a sandbox): the operator's value
        map first, then the default word map (typos included); anything else
        is reported as unmapped, never guessed."""
        raw = cell_text(value)
        mapped = self.values.get("open_type", {}).get(normalise(raw)) if raw else None
        if mapped:
            return str(OpenType(mapped).value), False
        if not raw or normalise(raw) in PLACEHOLDERS:
            if self.default_open_type is not None:
                self.defaulted.append(row)
                return self.default_open_type.value, False
            self.missing["open_type"].append(row)
            if raw:
                self._unmapped("open_type", raw, unmapped)
            return "", False
        found = open_type_word(raw)
        if found is not None:
            return found[0].value, found[1]
        self._unmapped("open_type", raw, unmapped)
        return "", False

    def _theme(self, row: int, value: Any, unmapped: dict[str, str]) -> str:
        """The theme's code: the value map, else the first listed theme the
        vocabularies know. A row that gives no theme (empty, 无, 默认主题)
        is filed under 未分类, which is added to the vocabularies if needed."""
        raw = cell_text(value)
        mapped = self.values.get("theme", {}).get(normalise(raw)) if raw else None
        if mapped:
            return mapped
        if not raw or normalise(raw) in NO_THEME:
            self.unclassified.append(row)
            return self._unclassified_code()
        key = ("theme", raw)
        if key not in self.cache:
            self.cache[key] = first_term(raw, self.vocab.themes)
        code = self.cache[key]
        if code is None and (code := self._new_theme(raw)) is not None:
            self.new_theme_rows[raw] += 1
            self.new_theme_given[raw] = code
            self.listed_fields.setdefault("theme")
        if code is None:
            self._unmapped("theme", raw, unmapped)
            return ""
        return code

    def _new_theme(self, raw: str) -> str | None:
        """A theme the source names and the vocabularies lack (each portal has
        its own list: 农业农村, 城市管理...), added under a generated code like
        a new department; the first item of a list cell. None (left unmapped)
        for text that is no theme's name: digits, codes, long phrases."""
        name = strip_note(next(iter(cell_items(raw)), ""))
        if not _THEME_NAME.fullmatch(name):
            return None
        key = normalise(name)
        if key not in self.new_theme_codes:
            code = next(self._next_theme_code)
            self.new_theme_codes[key] = code
            self.new_theme_entries.append({"code": code, "name": name})
        return self.new_theme_codes[key]

    def _unclassified_code(self) -> str:
        term = self.vocab.themes.match(UNCLASSIFIED["name"])
        if term is not None:
            return str(term.code)
        if UNCLASSIFIED not in self.new_theme_entries:
            self.new_theme_entries.append(dict(UNCLASSIFIED))
        return UNCLASSIFIED["code"]

    def _provision(self, value: Any, unmapped: dict[str, str]) -> list[str]:
        result: list[str] = []
        for raw in cell_items(value):
            key = normalise(raw)
            found = self.values.get("provision", {}).get(key) or PROVISION_SPELLINGS.get(key)
            if found is None:
                self._unmapped("provision", raw, unmapped)
            elif str(found) not in result:
                result.append(str(found))
        return result

    def _unmapped(self, name: str, raw: str, unmapped: dict[str, str]) -> None:
        self.listed_fields.setdefault(name)
        self.report.unmapped.setdefault(name, Counter())[raw] += 1
        unmapped[name] = f"{unmapped[name]}、{raw}" if name in unmapped else raw

    def _code(self, name: str, row: int, value: Any, unmapped: dict[str, str],
              required: bool = False) -> str:
        raw = cell_text(value)
        if not raw:
            if required:
                self.missing[name].append(row)
            return ""
        key = (name, raw)
        if key not in self.cache:
            terms: TermList = getattr(self.vocab, VOCAB_ATTR[name])
            term = match_frequency(raw, terms) if name == "update_frequency" \
                else terms.match(raw)
            self.cache[key] = self.values.get(name, {}).get(normalise(raw)) \
                or (term.code if term else None)
        code = self.cache[key]
        if code is None:
            self._unmapped(name, raw, unmapped)
            return ""
        return code

    def _department(self, row: int, value: Any) -> str:
        raw = " ".join(cell_text(value).split())
        if not raw:
            self.missing["department"].append(row)
            return ""
        key = ("department", raw)
        if key not in self.cache:
            self.cache[key] = self._find_department(raw)
        return self.cache[key] or ""

    def _find_department(self, raw: str) -> str:
        mapped = self.values.get("department", {}).get(normalise(raw))
        if mapped:
            return mapped
        term = self.vocab.departments.match(raw)
        if term is not None:
            return term.code
        for dept in self.vocab.departments.terms:  # short names (市公安局) are spellings too
            if isinstance(dept, Department) and dept.short_name \
                    and normalise(dept.short_name) == normalise(raw):
                return dept.code
        code = next(self._next_code)
        self.new_department_entries.append({"code": code, "name": raw})
        self.report.new_departments.append(raw)
        self.report.department_codes[raw] = code
        return code

    def _date(self, name: str, row: int, value: Any, unmapped: dict[str, str],
              lacking: list[str]) -> date | str:
        if cell_text(value) == "" or normalise(cell_text(value)) in PLACEHOLDERS:
            self.lacking[name].append(row)
            lacking.append(name)
            return ""
        found = parse_date(value)
        if found is None:
            self.invalid_dates[name].append(row)
            self._unmapped(name, cell_text(value), unmapped)
            return ""
        return found

    def finish(self) -> None:
        """Turn the per-row notes into a few counted warnings."""
        warn = self.report.warnings.append
        if rows := self.missing.pop("description", None):
            warn(f"{len(rows)} rows have no description; their title was used instead "
                 f"({row_list(rows)})")
        for name, rows in self.missing.items():
            warn(f"{len(rows)} rows have no {name}; left empty for `portal check` to report "
                 f"({row_list(rows)})")
        for name, rows in self.invalid_dates.items():
            warn(f"{len(rows)} rows have a {name} that is not a date; left empty, raw text "
                 f"kept under import_unmapped ({row_list(rows)})")
        for name, rows in self.lacking.items():
            warn(f"{len(rows)} rows have no {name} in the source; left empty and marked "
                 f"not_in_source (the page says 来源目录未提供) unless a default states it "
                 f"({row_list(rows)})")
        if self.unclassified:
            warn(f"{len(self.unclassified)} rows give no theme (empty, 无, 默认主题...); filed "
                 f"under the theme 未分类; give them themes with a value map "
                 f"({row_list(self.unclassified)})")
        if self.defaulted:
            warn(f"{len(self.defaulted)} rows have no open type; set to the default "
                 f"{self.default_open_type} ({row_list(self.defaulted)})")
        if rows := self.not_machine_readable:
            warn(f"{len(rows)} unconditional rows declare no machine-readable format (csv, json, "
                 "xlsx...); `portal check` reports them as no-machine-readable-resource until "
                 f"their files are added ({row_list(rows)})")
        shared = {url: rows for url, rows in self.urls.items() if len(rows) > 1}
        if shared:
            url, rows = max(shared.items(), key=lambda item: len(item[1]))
            warn(f"{sum(map(len, shared.values()))} rows give a source URL that other rows give "
                 f"too ({len(shared)} such URLs; {len(rows)} rows give {url}): that column does "
                 "not identify its rows; the URLs were kept as given")
        if self.new_department_entries:
            warn(f"{len(self.new_department_entries)} departments were not in the vocabularies "
                 "and were added with generated codes; review their codes and names")
        generated = set(self.new_theme_codes.values())
        added = [t for t in self.new_theme_entries if t["code"] in generated]
        if added:
            warn(f"{len(added)} themes were not in the vocabularies and were added with "
                 "generated codes (" + ", ".join(f"{t['code']} {t['name']}" for t in added[:10])
                 + (f" and {len(added) - 10} more" if len(added) > 10 else "")
                 + "); review them, or map them onto your themes with a value map")


def _free_codes(letter: str, used: Iterable[str]) -> Iterator[str]:
    """Generated codes (d001, d002…) that ``used`` does not hold, in order."""
    taken = set(used)
    return (code for n in range(1, 10**6) if (code := f"{letter}{n:03d}") not in taken)

def _plain(value: Any) -> Any:
    """A cell value YAML can write and read back unchanged."""
    if isinstance(value, datetime | date):
        return cell_text(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value

