"""The builder reads the deployment's profile from portal.yaml: the guide
page lists its periods, citing only its regulation (or 本局规定); an
unknown profile is a portal.yaml problem."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from domain.catalogue.catalog import load_portal_info
from domain.periods.citations import REGULATIONS
from tests.conftest import run_build


def _guide(catalog: Path, tmp_path: Path, profile: str) -> str:
    portal = catalog / "portal.yaml"
    portal.write_text(portal.read_text(encoding="utf-8") + f"profile: {profile}\n",
                      encoding="utf-8")
    out = tmp_path / "site"
    run_build(catalog, out)
    return (out / "guide" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(("profile", "row"), [
    ("wanzhou", "<td>数据提供部门答复有条件开放申请</td><td>10（经负责人同意可延长，最长 10）</td>"
                "<td>平台收到申请之日（形式审查在期限内进行，不延后届满日）</td>"
                "<td>《万州区政务数据资源管理办法》第三十一条</td>"),
    ("guizhou-measures", "<td>规范性审核（大数据主管部门）</td><td>5</td><td>平台收到申请之日</td>"
                         "<td>《贵州省政务数据资源管理办法》第三十一条</td>"),
    ("guizhou-regulation", "<td>第三方提出意见</td><td>15</td><td>第三方收到征求意见书之日</td>"
                           "<td>本局规定（参照《贵州省政府数据共享开放条例》修订前第二十五条）</td>"),
])
def test_the_guide_lists_the_deployments_periods(catalog_copy: Path, tmp_path: Path,
                                                 profile: str, row: str) -> None:
    html = _guide(catalog_copy, tmp_path, profile)
    table = re.search(r'<table class="pt-table" id="period-table">.*?</table>', html, re.S)
    assert table and row in table.group(0).replace("\n", "")
    titles = {f"《{t}》" for t in REGULATIONS.values() if f"《{t}》" in table.group(0)}
    assert len(titles) == 1  # its own regulation only
    assert "§" not in table.group(0)


def test_an_unknown_profile_is_a_portal_yaml_problem(catalog_copy: Path) -> None:
    portal = catalog_copy / "portal.yaml"
    portal.write_text(portal.read_text(encoding="utf-8") + "profile: guizhou\n",
                      encoding="utf-8")
    found: list = []  # type: ignore[type-arg]
    info = load_portal_info(catalog_copy, found)
    assert [p.code for p in found] == ["portal-config-invalid"]
    assert "guizhou-measures, anhui" in str(found[0])
    assert info.profile == "guizhou-measures"
