"""``pytest --count-asserts``: how much the collected tests check, so that a
change to the suite's fixtures or markers can show it lost nothing.

Counted from the source (AST), not at run time, so the figure does not
depend on which tests ran or failed:

- ``functions``: distinct test functions collected;
- ``asserts in tests``: ``assert`` statements in their bodies;
- ``asserts x items``: the same weighted by collected items (a test
  parametrised over two databases counts twice);
- ``asserts in helpers``: ``assert`` statements elsewhere in tests/ (shared
  helpers and fixtures), and ``pytest.raises`` blocks in test functions.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

from tests.python_source import parse

TESTS = Path(__file__).parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--count-asserts", action="store_true",
                     help="print the number of assert statements in the collected tests")


@functools.cache
def _functions(path: Path) -> dict[str, tuple[int, int]]:
    """(asserts, pytest.raises) per qualified function name in ``path``."""
    tree = parse(path)
    found: dict[str, tuple[int, int]] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                nodes = list(ast.walk(child))
                asserts = sum(isinstance(n, ast.Assert) for n in nodes)
                raises = sum(isinstance(n, ast.Attribute) and n.attr == "raises"
                             for n in nodes)
                found[f"{prefix}{child.name}"] = (asserts, raises)

    visit(tree, "")
    return found


def _all_asserts(path: Path) -> int:
    return sum(isinstance(n, ast.Assert)
               for n in ast.walk(parse(path)))


def pytest_collection_finish(session: pytest.Session) -> None:
    if not session.config.getoption("--count-asserts"):
        return
    seen: dict[tuple[Path, str], tuple[int, int]] = {}
    weighted = 0
    for item in session.items:
        if not isinstance(item, pytest.Function):
            continue
        path = Path(item.path)
        name = item.originalname
        if item.cls is not None:
            name = f"{item.cls.__name__}.{name}"
        counts = _functions(path).get(name, (0, 0))
        seen[(path, name)] = counts
        weighted += counts[0]
    in_tests = sum(c[0] for c in seen.values())
    raises = sum(c[1] for c in seen.values())
    everywhere = sum(_all_asserts(p) for p in TESTS.rglob("*.py"))
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    line = (f"assertion count: {len(session.items)} items, {len(seen)} functions, "
            f"{in_tests} asserts in tests, {weighted} asserts x items, "
            f"{raises} pytest.raises in tests, {everywhere - in_tests} asserts in helpers")
    if reporter is not None:
        reporter.write_line(line)
    else:
        print(line)
