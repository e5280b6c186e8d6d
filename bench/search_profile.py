"""Where a distinct search request's time goes, in process:
`python -m bench.search_profile [--size 100000] [--requests 1500] [--no-index]
[--compare TREE]`.

Indexes ``--size`` synthetic records as bench.search_http_bench does (into
the same folder; incremental), builds the service's WSGI app as gunicorn
does (``create_app()`` with the benchmark's PORTAL_* settings) and sends it
the first ``--requests`` queries of the HTTP benchmark's distinct mix
(bench.search_http_bench.distinct_mix), one at a time in this thread: the
whole WSGI call (Flask, hooks, engine, JSON), without HTTP parsing or
sockets.

Prints, for the plain pass: wall and CPU ms per request (p50/p95/p99), and
the share of the engine (``took_ms`` of each answer) in it. Then a second
pass over other queries of the mix under cProfile and the cumulative time of
the parts of a request (the profiler inflates Python-heavy parts: read the
shares, not the absolute figures). Load averages before and after.

``--compare TREE`` (a checkout of another commit, e.g. ``git archive HEAD~3 |
tar -x -C /tmp/old``) runs only the plain pass, of this tree and of TREE in
turn (``--together``: at the same time), ``--rounds`` times (A B A B), each
in a process of its own over the same index: CPU ms per request (this
thread's), which a busy machine disturbs far less than wall time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from werkzeug.test import EnvironBuilder

from bench.search_http_bench import OUT, api_paths, bench_env, distinct_mix, load

# (label, profiler function name as "file-suffix:function") of the parts shown.
PARTS: tuple[tuple[str, str], ...] = (
    ("WSGI call (whole request)", "flask/app.py:wsgi_app"),
    ("  before_request hooks", "flask/app.py:preprocess_request"),
    ("  view: search()", "search_api/search/views.py:search"),
    ("    parse_search_args", "search_api/search/views.py:parse_search_args"),
    ("    engine.search", "search_api/engine/embedded.py:search"),
    ("      _match (match bitmaps)", "search_api/engine/embedded.py:_match"),
    ("      _correct (autocorrect)", "search_api/engine/embedded.py:_correct"),
    ("      _facet_counts", "search_api/engine/embedded.py:_facet_counts"),
    ("      rank (relevance)", "search_api/engine/ranking.py:rank"),
    ("      ordered (date/name)", "search_api/engine/bitmaps.py:ordered"),
    ("      _bodies (record read)", "search_api/engine/embedded.py:_bodies"),
    ("      _marks", "search_api/engine/embedded.py:_marks"),
    ("      parse_query", "search_api/engine/query.py:parse_query"),
    ("      highlight", "search_api/engine/highlight.py:highlight"),
    ("      _hits (bodies to hits)", "search_api/engine/embedded.py:_hits"),
    ("      json.loads", "json/__init__.py:loads"),
    ("    result_body", "search_api/search/views.py:result_body"),
    ("    orjson.dumps", "~:<built-in method orjson.dumps>"),
    ("  after_request hooks", "flask/app.py:process_response"),
)


def make_app(env: dict[str, str]) -> Callable[..., Any]:
    """The service's app with the benchmark's settings (as gunicorn starts it)."""
    for key in [k for k in os.environ if k.startswith("PORTAL_")]:
        del os.environ[key]
    os.environ.update({k: v for k, v in env.items() if k.startswith("PORTAL_")})
    from search_api import create_app

    return create_app()


def environs(paths: Sequence[str]) -> list[dict[str, Any]]:
    out = []
    for path in paths:
        route, _, query = path.partition("?")
        out.append(EnvironBuilder(path=route, query_string=query,
                                  headers=[("Host", "127.0.0.1")]).get_environ())
    return out


def call(app: Callable[..., Any], environ: dict[str, Any]) -> bytes:
    status: list[str] = []

    def start_response(code: str, headers: Any, exc_info: Any = None) -> None:
        status.append(code)

    body = b"".join(app(dict(environ), start_response))
    if not status or not status[0].startswith("200"):
        raise RuntimeError(f"{environ['QUERY_STRING']}: {status} {body[:200]!r}")
    return body


def timed_pass(app: Callable[..., Any], envs: list[dict[str, Any]]) -> dict[str, list[float]]:
    wall, cpu, engine = [], [], []
    for environ in envs:
        w0, c0 = time.perf_counter(), time.thread_time()
        body = call(app, environ)
        cpu.append((time.thread_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
        engine.append(float(json.loads(body)["took_ms"]))
    return {"wall": wall, "cpu": cpu, "engine": engine}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def profile_pass(app: Callable[..., Any], envs: list[dict[str, Any]]) -> pstats.Stats:
    profiler = cProfile.Profile()
    profiler.enable()
    for environ in envs:
        call(app, environ)
    profiler.disable()
    return pstats.Stats(profiler, stream=io.StringIO())


def parts(stats: pstats.Stats, requests: int) -> list[tuple[str, float]]:
    """(label, cumulative ms per request) of PARTS found in ``stats``."""
    table: dict[tuple[str, int, str], Any] = stats.stats  # type: ignore[attr-defined]
    out = []
    for label, wanted in PARTS:
        suffix, _, name = wanted.rpartition(":")
        total = sum(row[3] for (file, _line, func), row in table.items()
                    if func == name and file.endswith(suffix))
        if total:
            out.append((label, total * 1000 / requests))
    return out


def compare(args: argparse.Namespace, folder: Path) -> None:
    """The plain pass of this tree and of ``args.compare`` alternately (A B A
    B), each in its own process over the same index: the service's code
    comes from the tree, this file from here. With ``--together`` the two
    passes of a round run at the same time (which goes first alternates), so
    that a busy machine's load weighs on both alike; then each round's ratio
    of mean CPU per request is printed too."""
    here = Path(__file__).resolve()
    trees = (here.parent.parent, args.compare)
    means: dict[Path, list[float]] = {tree: [] for tree in trees}
    for number in range(args.rounds):
        order = trees if number % 2 == 0 else trees[::-1]
        if args.together:
            procs = [(tree, _plain(here, tree, folder, args.requests)) for tree in order]
            lines = [(tree, proc.communicate()[0]) for tree, proc in procs]
        else:
            lines = [(tree, _plain(here, tree, folder, args.requests).communicate()[0])
                     for tree in order]
        for tree, line in lines:
            means[tree].append(float(line.split("mean")[1].split()[0]))
            print(f"{str(tree):<28} {line.strip()}", flush=True)
    ratios = [f"{a / b:.3f}" for a, b in zip(means[trees[0]], means[trees[1]], strict=True)]
    print(f"mean CPU per request, this tree / {args.compare}: {' '.join(ratios)} "
          f"(all rounds {sum(means[trees[0]]) / sum(means[trees[1]]):.3f})")


def _plain(here: Path, tree: Path, folder: Path, requests: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": f"{tree}{os.pathsep}{here.parent.parent}"}
    return subprocess.Popen(
        [sys.executable, str(here), "--plain", "--folder", str(folder),
         "--requests", str(requests)], env=env, cwd=tree, stdout=subprocess.PIPE, text=True)


def serve_env(folder: Path) -> dict[str, str]:
    """The PORTAL_* settings of a service over the index in ``folder``."""
    return {"PORTAL_SEARCH_DB": str(folder / "search.sqlite3"),
            "PORTAL_LABELS_FILE": str(folder / "labels.json"), "PORTAL_SITE_DIR": "",
            "PORTAL_SECRET_KEY": "bench",
            "PORTAL_DATABASE_URL": f"sqlite:///{folder / 'portal.sqlite3'}"}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--no-index", action="store_true",
                        help="serve the index already in the folder as it is")
    parser.add_argument("--folder", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--plain", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--compare", type=Path, default=None,
                        help="another source tree: CPU per request of both, alternately")
    parser.add_argument("--rounds", type=int, default=2, help="alternations with --compare")
    parser.add_argument("--together", action="store_true",
                        help="with --compare: run the two trees' passes at the same time")
    parser.add_argument("--top", type=int, default=0, help="also print the top N functions")
    args = parser.parse_args(argv)
    folder = args.folder or OUT / f"n{args.size}"
    env = serve_env(folder) if args.no_index or args.plain else bench_env(args.size, folder)
    if args.compare is not None:
        compare(args, folder)
        return 0
    app = make_app(env)
    paths = api_paths(distinct_mix())
    n = args.requests
    warm = environs(paths[-20:])
    plain, profiled = environs(paths[:n]), environs(paths[n:2 * n])
    for environ in warm:  # snapshot, vocabulary, first connection
        call(app, environ)
    before = load()
    figures = timed_pass(app, plain)
    after = load()
    if args.plain:
        cpu, wall = figures["cpu"], figures["wall"]
        print(f"CPU ms/request mean {statistics.fmean(cpu):5.2f} p50 {pct(cpu, 50):5.2f} "
              f"p95 {pct(cpu, 95):5.2f} p99 {pct(cpu, 99):5.2f}; wall p95 {pct(wall, 95):6.2f} "
              f"(load {before:.2f} / {after:.2f})")
        return 0
    print(f"{args.size:,} datasets, {n} distinct queries one at a time, in process "
          f"(load {before:.2f} / {after:.2f})")
    for name in ("wall", "cpu", "engine"):
        values = figures[name]
        print(f"  {name:<7} ms per request: mean {statistics.fmean(values):6.2f}  "
              f"p50 {pct(values, 50):6.2f}  p95 {pct(values, 95):6.2f}  "
              f"p99 {pct(values, 99):6.2f}")
    share = sum(figures["engine"]) / sum(figures["wall"])
    print(f"  engine (took_ms) is {share:.0%} of the wall time")
    before = load()
    stats = profile_pass(app, profiled)
    print(f"cProfile, {n} other distinct queries (load {before:.2f} / {load():.2f}); "
          "cumulative ms per request:")
    for label, ms in parts(stats, n):
        print(f"  {label:<32} {ms:7.2f}")
    if args.top:
        out = io.StringIO()
        stats.stream = out  # type: ignore[attr-defined]
        stats.sort_stats("tottime").print_stats(args.top)
        print(out.getvalue())
    return 0

if __name__ == "__main__":
    raise SystemExit(main())
