"""A dataset's quality score: criteria a user can check, shown as a badge
with the list (in the spirit of data.gouv.fr's quality indicator).

Each criterion passes, fails, or is not applicable; the score is the share
of applicable criteria that pass, 0–100.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.catalogue.freshness import Freshness, update_status
from domain.catalogue.model import MACHINE_READABLE_FORMATS, Dataset, OpenType
from domain.catalogue.vocabulary import Vocabularies

MIN_SUMMARY_CHARS = 40


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str  # shown to the public
    passed: bool | None  # None: not applicable to this dataset
    hint: str = ""  # what would make it pass (for data officers)


@dataclass(frozen=True)
class QualityScore:
    criteria: tuple[Criterion, ...]

    @property
    def score(self) -> int:
        applicable = [c for c in self.criteria if c.passed is not None]
        if not applicable:
            return 0
        return round(100 * sum(bool(c.passed) for c in applicable) / len(applicable))


def quality(dataset: Dataset, vocab: Vocabularies, today: date, *,
            portal_has_terms: bool = True, overdue_reports: int | None = None,
            freshness: Freshness | None = None) -> QualityScore:
    """Score ``dataset`` on seven criteria. ``overdue_reports`` is how many of
    its error reports are unanswered past their deadline (000 §25, 004 §17);
    None when the build does not know (the criterion is then not applicable).
    ``freshness``: the dataset's update status on ``today`` when the caller
    has it (else worked out here: the same)."""
    fields = [f for r in dataset.resources for f in r.fields]
    documented = bool(fields) and all(f.title for f in fields) and \
        sum(bool(f.description) for f in fields) * 2 >= len(fields)
    if freshness is None:
        freshness = update_status(dataset, vocab, today).freshness
    unconditional = dataset.open_type is OpenType.UNCONDITIONAL
    criteria = (
        Criterion("documented", "数据字典完整（每项有中文名称，多数有说明）",
                  documented if dataset.resources else None,
                  "give every column a title and most a description"),
        Criterion("machine_readable", "提供机器可读格式",
                  any(f in MACHINE_READABLE_FORMATS for f in dataset.formats),
                  "publish CSV or JSON"),
        Criterion("files_held", "数据文件可在本平台获取",
                  bool(dataset.resources) if unconditional else None,
                  "add the data files under resources"),
        Criterion("on_time", "按更新频度及时更新",
                  None if freshness in (Freshness.UNSCHEDULED, Freshness.RETIRED)
                  else freshness is not Freshness.OVERDUE,
                  "update the data and last_updated"),
        Criterion("described", f"摘要不少于 {MIN_SUMMARY_CHARS} 字",
                  len(dataset.summary) >= MIN_SUMMARY_CHARS,
                  "describe content, coverage and source"),
        Criterion("terms", "注明使用协议或使用要求",
                  bool(dataset.licence or dataset.usage_requirements or portal_has_terms),
                  "state the licence or usage requirements"),
        Criterion("reports_answered", "没有逾期未答复的数据纠错",
                  None if overdue_reports is None else overdue_reports == 0,
                  "answer the error reports past their deadline (/review/reports)"),
    )
    return QualityScore(criteria)
