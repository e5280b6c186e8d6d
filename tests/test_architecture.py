"""The doors of the house: which part may import which.

- domain/ is the pure core: no web, template, CLI, database or theme library,
  and neither the builder nor the service.
- builder/ and search_api/ never import each other.
- In the service, feature folders (search, interop, rows, requests, reports,
  participation, register, statistics, mail) import the shared rooms (web/,
  store/, engine/, the wiring modules) and their own folder, never another
  feature; store/ imports no web or feature code; engine/ (the search engine)
  imports neither the domain nor the store; tables/ (the row store of the data
  API, open and keyed) imports nothing of the service.

The test reads every module's imports (including those inside functions) with
``ast``, so a forbidden import anywhere in a file fails it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.python_source import parse

ROOT = Path(__file__).resolve().parents[1]
FEATURES = frozenset({"search", "interop", "rows", "requests", "reports", "participation",
                      "register", "statistics", "mail", "governance", "sandbox",
                      "operations"})
ROOMS = frozenset({"web", "store", "engine", "tables"})
DOMAIN_FORBIDDEN = ("flask", "werkzeug", "mkdocs", "material", "sqlalchemy", "alembic",
                    "jinja2", "click", "builder", "search_api", "portal")


def _modules(root: Path, package: str) -> Iterator[tuple[str, Path]]:
    for path in sorted((root / package).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        rel = path.relative_to(root).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        yield ".".join(parts), path


def _imports(path: Path, module: str) -> Iterator[str]:
    tree = parse(path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's package
                base = module.split(".")
                if path.name != "__init__.py":
                    base = base[:-1]
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            yield target
            for alias in node.names:  # `from search_api import ckan` names a module
                yield f"{target}.{alias.name}"


def _room(module: str) -> str | None:
    """The service room of a search_api module: a feature name, "web",
    "store", "engine", or None for the wiring modules at the top."""
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "search_api":
        return None
    if len(parts) == 2:  # `from search_api import reports` names a room, or a wiring module
        return parts[1] if parts[1] in FEATURES | ROOMS else None
    return parts[1]


def _violations(root: Path) -> Iterator[str]:
    for module, path in _modules(root, "domain"):
        for target in _imports(path, module):
            if target.split(".")[0] in DOMAIN_FORBIDDEN:
                yield f"{module} imports {target} (the domain stays pure)"
    for module, path in _modules(root, "builder"):
        for target in _imports(path, module):
            if target.split(".")[0] in ("search_api", "portal"):
                yield f"{module} imports {target} (the builder never imports the service)"
    for module, path in _modules(root, "search_api"):
        own = _room(module)
        for target in _imports(path, module):
            top = target.split(".")[0]
            if top in ("builder", "portal"):
                yield f"{module} imports {target} (the service never imports the builder or CLI)"
                continue
            if top != "search_api":
                if own == "engine" and top == "domain":
                    yield f"{module} imports {target} (the engine knows no domain)"
                continue
            theirs = _room(target)
            if theirs is None or theirs == own or own is None:
                continue
            if own == "store" and theirs != "store":
                yield f"{module} imports {target} (the store imports no web or feature code)"
            elif own in ("engine", "tables"):
                yield f"{module} imports {target} (the {own} room imports nothing of the service)"
            elif own == "web" and theirs in FEATURES:
                yield f"{module} imports {target} (web plumbing imports no feature)"
            elif own in FEATURES and theirs in FEATURES:
                yield f"{module} imports {target} (features never import each other)"


def test_every_door_is_kept() -> None:
    found = sorted(set(_violations(ROOT)))
    assert not found, "forbidden imports:\n" + "\n".join(found)


@pytest.mark.parametrize(("module", "source", "broken"), [
    ("search_api/requests/views.py", "from search_api.web.forms import form_text", False),
    ("search_api/requests/views.py", "from search_api.participation import api", True),
    ("search_api/requests/views.py", "from search_api import reports", True),
    ("search_api/requests/views.py", "from search_api import service", False),
    ("search_api/requests/views.py", "from search_api.reports import views", True),
    ("search_api/requests/views.py", "from ..reports import views", True),
    ("search_api/store/store.py", "from search_api.web.errors import ApiError", True),
    ("search_api/store/store.py", "from search_api.store.schema import requests", False),
    ("search_api/engine/query.py", "from domain.catalogue.catalog import load", True),
    ("search_api/web/forms.py", "def f():\n    from search_api.mail import mailer", True),
    ("search_api/web/forms.py", "from search_api import service", False),
    ("domain/catalogue/rules.py", "import flask", True),
    ("domain/catalogue/rules.py", "from sqlalchemy import select", True),
    ("domain/catalogue/rules.py", "from domain.catalogue.catalog import load", False),
    ("builder/build.py", "from search_api.engine import open_engine", True),
    ("search_api/web/headers.py", "from builder.csp import X", True),
])
def test_a_forbidden_import_is_found(tmp_path: Path, module: str, source: str,
                                     broken: bool) -> None:
    """The checker itself, on a one-file tree: it must find what it forbids."""
    target = tmp_path / module
    target.parent.mkdir(parents=True)
    target.write_text(source + "\n", encoding="utf-8")
    assert bool(list(_violations(tmp_path))) is broken
