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
  beside the same one-change rebuild while another build-sized job runs
         beside it: a full build of a copy of the catalogue (kept as
         catalog-N-beside), started ``BESIDE_LEAD`` seconds before the timed
         rebuild and stopped when it ends (``--no-beside``: not run);
  — repeated R times (noop one [beside] noop one [beside] …).

Old sites and caches are moved aside and deleted after the figures
(``bench.set_aside``). Each line gives wall seconds, CPU seconds (user + system of the process
and its pool workers) and peak memory; each full/floor pair its ratio, on
wall and on CPU. The load average is printed before and after each size.
Goals (issue 17): full ≤ 2 × floor at 10,000; one change ≤ 5 s at 10,000
while another build-sized job runs beside it, and ≤ 10 s at 100,000.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.scale_bench import BUILD, REPO, load_average, timed
from bench.scale_bench import line as figures_line
from bench.set_aside import SetAside
from bench.synthetic import kept_catalog

OUT = Path(__file__).resolve().parent / "out" / "build"
# Seconds the job beside has run when the timed rebuild starts: past its
# start-up, into the loading and checking of its catalogue.
BESIDE_LEAD = 2.0


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


def _beside_job(python: str, root: Path, n: int, old: SetAside) -> subprocess.Popen[bytes]:
    """Start a full build of a copy of the catalogue (made once, kept beside
    the catalogue) into an empty site and cache: the build-sized job that
    runs beside a timed rebuild. The caller stops it (``_stop``)."""
    copy = OUT / f"catalog-{n}-beside"
    if not (copy / ".complete").is_file():
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(root, copy)
    site, cache = OUT / f"site-{n}-beside", OUT / f"cache-{n}-beside"
    old.move(site, cache)
    job = subprocess.Popen([python, "-c", BUILD, str(copy), str(site), str(cache)], cwd=REPO,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           start_new_session=True)
    time.sleep(BESIDE_LEAD)
    if job.poll() is not None:
        raise SystemExit(f"the build beside stopped early (exit code {job.returncode})")
    return job


def _stop(job: subprocess.Popen[bytes]) -> str:
    """Stop the job beside (its pool workers with it: they are in its
    session); whether it was still running when the timed run ended."""
    running = job.poll() is None
    if running:
        os.killpg(job.pid, signal.SIGTERM)
    job.wait()
    return "the build beside was still running" if running else "the build beside had ENDED"


def _one_change(build: list[str], root: Path, round_: int) -> dict[str, float | str]:
    """Change one dataset's title and time the rebuild (it must write one page)."""
    _retitle(root, round_)
    one = timed(build)
    if "pages written 1 " not in str(one["out"]):
        raise SystemExit(f"one change should write one dataset page: {one['out']}")
    return one


def run(n: int, rounds: int, old: SetAside, beside: bool = False) -> None:
    python = sys.executable
    root = kept_catalog(OUT, n)
    site, cache, floor = OUT / f"site-{n}", OUT / f"cache-{n}", OUT / f"floor-{n}"
    build = [python, "-c", BUILD, str(root), str(site), str(cache)]
    print(f"{n:,} datasets (load {load_average()})", flush=True)
    ratios_wall, ratios_cpu = [], []
    for _ in range(rounds):
        old.move(site, cache)  # not deleted now: see bench.set_aside
        full = timed(build)
        figures_line("full", full)
        old.move(floor)
        low = timed([python, "-m", "bench.build_floor", str(root), str(floor),
                     "--shell", str(cache / "theme" / "shell.html")])
        ratio_wall = float(full["wall"]) / float(low["wall"])
        ratio_cpu = float(full["cpu"]) / float(low["cpu"])
        ratios_wall.append(ratio_wall)
        ratios_cpu.append(ratio_cpu)
        figures_line("floor", low, f"full/floor wall {ratio_wall:.2f} cpu {ratio_cpu:.2f}  ")
    for round_ in range(rounds):
        figures_line("noop", timed(build))
        figures_line("one", _one_change(build, root, 2 * round_ + 1))
        if beside:
            job = _beside_job(python, root, n, old)
            try:
                one = _one_change(build, root, 2 * round_ + 2)
            finally:
                state = _stop(job)
            figures_line("beside", one, f"({state}; load {load_average()})  ")
    print(f"  full/floor median: wall {statistics.median(ratios_wall):.2f}, "
          f"cpu {statistics.median(ratios_cpu):.2f} (goal ≤ 2)  load {load_average()}",
          flush=True)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--beside", action=argparse.BooleanOptionalAction, default=True,
                        help="also time the one-change rebuild beside a full build of a copy "
                             "(default: yes)")
    args = parser.parse_args(argv)
    print(f"load average before: {load_average()}", flush=True)
    with SetAside(OUT / "set-aside") as old:
        for n in args.sizes:
            run(n, args.rounds, old, args.beside)
        print(f"load average after: {load_average()}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
