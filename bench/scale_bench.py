"""Speed and memory at real scale (issue 13), one command:

    python -m bench.scale_bench [N ...] [--import FILE]

For each N (default 10000) it makes a synthetic catalogue of N datasets
(``bench.synthetic``; kept under bench/out/scale/ and reused while N is the
same), then runs in child processes, each under ``/usr/bin/time -v``:

  full     a first build into an empty site and an empty build cache;
  noop     a rebuild with nothing changed;
  one      a rebuild after one dataset's title changed (issue 17: <= 10 s at
           100,000);
  import   ``portal import`` of a real catalogue into an empty folder
           (default: Meishan, 6,154 rows, from /work/shared/real-catalogs).

and prints wall seconds, CPU seconds (user + system) and peak memory (the
largest resident set of one process, as ``time -v`` reports it; the pool
workers of a full build are separate processes and smaller). The load
average is printed before and after: on a shared machine the wall time
follows the load, the CPU time much less.

Targets (issue 13): full build of 100,000 < 5 min and < 2 GB; no-change
rebuild of 100,000 < 15 s; import of 6,000 rows < 10 s.

The previous run's site and cache are moved aside, and deleted only after
the figures are printed (``bench.set_aside``: deleting them just before a
build made file creation several times dearer during it).

``--keep`` reuses the site and build cache of the last run (no full build:
noop and one only), e.g. to compare the code of two checkouts on the same
catalogue.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.set_aside import SetAside
from bench.synthetic import kept_catalog

OUT = Path(__file__).resolve().parent / "out" / "scale"
REPO = Path(__file__).resolve().parent.parent
MEISHAN = Path("/work/shared/real-catalogs/sichuan_meishan.json")
# A build in a child process of its own (timed by /usr/bin/time), which ends
# as `portal build` does: without Python's teardown (portal.process_end).
BUILD = ("import sys; from datetime import date; from pathlib import Path; "
          "from builder.build import BuildConfig, build; "
          "from portal.process_end import end_now; "
          "r = build(BuildConfig(catalog_dir=Path(sys.argv[1]), out_dir=Path(sys.argv[2]), "
          "today=date(2026, 11, 23), cache_dir=Path(sys.argv[3]))); "
          "print('pages written', r.pages_written, 'reused', r.pages_reused, r.timings); "
          "end_now(0)")


def load_average() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__()


def timed(argv: list[str]) -> dict[str, float | str]:
    """Run ``argv`` under /usr/bin/time -v; wall, CPU and peak RSS."""
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v", *argv], capture_output=True, text=True,
                          cwd=REPO, check=False)
    wall = time.perf_counter() - started
    report = done.stderr

    def number(label: str) -> float:
        match = re.search(rf"{re.escape(label)}: ([\d.]+)", report)
        return float(match.group(1)) if match else float("nan")

    if done.returncode not in (0, 2):  # 2: published with datasets withheld
        sys.stderr.write(report[-3000:])
        raise SystemExit(f"{argv[:4]} failed with exit code {done.returncode}")
    return {"wall": wall, "cpu": number("User time (seconds)") + number("System time (seconds)"),
            "mb": number("Maximum resident set size (kbytes)") / 1024,
            "out": done.stdout.strip()[-300:]}


def line(label: str, figures: dict[str, float | str], extra: str = "") -> None:
    """One run's figures (wall, CPU, peak memory), ``extra`` and what it printed."""
    print(f"  {label:<8} wall {figures['wall']:7.1f} s   cpu {figures['cpu']:7.1f} s   "
          f"peak {figures['mb']:7.0f} MB   {extra}{figures['out']}", flush=True)


def _size(n: int, keep: bool, old: SetAside) -> None:
    """The full build (unless ``keep``), the no-change and the one-change
    rebuilds of an N-dataset catalogue."""
    from bench.build_bench import _retitle  # here: build_bench imports this module
    root = kept_catalog(OUT, n)
    site, cache = OUT / f"site-{n}", OUT / f"cache-{n}"
    if not keep:
        old.move(site, cache)  # not deleted now: see bench.set_aside
    build = [sys.executable, "-c", BUILD, str(root), str(site), str(cache)]
    print(f"{n:,} datasets (load {load_average()})", flush=True)
    if not keep:
        line("full", timed(build))
    line("noop", timed(build))
    _retitle(root, int(time.time()) % 1000)
    line("one", timed(build))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10000])
    parser.add_argument("--import", dest="source", type=Path, default=MEISHAN)
    parser.add_argument("--no-import", action="store_true")
    parser.add_argument("--keep", action="store_true",
                        help="reuse the last site and cache: no full build")
    args = parser.parse_args(argv)
    print(f"load average before: {load_average()}", flush=True)
    with SetAside(OUT / "set-aside") as old:
        for n in args.sizes:
            _size(n, args.keep, old)
        if not args.no_import and args.source.is_file():
            with tempfile.TemporaryDirectory(prefix="scale-import-") as tmp:
                print(f"import {args.source.name} (load {load_average()})", flush=True)
                line("import", timed([sys.executable, "-m", "portal", "import", str(args.source),
                                      "--vocabularies", str(REPO / "datasets" / "vocabularies.yaml"),
                                      "--out", str(Path(tmp) / "catalog")]))
        print(f"load average after: {load_average()}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
