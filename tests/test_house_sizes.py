"""The house rule of the renovation (#18): no module over 400 lines and no
function over 80 lines in the code rooms. Tests and benchmarks may be longer."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO
from tests.python_source import parse

ROOMS = ("domain", "builder", "search_api", "portal", "scripts")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80


def _modules() -> list[Path]:
    return sorted(p for room in ROOMS for p in (REPO / room).rglob("*.py"))


def test_the_rooms_hold_modules() -> None:
    assert len(_modules()) > 100  # the rule is checked on the real tree


def test_no_module_over_400_lines() -> None:
    long = {str(p.relative_to(REPO)): n for p in _modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}, f"split these modules by concept: {long}"


def test_no_function_over_80_lines() -> None:
    long = []
    for path in _modules():
        for node in ast.walk(parse(path)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(REPO)}:{node.lineno} {node.name} ({lines})")
    assert long == [], f"split these functions: {long}"
