"""What ``portal import`` did: counts, the rows skipped and why, the values
left unmapped, the vocabulary entries it added, for the operator and tests."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class ImportReport:
    """What an import did, for the operator and for tests."""

    imported: int = 0  # descriptors written
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row, reason)
    # field -> raw values that matched no vocabulary term (or no date), with counts
    unmapped: dict[str, Counter[str]] = field(default_factory=dict)
    new_departments: list[str] = field(default_factory=list)  # names, first-seen order
    warnings: list[str] = field(default_factory=list)
    department_codes: dict[str, str] = field(default_factory=dict)  # new name -> code
    open_types: Counter[str] = field(default_factory=Counter)
    # "scope.field" of each operator default -> rows that took it
    defaults_applied: dict[str, int] = field(default_factory=dict)
    identifiers: list[str] = field(default_factory=list)
    row_identifiers: dict[int, str] = field(default_factory=dict)  # source row -> identifier
    # What `portal check` will say of the descriptors written (metadata rules):
    with_errors: int = 0  # datasets with at least one error (the build withholds them)
    errors_by_code: Counter[str] = field(default_factory=Counter)
    rows: int = 0  # rows read, blank lines aside
    source: str = ""
    seconds: float = 0.0

    def summary(self) -> str:
        """An English report: counts, defaults applied, unmapped values by field
        with counts (most frequent first), new departments, skipped rows and
        warnings."""
        lines = [f"Imported {self.imported} of {self.rows} rows from {self.source or 'the source'}"
                 f" in {self.seconds:.1f} s; skipped {len(self.skipped)}."]
        if self.imported:
            lines.append(f"portal check will find errors in {self.with_errors} of "
                         f"{self.imported} datasets (portal build withholds them until fixed)"
                         + (": " + ", ".join(f"{code} {n}" for code, n in
                                             self.errors_by_code.most_common())
                            if self.errors_by_code else "") + ".")
        if self.open_types:
            lines.append("By open type: " + ", ".join(
                f"{k or '(empty)'} {n}" for k, n in self.open_types.most_common()) + ".")
        if self.defaults_applied:
            lines.append("Operator defaults taken by rows that had no value (listed under "
                         "import_defaults in each descriptor):")
            lines.extend(f"  {key}: {n} rows" for key, n in self.defaults_applied.items())
        if self.unmapped:
            lines.append("Unmapped values (code left empty, raw text kept under import_unmapped; "
                         "resolve them with a value map or vocabulary aliases):")
            for name, counts in self.unmapped.items():
                lines.append(f"  {name}: {len(counts)} distinct, {sum(counts.values())} rows")
                lines.extend(f"    {n:6d}  {raw}" for raw, n in counts.most_common())
        if self.new_departments:
            lines.append(f"New departments added to vocabularies.yaml: {len(self.new_departments)}")
            lines.extend(f"  {self.department_codes.get(name, '?'):6s} {name}"
                         for name in self.new_departments[:20])
            if len(self.new_departments) > 20:
                lines.append(f"  ... and {len(self.new_departments) - 20} more")
        if self.skipped:
            lines.append("Skipped rows:")
            lines.extend(f"  row {row}: {reason}" for row, reason in self.skipped)
        if self.warnings:
            lines.append("Warnings:")
            lines.extend(f"  - {w}" for w in self.warnings)
        return "\n".join(lines)

