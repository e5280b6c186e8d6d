"""Synthetic catalogues for benchmarks: N datasets of the sample city's
vocabularies, each with a small CSV, made deterministically."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
WORDS = ["公交", "地铁", "医院", "学校", "幼儿园", "药店", "停车场", "充电桩", "公园", "图书馆",
         "企业", "许可", "处罚", "空气质量", "水质", "养老", "就业", "社保", "住房", "景区",
         "道路", "桥梁", "路灯", "公厕", "菜市场", "体育场馆", "文物", "避难场所", "消防站", "派出所"]
# libyaml's dumper: a 100,000-dataset catalogue is written in minutes, not tens.
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
SUFFIXES = ["信息", "名录", "统计", "分布", "公示", "监测数据", "基本情况", "年度报告"]


def kept_catalog(out: Path, n: int) -> Path:
    """The synthetic catalogue of ``n`` datasets under ``out/catalog-N``,
    made once and reused by every benchmark run with the same ``n``."""
    root = out / f"catalog-{n}"
    if not (root / ".complete").is_file():
        make_catalog(root, n)
        (root / ".complete").write_text("", encoding="utf-8")
    return root


def make_catalog(root: Path, n: int, seed: int = 7, rows: int = 20) -> Path:
    """Write a catalogue of ``n`` datasets under ``root`` and return it."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    for name in ("portal.yaml", "vocabularies.yaml"):
        shutil.copyfile(REPO / "datasets" / name, root / name)
    vocab = yaml.safe_load((REPO / "datasets" / "vocabularies.yaml").read_text(encoding="utf-8"))
    departments = [d["code"] for d in vocab["departments"]]
    themes = [t["code"] for t in vocab["themes"]]
    rng = random.Random(seed)
    for i in range(n):
        dept = departments[i % len(departments)]
        identifier = f"{dept}-{i:06d}"
        folder = root / identifier
        (folder / "data").mkdir(parents=True)
        open_type = "conditional" if i % 5 == 4 else "unconditional"
        word = rng.choice(WORDS)
        title = f"{rng.choice(['全市', '新城区', '江北区', '云山县'])}{word}{rng.choice(SUFFIXES)}"
        descriptor = {
            "name": identifier, "title": title,
            "description": f"{title}，包含名称、地址、类别和更新时间等{rng.randint(4, 12)}项信息。",
            "keywords": [word, rng.choice(WORDS)],
            "department": dept, "theme": rng.choice(themes), "region": "990100",
            "open_type": open_type, "update_frequency": rng.choice(["monthly", "yearly", "quarterly"]),
            "last_updated": f"2026-{rng.randint(9, 11):02d}-{rng.randint(1, 20):02d}",
            "published": f"20{rng.randint(20, 25)}-{rng.randint(1, 12):02d}-01",
            "level": "L1",
            "resources": [{
                "name": "data", "path": "data/data.csv", "format": "csv", "title": title,
                "schema": {"fields": [
                    {"name": "id", "type": "integer", "title": "序号"},
                    {"name": "name", "type": "string", "title": "名称"},
                    {"name": "address", "type": "string", "title": "地址"},
                    {"name": "value", "type": "number", "title": "数值"},
                ]},
            }],
        }
        if open_type == "conditional":
            descriptor["open_conditions"] = "仅限科研用途，需签署数据使用承诺书。"
            descriptor["legal_basis"] = "《云河市公共数据开放管理办法》第十二条"
        (folder / "datapackage.yaml").write_text(
            yaml.dump(descriptor, Dumper=DUMPER, allow_unicode=True, sort_keys=False),
            encoding="utf-8")
        lines = ["id,name,address,value"]
        for r in range(rows):
            lines.append(f"{r + 1},{word}{r + 1}号点,云河市新城区{rng.choice(WORDS)}路{rng.randint(1, 999)}号,"
                         f"{rng.randint(0, 100000) / 100}")
        (folder / "data" / "data.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root
