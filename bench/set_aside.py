"""Old benchmark output moved aside before a timed build, deleted after the figures.

Why not simply delete it first: on this machine's ext4, for about half a
minute after many files were deleted, creating a file costs far more CPU
(measured: 19 µs per new empty file normally, 340–560 µs right after 70,000
files were deleted; a 10,000-dataset full build's page workers then used
37.7 s of CPU instead of 29.1 s). A full build creates a file for every
page and download, so deleting the previous run's site just before timing
the next one measured the benchmark's own clean-up, not the build (a real
first build does not follow the deletion of a whole site by a second). A
rename costs nothing of the kind; the folders set aside are deleted when
the benchmark has printed its figures.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path


class SetAside:
    """Folders moved out of the way now, deleted by :meth:`empty` (or on
    leaving a ``with`` block)."""

    def __init__(self, trash: Path) -> None:
        self.trash = trash

    def move(self, *folders: Path) -> None:
        """Move each existing folder into the trash (same file system: a rename)."""
        for folder in folders:
            if folder.exists():
                self.trash.mkdir(parents=True, exist_ok=True)
                folder.rename(self.trash / f"{folder.name}-{uuid.uuid4().hex[:8]}")

    def empty(self) -> None:
        """Delete what was set aside."""
        shutil.rmtree(self.trash, ignore_errors=True)

    def __enter__(self) -> SetAside:
        self.empty()  # a run that was interrupted left its trash
        return self

    def __exit__(self, *exc: object) -> None:
        self.empty()
