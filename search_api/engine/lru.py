"""A small least-recently-used mapping (the engine's caches)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any


class Lru(OrderedDict[Any, Any]):
    """A small LRU mapping; callers hold the engine's lock."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def fetch(self, key: Any) -> Any:
        """The value under ``key`` (now the most recent), or None."""
        value = self.get(key)
        if value is not None:
            self.move_to_end(key)
        return value

    def keep(self, key: Any, value: Any) -> None:
        """Store ``value``, dropping the least recently used beyond ``size``."""
        self[key] = value
        while len(self) > self.size:
            self.popitem(last=False)
