"""A dataset page previews its table whatever the resource's format: a TSV,
JSON or XLSX resource's page showed no preview or one column, because the
preview read the site's CSV copy as if it were written in the resource's
format (found in the dataset-stage review)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from openpyxl import Workbook

from tests.conftest import MINIMAL, run_build

ROWS = [["S0001", "人民广场", "121.4737", "31.2304"], ["S0002", "火车站北广场", "121.4560", "31.2500"]]
HEADER = ["stop_id", "stop_name", "longitude", "latitude"]


def _write(folder: Path, fmt: str) -> str:
    path = folder / f"bus-stops.{fmt}"
    if fmt == "tsv":
        with path.open("w", encoding="utf-8", newline="") as out:
            csv.writer(out, delimiter="\t").writerows([HEADER, *ROWS])
    elif fmt == "json":
        path.write_text(json.dumps([dict(zip(HEADER, r, strict=True)) for r in ROWS],
                                   ensure_ascii=False), encoding="utf-8")
    else:
        book = Workbook()
        sheet = book.active
        for row in [HEADER, *ROWS]:
            sheet.append(row)
        book.save(path)
    return path.name


@pytest.mark.parametrize("fmt", ["tsv", "json", "xlsx"])
def test_the_page_previews_a_resource_of_any_table_format(fmt: str, tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(MINIMAL, catalog)
    data = catalog / "bus-stops" / "data"
    (data / "bus-stops.csv").unlink()
    name = _write(data, fmt)
    descriptor_path = catalog / "bus-stops" / "datapackage.yaml"
    descriptor = yaml.safe_load(descriptor_path.read_text("utf-8"))
    descriptor["resources"][0].update(path=f"data/{name}", format=fmt)
    descriptor_path.write_text(yaml.safe_dump(descriptor, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "site"
    run_build(catalog, out)
    page = next(p for p in out.rglob("index.html") if "jtj-0001" in p.parent.name)
    table = BeautifulSoup(page.read_text("utf-8"), "html.parser").find(
        "h3", string=lambda s: bool(s and s.startswith("数据预览")))
    assert table is not None, f"no preview on the page of a {fmt} resource"
    cells = [[td.get_text() for td in tr.find_all("td")]
             for tr in table.find_next("table").find_all("tr") if tr.find_all("td")]
    assert [c[:2] for c in cells] == [r[:2] for r in ROWS]
