"""How the xdist workers share a run (``pytest -n auto``, what ``make test``
and ``make test-fast`` run).

xdist's default (``--dist load``) hands each worker a first chunk of a
quarter of its share, in collection order. The long tests are collected
first (tests/conftest.py), so they all went to the first worker, one after
the other, while the second ran the short ones and then sat idle for
minutes. Here each worker is given one test at a time (two at most waiting),
in collection order, when it has finished the one before: the long tests
start at once on both workers, and no worker holds a queue the other could
have run. The tests of a module that has module-scoped fixtures (a built
site, a server, a browser page set) still go to one worker together, so
that those fixtures are set up once.

An explicit ``--dist`` other than ``load`` (``loadscope``, ``worksteal``…)
is left as chosen.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from xdist.scheduler import LoadScopeScheduling

# A fixture whose value a whole module (or class) shares.
SHARED_SCOPE = re.compile(r"""scope\s*=\s*["'](?:module|class|package)["']""")


class OneAtATimeScheduling(LoadScopeScheduling):
    """xdist's scope scheduling with a test as the unit of work, except the
    modules with shared fixtures (a module is then the unit), and units sent
    in collection order rather than the largest first."""

    def __init__(self, config: pytest.Config, log: Any = None) -> None:
        super().__init__(config, log)
        self._root = Path(config.rootpath)
        self._shares_fixtures: dict[str, bool] = {}

    def _split_scope(self, nodeid: str) -> str:
        module = nodeid.split("::", 1)[0]
        if module not in self._shares_fixtures:
            try:
                text = (self._root / module).read_text(encoding="utf-8")
            except OSError:
                text = ""
            self._shares_fixtures[module] = SHARED_SCOPE.search(text) is not None
        return module if self._shares_fixtures[module] else nodeid


def make_scheduler(config: pytest.Config, log: Any) -> OneAtATimeScheduling | None:
    """The scheduler for xdist's default distribution, None for any other."""
    if config.getvalue("dist") != "load":
        return None
    # Units in collection order (the long tests first), not the largest first.
    config.option.loadscopereorder = False
    return OneAtATimeScheduling(config, log)
