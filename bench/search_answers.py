"""Are two source trees' search answers the same? `python -m bench.search_answers
--compare TREE [--size 100000] [--no-index]`.

Sends the HTTP benchmark's queries (bench.search_http_bench: its 6,000
distinct queries, then the repeated mix, then the distinct ones again, when
the engine's caches hold what the first pass left) to the service's WSGI app
of this tree and of TREE (each in a process of its own, over the same index:
the service's code comes from the tree, this file from here) and compares
the answers byte for byte, ``took_ms`` aside. Prints how many answers were
compared and the first paths that differ; exits 1 when any does.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from bench.search_http_bench import OUT, api_paths, bench_env, distinct_mix

_TOOK = re.compile(rb'"took_ms":[0-9.eE+-]+')


def paths() -> list[str]:
    """The compared requests, in the order they are sent."""
    distinct = api_paths(distinct_mix())
    return distinct + api_paths() + distinct


def digests(folder: Path) -> list[str]:
    """Status and SHA-256 of every answer (``took_ms`` blanked) of this
    process's tree, over the index in ``folder``."""
    from werkzeug.test import EnvironBuilder

    for key in [k for k in os.environ if k.startswith("PORTAL_")]:
        del os.environ[key]
    os.environ.update({"PORTAL_SEARCH_DB": str(folder / "search.sqlite3"),
                       "PORTAL_LABELS_FILE": str(folder / "labels.json"), "PORTAL_SITE_DIR": "",
                       "PORTAL_SECRET_KEY": "bench",
                       "PORTAL_DATABASE_URL": f"sqlite:///{folder / 'portal.sqlite3'}"})
    from search_api import create_app

    app = create_app()
    status: list[str] = []

    def start_response(code: str, headers: object, exc_info: object = None) -> None:
        status.append(code.split()[0])

    out = []
    for path in paths():
        route, _, query = path.partition("?")
        environ = EnvironBuilder(path=route, query_string=query,
                                 headers=[("Host", "127.0.0.1")]).get_environ()
        body = b"".join(app(environ, start_response))
        out.append(status.pop() + " "
                   + hashlib.sha256(_TOOK.sub(b'"took_ms":0', body)).hexdigest())
    return out


def run_tree(tree: Path, folder: Path) -> list[str]:
    here = Path(__file__).resolve()
    env = {**os.environ, "PYTHONPATH": f"{tree}{os.pathsep}{here.parent.parent}"}
    out = subprocess.run([sys.executable, str(here), "--digests", "--folder", str(folder)],
                         env=env, cwd=tree, check=True, capture_output=True, text=True).stdout
    result: list[str] = json.loads(out)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--compare", type=Path, default=None,
                        help="the other source tree (a checkout of another commit)")
    parser.add_argument("--no-index", action="store_true",
                        help="serve the index already in the folder as it is")
    parser.add_argument("--folder", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--digests", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    folder = args.folder or OUT / f"n{args.size}"
    if args.digests:
        print(json.dumps(digests(folder)))
        return 0
    if args.compare is None:
        parser.error("--compare TREE is required")
    if not args.no_index:
        bench_env(args.size, folder)
    here = Path(__file__).resolve().parent.parent
    mine, theirs = run_tree(here, folder), run_tree(args.compare, folder)
    sent = paths()
    differ = [i for i, (a, b) in enumerate(zip(mine, theirs, strict=True)) if a != b]
    print(f"{len(sent)} answers compared ({args.size:,} datasets): {len(differ)} differ")
    for i in differ[:20]:
        print(f"  {sent[i]}: {mine[i]} here, {theirs[i]} in {args.compare}")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
