"""Mutation testing of the domain core, one module at a time (``make mutate``).

For each module of ``MODULES`` a working folder ``build/mutate/<module>/``
gets a copy of the code and the tests and a ``[tool.mutmut]`` section that
mutates that module only and runs the tests named for it; mutmut (3.x) then
runs each mutant against the tests that execute the mutated function, with
one worker (the machine is shared). The score of a module is killed mutants
over all mutants, less the equivalent mutants listed with their reason in
``bench/mutation_equivalents.md`` (a mutant that no test can tell apart from
the original because the behaviour is the same).

A report, not a gate: it exits 0 whatever the scores (1 only when mutmut
itself could not run). ``python -m bench.mutate workdays rules`` runs some
modules only; ``--keep`` reuses a previous run's results (mutmut resumes);
``--rerun-survivors`` runs only the mutants a previous run left alive, after
tests were added (a full run of ``requests``, 1,551 mutants, takes about
25 minutes on one worker).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "mutate"
EQUIVALENTS = ROOT / "bench" / "mutation_equivalents.md"
TARGET = 90.0

# The tests that check each module's behaviour (fast ones: mutmut runs the
# tests that execute a mutated function once per mutant).
MODULES: dict[str, list[str]] = {
    "workdays": ["tests/test_workdays.py", "tests/test_freshness_workdays.py",
                 "tests/test_statutory.py", "tests/test_workdays_boundaries.py"],
    "calendar": ["tests/test_workdays.py", "tests/test_statutory.py",
                 "tests/test_workdays_boundaries.py", "tests/test_calendar_files.py"],
    "desensitize": ["tests/test_desensitize.py", "tests/test_desensitize_cases.py"],
    "rules": ["tests/test_rules.py"],
    "publication": ["tests/test_publication.py"],
    "requests": ["tests/test_request_procedure.py", "tests/test_third_party_consent.py",
                 "tests/test_request_guards.py"],
}
# The files of each module under domain/ (the request procedure's steps are
# in their own modules since the renovation).
FILES: dict[str, list[str]] = {
    "workdays": ["periods/workdays"], "calendar": ["periods/calendar"],
    "desensitize": ["catalogue/desensitize", "catalogue/pii_identifiers"],
    "rules": ["catalogue/rules"], "publication": ["catalogue/publication"],
    "requests": ["procedures/requests", "procedures/request_base", "procedures/request_review",
                 "procedures/request_consultation", "procedures/request_decision"],
}
# What the tests import or run besides the domain (conftest imports the builder).
COPIED = ["builder", "search_api", "portal", "scripts", "tests"]
# Tests that read a module's source text rather than run it (its imports):
# a mutated file carries mutmut's trampolines, so they fail on every mutant.
SOURCE_TESTS = "not imports_only_the_standard_library and not domain_imports_neither"

# mutmut's exit codes per mutant (mutmut.stats.status_by_exit_code).
KILLED = {1, 3, 24, -24, 36, 37, 152, 255}


@dataclass
class Score:
    module: str
    total: int
    killed: int
    equivalent: int
    survivors: list[str]
    seconds: float
    stale: list[str]  # listed as equivalent, but no mutant of the module has that name

    @property
    def percent(self) -> float:
        counted = self.total - self.equivalent
        return 100.0 * self.killed / counted if counted else 100.0


def equivalents() -> dict[str, set[str]]:
    """Mutant names listed in ``bench/mutation_equivalents.md`` per module:
    lines ``- `domain.periods.workdays.x_name__mutmut_3`: reason``."""
    found: dict[str, set[str]] = {}
    if not EQUIVALENTS.is_file():
        return found
    owner = {f"domain.{path.replace('/', '.')}": module
             for module, paths in FILES.items() for path in paths}
    for match in re.finditer(r"^- `(domain\.[\w.]+?)\.x[_ǁ][^`]+`: \S",
                             EQUIVALENTS.read_text("utf-8"), re.M):
        name = match.group(0)[3:match.group(0).index("`", 3)]
        module = owner.get(match.group(1))
        if module:
            found.setdefault(module, set()).add(name)
    return found


def prepare(module: str, tests: list[str], keep: bool) -> Path:
    """The working folder of ``module``: the code, the tests, and a
    pyproject.toml whose ``[tool.mutmut]`` names the module and its tests."""
    work = WORK / module
    if work.exists() and not keep:
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "domain", work / "domain", dirs_exist_ok=True)
    for name in COPIED:
        shutil.copytree(ROOT / name, work / name, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    pytest_ini = project["tool"]["pytest"]["ini_options"]
    config = {
        "source_paths": ["domain"],
        "only_mutate": [f"domain/{path}.py" for path in FILES[module]],
        "also_copy": COPIED,
        "pytest_add_cli_args_test_selection": tests,
        "pytest_add_cli_args": ["-p", "no:cacheprovider", "-k", SOURCE_TESTS],
    }
    (work / "pyproject.toml").write_text(
        "[tool.mutmut]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in config.items())
        + "\n[tool.pytest.ini_options]\n"
        + "".join(f"{k} = {json.dumps(v)}\n" for k, v in pytest_ini.items()),
        encoding="utf-8")
    return work


def _codes(module: str, work: Path) -> dict[str, int | None]:
    """Exit code per mutant name, over every file of ``module``."""
    codes: dict[str, int | None] = {}
    for path in FILES[module]:
        meta = work / "mutants" / "domain" / f"{path}.py.meta"
        if meta.is_file():
            codes.update(json.loads(meta.read_text("utf-8"))["exit_code_by_key"])
    return codes


def score(module: str, work: Path, seconds: float, skip: set[str]) -> Score:
    codes = _codes(module, work)
    killed = sum(1 for code in codes.values() if code in KILLED)
    survivors = sorted(name for name, code in codes.items()
                       if code not in KILLED and name not in skip)
    equivalent = sum(1 for name, code in codes.items() if name in skip and code not in KILLED)
    return Score(module, len(codes), killed, equivalent, survivors, seconds,
                 sorted(skip - codes.keys()))


def _survivors(module: str) -> list[str]:
    """The mutants a previous run left alive (for ``--rerun-survivors``)."""
    codes = _codes(module, WORK / module)
    return sorted(name for name, code in codes.items() if code not in KILLED)


def run(module: str, keep: bool, skip: set[str], tests: list[str] | None = None,
        rerun: bool = False) -> Score | None:
    tests = [t for t in tests or MODULES[module] if (ROOT / t).is_file()]
    if not tests:  # mutmut would run the whole suite
        print(f"{module}: none of its test files exists", file=sys.stderr)
        return None
    # Tests are only ever added: a mutant killed before stays killed, so a
    # rerun checks the survivors of the previous run against the new tests.
    names = _survivors(module) if rerun else []
    work = prepare(module, tests, keep or rerun)
    start = time.monotonic()
    log = work / "mutmut.log"
    with log.open("w", encoding="utf-8") as out:
        done = subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", "1",
                               *names], cwd=work, stdout=out, stderr=subprocess.STDOUT,
                              check=False)
    if done.returncode != 0:
        print(f"{module}: mutmut failed (exit {done.returncode}); see {log}", file=sys.stderr)
        return None
    return score(module, work, time.monotonic() - start, skip)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", choices=[[], *MODULES], default=[],
                        metavar="MODULE", help=f"some of: {', '.join(MODULES)} (default: all)")
    parser.add_argument("--keep", action="store_true",
                        help="reuse build/mutate/<module>/ (mutmut resumes)")
    parser.add_argument("--survivors", action="store_true", help="list surviving mutants")
    parser.add_argument("--rerun-survivors", action="store_true",
                        help="run only the mutants the previous run left alive (after adding "
                             "tests; the killed ones stay killed)")
    parser.add_argument("--tests", nargs="+", metavar="FILE",
                        help="run these test files instead of the module's (one module only; "
                             "e.g. to measure a score before new tests)")
    args = parser.parse_args(argv)
    if args.tests and len(args.modules) != 1:
        parser.error("--tests needs exactly one module")
    skip = equivalents()
    failed = False
    scores = []
    for module in args.modules or list(MODULES):
        result = run(module, args.keep, skip.get(module, set()), args.tests,
                     args.rerun_survivors)
        if result is None:
            failed = True
            continue
        scores.append(result)
        print(f"{module:12} {result.percent:5.1f} %  killed {result.killed}/"
              f"{result.total - result.equivalent} (equivalent {result.equivalent}, "
              f"{result.seconds:.0f} s){'' if result.percent >= TARGET else '  < 90 %'}",
              flush=True)
        for name in result.stale:  # a renamed class or moved function: the reason is lost
            print(f"    stale equivalent (no such mutant; see {EQUIVALENTS.name}): {name}")
        if args.survivors:
            for name in result.survivors:
                print(f"    survived: {name}")
    print("\nmutation score per module (target ≥ 90 %; equivalents: "
          "bench/mutation_equivalents.md; survivors: mutmut show NAME in build/mutate/MODULE)")
    for result in scores:
        print(f"  {result.module:12} {result.percent:5.1f} %")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
