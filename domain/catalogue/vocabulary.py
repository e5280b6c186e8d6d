"""Controlled vocabularies of the catalogue: departments, themes, regions,
update frequencies and security levels (with the open types each allows).

They live in one file, ``datasets/vocabularies.yaml``, so that every dataset
names a department or a theme by a stable code (SPEC §2; 002 §12, 000 §9).
Each term may carry ``aliases``: the free-text spellings found in real
catalogues (e.g. 每天 for 每日), used by ``portal import`` to map a spreadsheet
onto the codes without guessing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from domain.catalogue.links import unsafe_scheme
from domain.periods.calendar import WorkCalendar


@dataclass(frozen=True)
class Term:
    """One entry of a controlled list: a stable code and its Chinese name."""

    code: str
    name: str
    aliases: tuple[str, ...] = ()
    description: str = ""

    def spellings(self) -> tuple[str, ...]:
        """Every text that means this term: code, name and aliases."""
        return (self.code, self.name, *self.aliases)


@dataclass(frozen=True)
class Department(Term):
    """A providing department (数据提供部门, 责任主体)."""

    short_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    # 数据专员 (000 §43): overdue reminders; empty: the department's address.
    data_officer_email: str = ""


@dataclass(frozen=True)
class Frequency(Term):
    """An update frequency (更新频度).

    ``max_age_days`` is the promise: data older than that many calendar days
    after its last update is overdue (000 §33, 002 §39). ``None`` means the
    frequency sets no deadline (static data, irregular updates).
    """

    max_age_days: int | None = None
    # The promise counted in working days instead (每日 data is updated on
    # working days: a weekend or the National Day week does not make it late).
    max_age_working_days: int | None = None

    @property
    def scheduled(self) -> bool:
        return self.max_age_days is not None or self.max_age_working_days is not None


# The open types a level may carry (000 §14, 001 §39, 002 §42: data are graded,
# and the grade bounds how they may be opened). Kept as plain codes so the
# vocabulary does not depend on the dataset model.
OPEN_TYPE_CODES = ("unconditional", "conditional", "not_open")


@dataclass(frozen=True)
class Level(Term):
    """A security level (安全级别) and the open types it allows.

    ``open_types`` empty means the vocabulary sets no bound (older catalogues
    that list levels as labels only).
    """

    open_types: tuple[str, ...] = ()

    def allows(self, open_type: str) -> bool:
        """Whether data of this level may carry ``open_type``."""
        return not self.open_types or open_type in self.open_types


def _normalise(text: str) -> str:
    """Fold the differences that do not change meaning in free text."""
    return "".join(text.split()).casefold()


@dataclass(frozen=True)
class TermList:
    """An ordered controlled list with lookup by code and by any spelling."""

    kind: str
    terms: tuple[Term, ...]
    _by_code: Mapping[str, Term] = field(init=False, repr=False, compare=False)
    _by_spelling: Mapping[str, Term] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_code = {t.code: t for t in self.terms}
        by_spelling: dict[str, Term] = {}
        for term in self.terms:
            for text in term.spellings():
                by_spelling.setdefault(_normalise(text), term)
        object.__setattr__(self, "_by_code", by_code)
        object.__setattr__(self, "_by_spelling", by_spelling)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Any:
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    def get(self, code: str) -> Term | None:
        """The term with this exact code, or None."""
        return self._by_code.get(code)

    def name_of(self, code: str) -> str:
        """The Chinese name of a code; the code itself if it is unknown."""
        term = self._by_code.get(code)
        return term.name if term else code

    def match(self, text: str) -> Term | None:
        """The term whose code, name or alias equals ``text`` (ignoring case and
        white space), or None: never a fuzzy guess."""
        return self._by_spelling.get(_normalise(text))

    def codes(self) -> list[str]:
        return [t.code for t in self.terms]


@dataclass(frozen=True)
class Vocabularies:
    """All controlled lists of one catalogue."""

    departments: TermList
    themes: TermList
    regions: TermList
    frequencies: TermList
    levels: TermList
    # Working days for frequencies promised in working days; None: the
    # shipped calendars (the catalogue's calendars/ folder adds years).
    calendar: WorkCalendar | None = field(default=None, compare=False, repr=False)

    def department(self, code: str) -> Department | None:
        term = self.departments.get(code)
        return term if isinstance(term, Department) else None

    def frequency(self, code: str) -> Frequency | None:
        term = self.frequencies.get(code)
        return term if isinstance(term, Frequency) else None

    def level(self, code: str) -> Level | None:
        term = self.levels.get(code)
        return term if isinstance(term, Level) else None


class VocabularyError(ValueError):
    """The vocabulary file is malformed; the message names the entry."""


def _terms(kind: str, raw: Iterable[Any], factory: type[Term]) -> TermList:
    terms: list[Term] = []
    seen: set[str] = set()
    for index, item in enumerate(raw or []):
        if not isinstance(item, Mapping) or "code" not in item or "name" not in item:
            raise VocabularyError(
                f"{kind}[{index}]: each entry needs 'code' and 'name' (got {item!r})"
            )
        code = str(item["code"])
        if code in seen:
            raise VocabularyError(f"{kind}[{index}]: code {code!r} is listed twice")
        seen.add(code)
        kwargs: dict[str, Any] = {
            "code": code,
            "name": str(item["name"]),
            "aliases": tuple(str(a) for a in item.get("aliases") or ()),
            "description": str(item.get("description") or ""),
        }
        if factory is Department:
            kwargs["short_name"] = str(item.get("short_name") or "")
            kwargs["contact_email"] = str(item.get("contact_email") or "")
            kwargs["contact_phone"] = str(item.get("contact_phone") or "")
            kwargs["data_officer_email"] = str(item.get("data_officer_email") or "")
            for key in ("contact_email", "contact_phone", "data_officer_email"):
                scheme = unsafe_scheme(kwargs[key])
                if scheme is not None:
                    raise VocabularyError(f"{kind}[{index}] ({code}): {key} is a {scheme[:20]}: "
                                          "link; give an e-mail address or a telephone number")
        if factory is Frequency:
            for key in ("max_age_days", "max_age_working_days"):
                value = item.get(key)
                if value is not None and (isinstance(value, bool) or int(value) < 1):
                    raise VocabularyError(f"{kind}[{index}] ({item.get('code')}): {key} must be "
                                          "a whole number of days, at least 1")
                kwargs[key] = int(value) if value is not None else None
            if kwargs["max_age_days"] is not None and kwargs["max_age_working_days"] is not None:
                raise VocabularyError(f"{kind}[{index}] ({item.get('code')}): give either "
                                      "max_age_days or max_age_working_days, not both")
        if factory is Level:
            kwargs["open_types"] = _open_types(kind, index, code, item.get("open_types"))
        terms.append(factory(**kwargs))
    return TermList(kind, tuple(terms))


def _open_types(kind: str, index: int, code: str, raw: Any) -> tuple[str, ...]:
    """The ``open_types`` of a level entry, checked against the known codes.

    Raises:
        VocabularyError: not a list, or a value that is no open type.
    """
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw:
        raise VocabularyError(f"{kind}[{index}] ({code}): open_types must be a non-empty list "
                              f"of {', '.join(OPEN_TYPE_CODES)}")
    values = tuple(str(v) for v in raw)
    for value in values:
        if value not in OPEN_TYPE_CODES:
            raise VocabularyError(f"{kind}[{index}] ({code}): open_types lists {value!r}; "
                                  f"use {', '.join(OPEN_TYPE_CODES)}")
    return values


def vocabularies_from_mapping(data: Mapping[str, Any]) -> Vocabularies:
    """Build the vocabularies from the parsed YAML file.

    Raises:
        VocabularyError: an entry lacks a code or name, or a code repeats.
    """
    return Vocabularies(
        departments=_terms("departments", data.get("departments", []), Department),
        themes=_terms("themes", data.get("themes", []), Term),
        regions=_terms("regions", data.get("regions", []), Term),
        frequencies=_terms("update_frequencies", data.get("update_frequencies", []), Frequency),
        levels=_terms("levels", data.get("levels", []), Level),
    )
