"""The identities of a catalogue's dataset folders, taken in a child process.

A rebuild of a large catalogue first asks every dataset folder for its
identity (a stat of each file: mostly system calls) and reads the parsed
descriptors kept by the last build (mostly unpickling). The two need
nothing from each other, so :class:`Walk` takes the identities in a forked
child while the builder reads its cache, and hands them over when they are
first needed: at 100,000 datasets a rebuild with nothing new waits for the
slower of the two instead of both.

The child runs the same identity function the builder would run itself (it
inherits it with the process: nothing is pickled on the way in), and sends
back the identities and the directory listings it made. Whatever goes
wrong there (no ``fork`` on this system, the child killed, a pipe error)
only means the builder takes the identities itself, with a warning.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Mapping
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from domain.catalogue.paths import dataset_folders

log = logging.getLogger(__name__)

Result = tuple[dict[str, str], dict[str, Any]]
"""The identity of each dataset folder (by its path as text), and the
directory listings made while taking them."""


class Walk:
    """A child process taking the identities of the folders of one catalogue."""

    def __init__(self, process: BaseProcess, reader: Connection,
                 known: Mapping[str, Any]):
        self._process = process
        self._reader = reader
        self._known = known

    @classmethod
    def start(cls, root: Path, identity: Callable[[Path], str],
              listings: dict[str, Any], known: Mapping[str, Any] | None = None) -> Walk | None:
        """Start taking ``identity`` of every dataset folder under ``root`` in
        a child process; ``listings`` is the mapping ``identity`` fills with
        the listings it makes (the child's copy of it is given back by
        :meth:`result`). ``known``: the listings the last build kept, which
        the parent holds too; only how the child's differ from them is sent
        (at 100,000 datasets pickling 200,000 unchanged listings and reading
        them back cost a rebuild about half a second). None when no child
        can be started (the caller takes the identities itself)."""
        if "fork" not in multiprocessing.get_all_start_methods():
            return None
        known = known if known is not None else {}
        context = multiprocessing.get_context("fork")
        try:
            reader, writer = context.Pipe(duplex=False)
            process = context.Process(target=_walk, args=(root, identity, listings, known,
                                                          writer),
                                      name="portal-build-walk", daemon=True)
            process.start()
        except OSError as error:
            log.warning("could not start the folder walk in a child process (%s); "
                        "walking the catalogue in this one", error)
            return None
        writer.close()  # the child's end: the reader sees EOF if the child dies
        return cls(process, reader, known)

    def result(self) -> Result | None:
        """The child's identities and listings (waiting for them), or None
        when it failed (logged as a warning)."""
        try:
            identities, changed, unseen = self._reader.recv()
        except (EOFError, OSError) as error:  # the child died or the pipe broke
            identities, changed, unseen = str(error) or type(error).__name__, {}, []
        finally:
            self._reader.close()
            self._process.join()
        if not isinstance(identities, dict):  # what went wrong, as text
            log.warning("the folder walk in a child process failed (%s); walking the "
                        "catalogue in this one", identities[:300])
            return None
        # The child's listings: the known ones it saw unchanged, and the others.
        dropped = set(unseen)
        listings = {k: v for k, v in self._known.items() if k not in dropped}
        listings.update(changed)
        return identities, listings


def _walk(root: Path, identity: Callable[[Path], str], listings: dict[str, Any],
          known: Mapping[str, Any], writer: Connection) -> None:
    """In the child: every folder's identity, sent to the parent with how
    the listings made differ from ``known`` (those changed or new, and the
    known ones not made); an error is sent as text (the parent then walks
    itself)."""
    try:
        found = {str(folder): identity(folder) for folder in dataset_folders(root)}
        changed = {k: v for k, v in listings.items() if known.get(k) != v}
        unseen = [k for k in known if k not in listings]
        writer.send((found, changed, unseen))
    except Exception as error:  # reported by the parent, which walks again
        writer.send((f"{type(error).__name__}: {error}", {}, []))
    finally:
        writer.close()
        os._exit(0)  # nothing of the parent's state is torn down here
