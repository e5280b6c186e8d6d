"""Where a distinct query's engine time goes, without a profiler:
`python -m bench.search_phases [--size 100000] [--queries 4000] [--no-index]`.

Opens the embedded engine over the index of bench.search_http_bench (built
or updated first unless ``--no-index``), warms it with bench.search_bench.MIX
(as the HTTP benchmark's warm-up does), then sends it ``--queries`` queries of
the HTTP benchmark's distinct mix, taken as one of its two workers would
(every second one, after the first 4,000). Each step of a search (parsing,
match bitmaps, facet counts, ranking, record reads, hits and highlights) is
wrapped in a timer of this thread's CPU time for the run, and so is each
ranking statement, sorted by its tier (title or the rest) and outcome
(empty, shorter than asked, full): cProfile inflates Python-heavy steps,
these timers do not. Prints CPU ms per query of each and the load average
before and after; a busy machine inflates all figures alike, read the
shares.
"""

from __future__ import annotations

import argparse
import functools
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any

from bench.search_bench import MIX
from bench.search_http_bench import OUT, bench_env, distinct_mix, load
from search_api.engine import bitmaps, embedded, open_engine, ranking
from search_api.engine.base import SearchQuery
from search_api.settings import defaults

# (owner, attribute, label) of the steps timed; module functions are wrapped
# where embedded.py looks them up.
STEPS: tuple[tuple[Any, str, str], ...] = (
    (embedded, "parse_query", "parse_query (segmenting)"),
    (embedded.EmbeddedEngine, "_match", "_match (match bitmaps)"),
    (embedded.EmbeddedEngine, "_correct", "_correct (autocorrect)"),
    (embedded.EmbeddedEngine, "_facet_counts", "_facet_counts"),
    (embedded, "rank", "rank (relevance)"),
    (bitmaps, "ordered", "ordered (date/name)"),
    (embedded.EmbeddedEngine, "_bodies", "_bodies (record reads)"),
    (embedded, "_hits", "_hits (bodies to hits, highlights)"),
)


@contextmanager
def patched(owner: Any, name: str, wrapper: Callable[[Callable[..., Any]], Any]) -> Iterator[None]:
    """``owner.name`` replaced by ``wrapper(original)`` inside the block
    (a staticmethod stays one)."""
    raw = owner.__dict__[name]
    inner = raw.__func__ if isinstance(raw, staticmethod) else raw
    wrapped = wrapper(inner)
    setattr(owner, name, staticmethod(wrapped) if isinstance(raw, staticmethod) else wrapped)
    try:
        yield
    finally:
        setattr(owner, name, raw)


def timer(spent: defaultdict[str, float], label: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[label] += time.thread_time() - started
        return timed
    return wrap


def statement_timer(spent: defaultdict[str, float], counts: Counter[str]) -> Callable[..., Any]:
    """A wrapper of ranking.ranked_tier that files its time by tier and outcome."""
    def wrap(fn: Callable[..., list[int]]) -> Callable[..., list[int]]:
        @functools.wraps(fn)
        def timed(conn: Any, expression: str, phrase: str, keep: Any, need: int) -> list[int]:
            started = time.thread_time()
            out = fn(conn, expression, phrase, keep, need)
            tier = "title" if expression.startswith("{title py}") else "rest"
            outcome = "empty" if not out else "short" if len(out) < need else "full"
            label = f"{tier} tier, {outcome}{', filtered' if keep.mask is not None else ''}"
            spent[label] += time.thread_time() - started
            counts[label] += 1
            return out
        return timed
    return wrap


def run(size: int, queries: int, index: bool) -> None:
    folder = OUT / f"n{size}"
    if index:
        bench_env(size, folder)
    engine = open_engine({**defaults(), "SEARCH_DB": str(folder / "search.sqlite3")})
    for q, filters, sort, page in MIX:
        engine.search(SearchQuery(q=q, filters=filters, sort=sort, page=page, autocorrect=True))
    mix = distinct_mix(4000 + 2 * queries)[4000::2]
    steps: defaultdict[str, float] = defaultdict(float)
    statements: defaultdict[str, float] = defaultdict(float)
    counts: Counter[str] = Counter()
    before = load()
    with ExitStack() as stack:
        for owner, name, label in STEPS:
            stack.enter_context(patched(owner, name, timer(steps, label)))
        stack.enter_context(patched(ranking, "ranked_tier", statement_timer(statements, counts)))
        started = time.thread_time()
        for q, filters, sort, page in mix:
            engine.search(SearchQuery(q=q, filters=filters, sort=sort, page=page,
                                      autocorrect=True))
        total = (time.thread_time() - started) * 1000 / len(mix)
    n = len(mix)
    print(f"{size:,} datasets, {n} distinct queries, engine CPU {total:.2f} ms per query "
          f"(load {before:.2f} / {load():.2f})")
    for label, seconds in sorted(steps.items(), key=lambda kv: -kv[1]):
        print(f"  {label:<36} {seconds * 1000 / n:6.2f} ms  {seconds * 1000 / n / total:4.0%}")
    rest = total - sum(steps.values()) * 1000 / n
    print(f"  {'the rest (snapshot, filters, glue)':<36} {rest:6.2f} ms  {rest / total:4.0%}")
    print("ranking statements (within rank above):")
    for label, seconds in sorted(statements.items()):
        print(f"  {label:<36} {seconds * 1000 / n:6.2f} ms  {counts[label] / n:5.2f} per query, "
              f"{seconds * 1000 / counts[label]:5.2f} ms each")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=4000)
    parser.add_argument("--no-index", action="store_true",
                        help="use the index already in the benchmark's folder as it is")
    args = parser.parse_args(argv)
    run(args.size, args.queries, not args.no_index)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
