"""How the ``portal`` program ends after a build: without Python's teardown.

At 100,000 datasets a build leaves about three million objects (the
catalogue, the build state, the descriptor cache's datasets) behind; when
the interpreter ends normally its final collection and module teardown free
them one by one, which took 4 to 11 s of a one-change rebuild's wall time
(issue 17) after the site was written and the summary printed. Freeing
memory a process gives back whole at its exit helps nobody: a command that
asks for it (:func:`end_without_teardown`) has the program end with
``os._exit`` once the command has returned, its output flushed and its
logging handlers flushed.

Only the program itself ends so (:func:`run_program`, what ``portal`` and
``python -m portal`` run); a command invoked in-process (``CliRunner`` in
the tests, ``Group.main``) returns or raises as usual.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn

_asked = False


def end_without_teardown() -> None:
    """Ask that the program end without Python's teardown once the running
    command is done (whatever its exit status). Call it only when nothing
    that outlives the command needs an exit handler: every file closed,
    every child process waited for."""
    global _asked
    _asked = True


def run_program(main: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``main(*args, **kwargs)`` (a click command in standalone mode: it ends
    by raising SystemExit); when the command asked for it, the process then
    ends at once with the same exit status (:func:`end_now`)."""
    try:
        return main(*args, **kwargs)
    except SystemExit as done:
        if _asked:
            end_now(done.code)
        raise


def end_now(code: object) -> NoReturn:
    """End the process with ``code`` as SystemExit would (None: 0, an int: that
    status, anything else: printed to stderr, status 1), after flushing the
    standard streams and the logging handlers, but without freeing anything."""
    status = 0
    if isinstance(code, int):
        status = code
    elif code is not None:
        print(code, file=sys.stderr)
        status = 1
    logging.shutdown()  # flushes and closes every handler, as at a normal exit
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # closed or gone: nothing more can be said
            pass
    os._exit(status)
