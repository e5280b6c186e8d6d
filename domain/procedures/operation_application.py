"""The required contents of a scenario application (000 §36(一)) checked
before anything is stored: every problem in plain Chinese for the applicant,
naming the field. The operator is a market entity (000 §34), identified by
its unified social credit code (GB 32100), with a contact person and at
least one way to reach them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from domain.procedures.identity import (
    contact_problems,
    credit_code_problems,
    normalize_identity,
)
from domain.procedures.operation_records import Operator, ScenarioApplication

LIMITS: Mapping[str, int] = {
    "scenario_title": 100, "scenario": 2000, "purpose": 2000, "security_measures": 2000,
    "organisation": 100, "credit_code": 32, "contact_name": 50, "phone": 40, "email": 254,
    "fields": 1000,
}
"""The most characters each text field keeps."""

MAX_DATASETS = 20
MIN_TEXT = 10  # a scenario, purpose or security measure said in fewer words says nothing

_REQUIRED = {
    "scenario_title": "请填写应用场景名称。",
    "scenario": "请说明应用场景：用这些数据开发什么数据服务或产品、面向谁。",
    "purpose": "请说明数据用途。",
    "security_measures": "请说明数据安全保护措施（存储、访问控制、脱敏等）。",
    "organisation": "请填写市场主体名称（营业执照上的名称）。",
    "contact_name": "请填写联系人。",
}


class ApplicationIncomplete(ValueError):
    """The application lacks a required content; ``problems`` are for the
    applicant, in Chinese."""

    code = "application-incomplete"
    status = 400

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def split_list(text: str) -> tuple[str, ...]:
    """Items of a list typed one a line or separated by commas (，、,),
    trimmed, without blanks or repeats, in their order."""
    for sep in ("，", "、", ","):
        text = text.replace(sep, "\n")
    seen: dict[str, None] = {}
    for item in (part.strip() for part in text.splitlines()):
        if item:
            seen.setdefault(item, None)
    return tuple(seen)


def build_application(values: Mapping[str, str], datasets: Sequence[str], *,
                      department_of: Mapping[str, str]) -> ScenarioApplication:
    """The application of ``values`` (cleaned texts) for ``datasets``.

    ``department_of`` maps each open dataset id to its providing department;
    an application goes to one provider (000 §36(一) 向数据提供部门提交).

    Raises:
        ApplicationIncomplete: every missing or invalid content, in Chinese.
    """
    problems = [message for name, message in _REQUIRED.items() if not values.get(name)]
    for name in ("scenario", "purpose", "security_measures"):
        if values.get(name) and len(values[name]) < MIN_TEXT:
            problems.append(f"{_LABELS[name]}写得太简略，请至少写 {MIN_TEXT} 个字。")
    problems += [f"{_LABELS[name]}不超过 {limit} 字，请缩短。" for name, limit in LIMITS.items()
                 if len(values.get(name, "")) > limit]
    problems += [f"统一社会信用代码：{p}" for p in credit_code_problems(
        values.get("credit_code", ""))]
    problems += contact_problems(values.get("phone", ""), values.get("email", ""))
    wanted = tuple(dict.fromkeys(d.strip() for d in datasets if d.strip()))
    unknown = [d for d in wanted if d not in department_of]
    departments = {department_of[d] for d in wanted if d in department_of}
    if not wanted:
        problems.append("请至少选择一个需要的数据集。")
    elif len(wanted) > MAX_DATASETS:
        problems.append(f"一次申请最多 {MAX_DATASETS} 个数据集，请分开申请。")
    if unknown:
        problems.append(f"没有这些公开数据集：{'、'.join(unknown[:5])}，请在数据目录中核对资源代码。")
    if len(departments) > 1:
        problems.append("申请应向一个数据提供部门提交：所选数据集属于不同部门，请按部门分别申请。")
    if problems:
        raise ApplicationIncomplete(problems)
    operator = Operator(
        organisation=values["organisation"], credit_code=normalize_identity(values["credit_code"]),
        contact_name=values["contact_name"], phone=values.get("phone", ""),
        email=values.get("email", ""))
    return ScenarioApplication(
        scenario_title=values["scenario_title"], scenario=values["scenario"],
        department=departments.pop(), datasets=wanted,
        fields=split_list(values.get("fields", "")), purpose=values["purpose"],
        security_measures=values["security_measures"], operator=operator)


_LABELS = {"scenario_title": "应用场景名称", "scenario": "应用场景", "purpose": "数据用途",
           "security_measures": "安全保护措施", "organisation": "市场主体名称",
           "credit_code": "统一社会信用代码", "contact_name": "联系人", "phone": "联系电话",
           "email": "电子邮箱", "fields": "所需字段"}
