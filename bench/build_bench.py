"""Build benchmark (issue 17): `python -m bench.build_bench [N ...] [--rounds R]`
(default 1000 10000, two rounds; `make bench`).

For each N it makes a synthetic catalogue (``bench.synthetic``, not timed;
kept under bench/out/build/ and reused while N is the same), then runs each
program in its own process, alternately so that a busy machine weighs on
both alike:

  full   a first build into an empty site and an empty build cache;
  floor  ``bench.build_floor``: the same pages rendered with plain jinja2
         and written, nothing else (catalogue loading included);
  — repeated R times (full floor full floor …), then —
  noop   a rebuild with nothing changed;
  one    a rebuild after one dataset's title changed (must write one page);
  — repeated R times (noop one noop one …).

Each line gives wall seconds, CPU seconds (user + system of the process
and its pool workers) and peak memory; each full/floor pair its ratio, on
wall and on CPU. The load average is printed before and after each size.
Goals (issue 17): full ≤ 2 × floor at 10,000; one change ≤ 5 s at 10,000
and ≤ 10 s at 100,000.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
from pathlib import Path

from bench.scale_bench import BUILD, load_average, timed
from bench.scale_bench import line as figures_line
from bench.synthetic import kept_catalog

OUT = Path(__file__).resolve().parent / "out" / "build"


def _retitle(root: Path, round_: int) -> None:
    """Change one dataset's title (a different title each round)."""
    folders = sorted(p for p in root.iterdir() if p.is_dir())
    folder = folders[len(folders) // 2]
    descriptor = folder / "datapackage.yaml"
    lines = descriptor.read_text(encoding="utf-8").splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.startswith("title: "):
            lines[index] = f"title: 修订{round_} " + line[len("title: "):].lstrip("修订0123456789 ")
            break
    descriptor.write_text("".join(lines), encoding="utf-8")


def run(n: int, rounds: int) -> None:
    python = sys.executable
    root = kept_catalog(OUT, n)
    site, cache, floor = OUT / f"site-{n}", OUT / f"cache-{n}", OUT / f"floor-{n}"
    build = [python, "-c", BUILD, str(root), str(site), str(cache)]
    print(f"{n:,} datasets (load {load_average()})", flush=True)
    ratios_wall, ratios_cpu = [], []
    for _ in range(rounds):
        for folder in (site, cache):
            shutil.rmtree(folder, ignore_errors=True)
        full = timed(build)
        figures_line("full", full)
        shutil.rmtree(floor, ignore_errors=True)
        low = timed([python, "-m", "bench.build_floor", str(root), str(floor),
                     "--shell", str(cache / "theme" / "shell.html")])
        ratio_wall = float(full["wall"]) / float(low["wall"])
        ratio_cpu = float(full["cpu"]) / float(low["cpu"])
        ratios_wall.append(ratio_wall)
        ratios_cpu.append(ratio_cpu)
        figures_line("floor", low, f"full/floor wall {ratio_wall:.2f} cpu {ratio_cpu:.2f}  ")
    for round_ in range(rounds):
        figures_line("noop", timed(build))
        _retitle(root, round_ + 1)
        one = timed(build)
        if "pages written 1 " not in str(one["out"]):
            raise SystemExit(f"one change should write one dataset page: {one['out']}")
        figures_line("one", one)
    print(f"  full/floor median: wall {statistics.median(ratios_wall):.2f}, "
          f"cpu {statistics.median(ratios_cpu):.2f} (goal ≤ 2)  load {load_average()}",
          flush=True)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    print(f"load average before: {load_average()}", flush=True)
    for n in args.sizes:
        run(n, args.rounds)
    print(f"load average after: {load_average()}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
