"""Relevance of the embedded search engine, and of Datasette's full-text
search for comparison: `python -m bench.relevance [--shanghai PATH] [-v]`.

Runs the judged queries of bench/judged_queries.yaml against two catalogues:
the sample catalogue (datasets/, built with the real builder) and the real
Shanghai catalogue (../shared/real-catalogs/shanghai_shanghai.json, read by
``shanghai_records``). For each engine and catalogue it prints the mean
reciprocal rank of the first relevant hit (MRR), recall@10 (relevant hits in
the top ten / min(10, relevant), see the YAML header) and how many queries
found nothing. Datasette runs on 127.0.0.1 over an SQLite file with its
(sqlite-utils style) FTS5 table on title and summary and is queried through
its JSON API with ``_search``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bench.search_bench import datasette, datasette_db, datasette_search

REPO = Path(__file__).resolve().parent.parent
JUDGED = Path(__file__).with_name("judged_queries.yaml")
SHANGHAI = REPO.parent / "shared" / "real-catalogs" / "shanghai_shanghai.json"
TODAY = date(2026, 11, 23)

OPEN_TYPES = {"无条件开放": "unconditional", "有条件开放": "conditional"}
FREQUENCIES = {"即时": "realtime", "实时": "realtime", "每天": "daily", "每周": "weekly",
               "每月": "monthly", "每季度": "quarterly", "每半年": "semiannual",
               "每年": "yearly", "不定期更新": "irregular", "静态数据": "static"}


def shanghai_records(path: Path) -> list[dict[str, Any]]:
    """The Shanghai portal's rows as public records (the fields the search
    uses). id = "sh-" + the row's index in the file, so ids are stable for as
    long as the file is; department and theme codes are the portal's names."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    records = []
    for index, row in enumerate(rows):
        open_name = row.get("开放属性") or ""
        frequency = row.get("更新频度") or ""
        tags = [t.strip() for t in (row.get("数据标签") or "").split(",")
                if t.strip() and not t.strip().startswith("SODA")]
        department = row.get("数据提供方") or ""
        theme = row.get("数据领域") or ""
        records.append({
            "id": f"sh-{index:04d}", "title": row.get("数据集名称") or "",
            "summary": row.get("摘要") or "", "keywords": tags,
            "department": department, "department_name": department,
            "theme": theme, "theme_name": theme, "region": "310000", "region_name": "上海市",
            "open_type": OPEN_TYPES.get(open_name, "unconditional"), "open_type_name": open_name,
            "formats": sorted({str(f).lower() for f in row.get("数据格式") or []}),
            "update_frequency": FREQUENCIES.get(frequency, "irregular"),
            "update_frequency_name": frequency,
            "last_updated": row.get("更新日期") or None, "published": row.get("首次发布日期"),
            "status": "active", "freshness": "current", "url": row.get("详情页网址") or "",
        })
    return records


def sample_records(tmp: Path) -> list[dict[str, Any]]:
    """The sample catalogue's public records, built with the real builder."""
    from builder.build import BuildConfig, build

    build(BuildConfig(catalog_dir=REPO / "datasets", out_dir=tmp / "site", today=TODAY,
                      cache_dir=tmp / "cache"))
    catalog = json.loads((tmp / "site" / "catalog.json").read_text(encoding="utf-8"))
    return list(catalog["datasets"])


def scores(found: Sequence[str], relevant: set[str]) -> tuple[float, float]:
    """(reciprocal rank of the first relevant id, recall@10 capped at min(10, |relevant|))."""
    rr = next((1.0 / (rank + 1) for rank, i in enumerate(found) if i in relevant), 0.0)
    top = set(found[:10])
    return rr, len(top & relevant) / min(10, len(relevant))


