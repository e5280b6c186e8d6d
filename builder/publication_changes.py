"""What a build published, withdrew and took down, for the audit log
(调度溯源, 003 §34).

The builder never writes to the request service; it compares the datasets
it published with those of the previous build (the build state) and hands
the differences to ``portal build``, which records them in the service's
store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PUBLIC_KEY = "public"
"""Key of a dataset's build-state entry: its status when it was published."""

RETIRED = frozenset({"withdrawn", "invalid"})


@dataclass(frozen=True)
class PublicationChange:
    """``action`` is ``published`` (on the site now, not before, or active
    again after a withdrawal), ``withdrawn`` (withdrawn or marked invalid
    with an announcement, 000 §33: still listed) or ``taken_down`` (no
    longer on the site: not open any more, or gone from the catalogue)."""

    dataset_id: str
    action: str
    status: str  # the dataset's status now; "" when it is no longer published

    def detail(self) -> dict[str, str]:
        return {"status": self.status} if self.status else {}


def _published(entry: Mapping[str, Any]) -> tuple[bool, str | None]:
    """Whether a state entry was published, and its status (None: a state
    written before statuses were kept, then unknown)."""
    if PUBLIC_KEY in entry:
        return True, str(entry[PUBLIC_KEY])
    return "page_key" in entry, None


def changes(old: Mapping[str, Mapping[str, Any]],
            new: Mapping[str, Mapping[str, Any]]) -> list[PublicationChange]:
    """The publication changes from the ``old`` build state's dataset
    entries to the ``new`` ones, sorted by dataset."""
    found: list[PublicationChange] = []
    for ident in sorted(set(old) | set(new)):
        was, old_status = _published(old.get(ident, {}))
        now = PUBLIC_KEY in new.get(ident, {})
        status = str(new[ident][PUBLIC_KEY]) if now else ""
        if now and not was:
            found.append(PublicationChange(ident, "published", status))
        elif was and not now:
            found.append(PublicationChange(ident, "taken_down", ""))
        elif now and old_status is not None and old_status != status:
            if status in RETIRED and old_status not in RETIRED:
                found.append(PublicationChange(ident, "withdrawn", status))
            elif status not in RETIRED and old_status in RETIRED:
                found.append(PublicationChange(ident, "published", status))
    return found
