"""The shared writer of the sample catalogue: the ``datapackage.yaml`` of a
``Spec``, its CSV files, and the removal of the folders an earlier run wrote.
Every number is formatted by its generator so that the bytes never vary.
"""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from sample.common import (
    CONDITIONAL_LICENCE,
    CONDITIONAL_USAGE,
    GENERATED_MARK,
    IDENTIFIER_RE,
    NOT_OPEN_USAGE,
    OPEN_LICENCE,
    OPEN_USAGE,
)
from sample.model import FlowList, FlowMap, Spec, Table


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(FlowMap, lambda d, data: d.represent_mapping(
    "tag:yaml.org,2002:map", list(data.items()), flow_style=True))
_Dumper.add_representer(FlowList, lambda d, data: d.represent_sequence(
    "tag:yaml.org,2002:seq", list(data), flow_style=True))


def dump_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=4096)


def cell(value: Any) -> str:
    """The CSV text of a value. Floats are refused: every number is
    formatted by its generator, so the text never depends on repr()."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        raise TypeError(f"format the float {value!r} explicitly")
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, (int, str, date)):
        return str(value) if not isinstance(value, date) else value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to CSV")


def csv_bytes(table: Table) -> bytes:
    names = [f["name"] for f in table.fields]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(names)
    for row in table.rows:
        if len(row) != len(names):
            raise ValueError(f"{table.name}: row of {len(row)} values for {len(names)} fields")
        writer.writerow([cell(v) for v in row])
    return buf.getvalue().encode("utf-8")


def descriptor(spec: Spec, departments: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The datapackage.yaml mapping of a dataset (docs/catalogue-format.md)."""
    dept = departments[spec.department]
    levels = {"unconditional": "L1", "conditional": "L2", "not_open": "L3"}
    usages = {"unconditional": OPEN_USAGE, "conditional": CONDITIONAL_USAGE,
              "not_open": NOT_OPEN_USAGE}
    data: dict[str, Any] = {
        "name": spec.identifier,
        "title": spec.title,
        "description": spec.description,
        "keywords": FlowList(spec.keywords),
        "department": spec.department,
        "theme": spec.theme,
        "region": spec.region,
        "open_type": spec.open_type,
    }
    if spec.open_type != "not_open":
        data["provision"] = FlowList(spec.provision)
    data["update_frequency"] = spec.update_frequency
    data["last_updated"] = spec.last_updated
    data["published"] = spec.published
    data["level"] = spec.level or levels[spec.open_type]
    data["usage_requirements"] = spec.usage_requirements or usages[spec.open_type]
    if spec.open_conditions:
        data["open_conditions"] = spec.open_conditions
    if spec.legal_basis:
        data["legal_basis"] = spec.legal_basis
    if spec.status:
        data["status"] = spec.status
    if spec.withdrawal:
        data["withdrawal"] = {"date": spec.withdrawal[0], "reason": spec.withdrawal[1]}
    if spec.invalidation:
        data["invalidation"] = {"date": spec.invalidation[0], "reason": spec.invalidation[1]}
    if spec.emergency:
        data["emergency"] = FlowMap(event=spec.emergency[0], since=spec.emergency[1])
    if spec.temporal:
        start, end = spec.temporal
        data["temporal"] = FlowMap(start=start, end=end) if end else FlowMap(start=start)
    data["contact"] = FlowMap(name=f"{dept['short_name']}{spec.office}",
                              phone=dept["contact_phone"], email=dept["contact_email"])
    if spec.open_type == "unconditional":
        data["licenses"] = [FlowMap(OPEN_LICENCE)]
    elif spec.open_type == "conditional":
        data["licenses"] = [FlowMap(CONDITIONAL_LICENCE)]
    resources = []
    for table in spec.tables:
        schema: dict[str, Any] = {"fields": table.fields}
        if table.primary_key:
            schema["primaryKey"] = FlowList(table.primary_key)
        resource: dict[str, Any] = {
            "name": table.name, "path": table.path, "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "title": table.title,
        }
        if table.description:
            resource["description"] = table.description
        resource["schema"] = schema
        resources.append(resource)
    data["resources"] = resources
    return data


def write_dataset(out: Path, spec: Spec, departments: dict[str, dict[str, Any]]) -> None:
    folder = out / spec.identifier
    (folder / "data").mkdir(parents=True, exist_ok=True)
    header = f"{GENERATED_MARK}; edit the script, not this file.\n"
    text = header + dump_yaml(descriptor(spec, departments))
    (folder / "datapackage.yaml").write_bytes(text.encode("utf-8"))
    for table in spec.tables:
        (folder / table.path).write_bytes(csv_bytes(table))


def remove_generated(out: Path) -> list[str]:
    """Delete the dataset folders an earlier run wrote (and only those)."""
    removed = []
    for child in sorted(out.iterdir()):
        descriptor_path = child / "datapackage.yaml"
        if not (child.is_dir() and IDENTIFIER_RE.match(child.name) and descriptor_path.is_file()):
            continue
        with descriptor_path.open("rb") as handle:
            first = handle.readline().decode("utf-8", "replace")
        if first.startswith(GENERATED_MARK):
            shutil.rmtree(child)
            removed.append(child.name)
    return removed
