"""Who acts in the portal's procedures: the same roles for every kind of case
(separate duties, no over-reach of rights: 002 §42, §44)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    APPLICANT = "applicant"
    AUTHORITY_REVIEWER = "authority_reviewer"  # 大数据主管部门, normative review (000 §31)
    DEPARTMENT_REVIEWER = "department_reviewer"  # 数据提供部门, decides (003 §25)
    DEPARTMENT_HEAD = "department_head"  # 部门负责人, approves an extension (003 §25)
    AUDITOR = "auditor"  # reads the record, acts on nothing (002 §42 separate duties)
    THIRD_PARTY = "third_party"  # whose lawful rights the data touches (003 §25)
    SYSTEM = "system"  # scheduled jobs and the platform itself


# The big-data authority (大数据主管部门) where a department code or a mail
# recipient is expected: the messages to its reviewers are addressed to it,
# and the counts of what it answered itself are kept under it.
AUTHORITY = "authority"
