"""``ast.parse`` for the tests that read the project's own sources.

CPython 3.11 keeps the depth counter of its AST constructor in the
interpreter, not in the thread (gh-106905): an ``ast.parse`` in another
thread at the same moment — 3.11's traceback module parses the line of each
frame it prints, so a test server's thread logging an error does — resets
it, and the parse here fails with ``SystemError: AST constructor recursion
depth mismatch``. Seen in ``make test-fast`` runs (test_architecture,
test_house_sizes, test_refusals). That error says nothing about the file:
the parse is tried again, a few times; any other error is raised at once.
"""

from __future__ import annotations

import ast
from pathlib import Path

MISMATCH = "AST constructor recursion depth mismatch"
ATTEMPTS = 5


def parse(path: Path) -> ast.Module:
    """The syntax tree of the Python file at ``path``."""
    text = path.read_text(encoding="utf-8")
    for attempt in range(ATTEMPTS):
        try:
            return ast.parse(text, filename=str(path))
        except SystemError as error:
            if MISMATCH not in str(error) or attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")