def evaluate(search: Callable[[str], list[str]], queries: list[dict[str, Any]],
             verbose: bool, label: str) -> dict[str, dict[str, float]]:
    """MRR, recall@10 and empty answers of ``search`` over ``queries``: under
    "all", and under "typed" for the pinyin and typing-slip queries (those
    with a ``meant`` word)."""
    per_query: list[tuple[bool, float, float, bool]] = []
    for query in queries:
        found = search(str(query["q"]))
        rr, recall = scores(found, set(query["relevant"]))
        per_query.append(("meant" in query, rr, recall, not found))
        if verbose:
            print(f"    {label:<10} {query['q']:<12} rr {rr:.2f} recall@10 {recall:.2f} "
                  f"top3 {found[:3]}")
    out = {}
    for part, rows in (("all", per_query), ("typed", [r for r in per_query if r[0]])):
        n = len(rows)
        if n:
            out[part] = {"n": n, "mrr": sum(r[1] for r in rows) / n,
                         "recall": sum(r[2] for r in rows) / n,
                         "empty": sum(r[3] for r in rows)}
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shanghai", type=Path, default=SHANGHAI,
                        help=f"the Shanghai catalogue JSON (default {SHANGHAI})")
    parser.add_argument("--no-datasette", action="store_true", help="skip the comparison")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every query")
    args = parser.parse_args(argv)
    from search_api.engine import SearchQuery, load_synonyms
    from search_api.engine.embedded import EmbeddedEngine

    judged = yaml.safe_load(JUDGED.read_text(encoding="utf-8"))["queries"]
    results: dict[tuple[str, str], dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        catalogues: dict[str, list[dict[str, Any]]] = {"sample": sample_records(tmp / "sample")}
        if args.shanghai.exists():
            catalogues["shanghai"] = shanghai_records(args.shanghai)
        else:
            print(f"skipping the Shanghai queries: {args.shanghai} not found")
        for name, records in catalogues.items():
            queries = [q for q in judged if q["catalogue"] == name]
            known = {r["id"] for r in records}
            unknown = {i for q in queries for i in q["relevant"]} - known
            if unknown:
                raise SystemExit(f"judged ids not in the {name} catalogue: {sorted(unknown)}")
            if args.verbose:
                print(f"{name}: {len(records)} records, {len(queries)} judged queries")
            engine = EmbeddedEngine(tmp / f"{name}.sqlite3", synonyms=load_synonyms({}))
            engine.index(records)

            def ours(q: str, engine: EmbeddedEngine = engine) -> list[str]:
                query = SearchQuery(q=q, per_page=10, autocorrect=True)  # as /api/v1/search
                return [h.record["id"] for h in engine.search(query).hits]

            results[(name, "embedded")] = evaluate(ours, queries, args.verbose, "embedded")
            engine.close()
            if not args.no_datasette:
                db = datasette_db(tmp / f"{name}_ds.db", records)
                with datasette(db) as base:
                    def theirs(q: str, base: str = base, db: Path = db) -> list[str]:
                        return datasette_search(base, db.stem, q, size=10)[0]

                    results[(name, "datasette")] = evaluate(theirs, queries, args.verbose,
                                                            "datasette")
    print(f"\n{'catalogue':<10} {'engine':<10} {'queries':>7} {'MRR':>6} {'recall@10':>10} "
          f"{'no result':>10}")
    engines = sorted({e for _, e in results}, key=["embedded", "datasette"].index)
    for engine_name in engines:
        for part, title in (("all", "overall"), ("typed", "typed")):
            rows = [(c, r[part]) for (c, e), r in results.items() if e == engine_name
                    and part in r]
            if not rows:
                continue
            for catalogue, r in rows:
                label = catalogue if part == "all" else f"{catalogue}*"
                print(f"{label:<10} {engine_name:<10} {r['n']:>7} {r['mrr']:>6.3f} "
                      f"{r['recall']:>10.3f} {r['empty']:>10}")
            n = sum(r["n"] for _, r in rows)
            mrr = sum(r["mrr"] * r["n"] for _, r in rows) / n
            recall = sum(r["recall"] * r["n"] for _, r in rows) / n
            empty = sum(r["empty"] for _, r in rows)
            print(f"{title:<10} {engine_name:<10} {n:>7} {mrr:>6.3f} {recall:>10.3f} "
                  f"{empty:>10}")
    print("* = only the pinyin and typing-slip queries (those with `meant`), "
          "also counted above")
    return 0


if __name__ == "__main__":
    sys.exit(main())
