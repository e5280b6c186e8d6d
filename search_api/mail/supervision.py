"""Who an overdue-supervision reminder reaches, and on what basis.

A period of the department (the provider's reply, a delivery, an error
report) that is due soon or overdue is reminded to the department, its
head and its data officer (数据专员), and to the data authority, which
supervises: 002 §44 has the authority warn of overdue items (报送逾期预警);
000 §43 has it push overdue items to the department's 主要负责人、分管
负责人和数据专员 (written for sharing; applied to opening as bureau
policy). Each reminder names its basis under the deployment's profile
(``supervision_authority``, ``supervision_department``), bureau policy
where its text says nothing. A period the authority itself must keep (the
normative review or the platform's formal check) is reminded to the
authority only.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.periods.profiles import Profile
from domain.procedures.roles import AUTHORITY


@dataclass(frozen=True)
class Target:
    """One recipient of a reminder: outbox role and address, and the basis
    code of sending it to them."""

    role: str
    address: str
    basis: str


def targets(profile: Profile, department: str, responsible: str, *,
            authority_too: bool = True) -> list[Target]:
    """The recipients of a reminder of a period ``responsible`` (a role
    name) must keep for ``department``; ``authority_too`` False leaves the
    supervising authority out (e.g. while a report is only due soon)."""
    to_authority = profile.basis["supervision_authority"]
    if responsible == "authority_reviewer":
        return [Target("authority_reviewer", AUTHORITY, to_authority)]
    to_department = profile.basis["supervision_department"]
    out = [Target("department_reviewer", f"department:{department}", to_department),
           Target("department_head", f"department_head:{department}", to_department),
           Target("data_officer", f"data_officer:{department}", to_department)]
    if authority_too:
        out.append(Target("authority_reviewer", AUTHORITY, to_authority))
    return out
