"""Build benchmark: `python -m bench.build_bench [N ...]` (default 1000 10000).

For each N it generates a synthetic catalogue (not timed), then times:
  full     a first build into an empty folder (with all downloads);
  noop     a rebuild with nothing changed;
  one      a rebuild after one dataset's title changed;
  floor    plain jinja2 rendering the same dataset pages into a bare HTML
           layout (no theme, no downloads): the lower bound to compare with.
Prints a table; work happens under bench/out/ (git-ignored).
"""

from __future__ import annotations

import shutil
import sys
import time
from datetime import date
from pathlib import Path

import jinja2

from bench.synthetic import make_catalog
from builder.build import BuildConfig, build
from builder.pages import ResourceView, dataset_context
from builder.render import environment
from domain.catalogue.catalog import load_catalog
from domain.catalogue.freshness import update_status
from domain.catalogue.publication import dataset_path, public_record

TODAY = date(2026, 11, 23)
OUT = Path(__file__).resolve().parent / "out"
BARE_LAYOUT = jinja2.Template(
    "<!doctype html><html lang=zh><head><meta charset=utf-8><title>{{ title }}</title></head>"
    "<body>{{ content }}</body></html>")


def jinja_floor(catalog_dir: Path, out: Path) -> float:
    """Seconds to render every published dataset page with plain jinja2."""
    if out.exists():
        shutil.rmtree(out)
    catalog, _ = load_catalog(catalog_dir)
    template = environment().get_template("dataset.html")
    started = time.perf_counter()
    for dataset in catalog.published():
        record = public_record(dataset, catalog.vocab, TODAY)
        status = update_status(dataset, catalog.vocab, TODAY)
        views = [ResourceView(r.name, r.title, r.description,
                              [{"name": f.name, "title": f.title, "type": f.type,
                                "description": f.description, "unit": f.unit} for f in r.fields])
                 for r in dataset.resources]
        context = dataset_context(catalog.portal, record, views, age_days=status.age_days,
                                  next_due=None, root="../../", package_url=None)
        html = BARE_LAYOUT.render(title=dataset.title, content=template.render(**context))
        target = out / dataset_path(dataset.identifier) / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
    return time.perf_counter() - started


def timed_build(catalog_dir: Path, site: Path) -> tuple[float, int]:
    started = time.perf_counter()
    result = build(BuildConfig(catalog_dir=catalog_dir, out_dir=site, today=TODAY,
                               cache_dir=site.parent / "cache"))
    return time.perf_counter() - started, result.pages_written


def run(n: int) -> dict[str, float]:
    work = OUT / f"n{n}"
    catalog_dir = make_catalog(work / "catalog", n)
    site = work / "site"
    for folder in (site, work / "cache"):
        if folder.exists():
            shutil.rmtree(folder)
    full, _ = timed_build(catalog_dir, site)
    noop, _ = timed_build(catalog_dir, site)
    changed = sorted(p for p in catalog_dir.iterdir() if p.is_dir())[n // 2] / "datapackage.yaml"
    changed.write_text(changed.read_text(encoding="utf-8").replace("title: ", "title: 修订", 1),
                       encoding="utf-8")
    one, written = timed_build(catalog_dir, site)
    assert written == 1, f"expected one page rebuilt, got {written}"
    floor = jinja_floor(catalog_dir, work / "floor")
    files = sum(1 for p in site.rglob("*") if p.is_file())
    size = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    return {"n": n, "full": full, "noop": noop, "one": one, "floor": floor,
            "files": files, "mb": size / 1e6}


def main(argv: list[str]) -> None:
    import logging

    logging.basicConfig(level=logging.WARNING)
    sizes = [int(a) for a in argv] or [1000, 10000]
    print(f"{'datasets':>9} {'full build':>11} {'no change':>10} {'one change':>11} "
          f"{'jinja2 floor':>13} {'files':>8} {'site MB':>8}")
    for n in sizes:
        r = run(n)
        print(f"{r['n']:>9,} {r['full']:>10.1f}s {r['noop']:>9.1f}s {r['one']:>10.1f}s "
              f"{r['floor']:>12.1f}s {r['files']:>8,} {r['mb']:>8.1f}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
