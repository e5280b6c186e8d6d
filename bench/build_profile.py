"""cProfile of a one-change rebuild (issue 17): ``python -m bench.build_profile N``.

Uses the catalogue, site and cache of ``bench.build_bench`` (bench/out/build/);
makes a first build when there is no site, changes one dataset's title, and
profiles the rebuild in this process (the top functions by cumulative time are
printed, with the load average before and after). ``--noop`` profiles a rebuild
with nothing changed instead.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from datetime import date

from bench.build_bench import OUT, _retitle
from bench.scale_bench import load_average
from bench.synthetic import kept_catalog
from builder.build import BuildConfig, build


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("size", type=int, nargs="?", default=10000)
    parser.add_argument("--noop", action="store_true")
    parser.add_argument("--top", type=int, default=45)
    args = parser.parse_args()
    root = kept_catalog(OUT, args.size)
    cfg = BuildConfig(catalog_dir=root, out_dir=OUT / f"site-{args.size}",
                      today=date(2026, 11, 23), cache_dir=OUT / f"cache-{args.size}")
    if not (cfg.out_dir / "index.html").is_file():
        build(cfg)
    build(cfg)  # settle: a rebuild with nothing changed
    if not args.noop:
        _retitle(root, int(time.time()) % 1000)
    print(f"load before {load_average()}", flush=True)
    profile = cProfile.Profile()
    started, cpu = time.perf_counter(), time.process_time()
    profile.enable()
    result = build(cfg)
    profile.disable()
    print(f"wall {time.perf_counter() - started:.2f} s  cpu {time.process_time() - cpu:.2f} s "
          f"(profiled)  written {result.pages_written}  {result.timings}")
    print(f"load after {load_average()}")
    pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
