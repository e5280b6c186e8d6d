"""The build state is written an item at a time (``builder.site_output.write_state``)
and reads back as the same JSON as one written whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from builder.site_output import write_state


@pytest.mark.parametrize("state", [
    {},
    {"version": "1", "datasets": {}, "files": [], "groups": {}, "taken_down": {}},
    {"version": "1",
     "datasets": {"a-1": {"data_key": "k", "problems": [], "files": ["x/一.html", "y"]},
                  "b\"2": {"record": ["k", "d"], "title": "标题\n"}},
     "files": [f"datasets/{n}/index.html" for n in range(25_001)],  # three pieces
     "groups": {"catalogue-files": {"key": "g", "files": ["catalog.json"]}},
     "taken_down": {"c": {"title": "t", "reason": "removed", "since": "2026-11-23"}},
     "count": 3, "none": None, "one": [1]},
])
def test_the_state_file_is_the_json_of_the_state(tmp_path: Path, state: dict[str, Any]) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(b"old")
    write_state(path, state)
    assert path.read_bytes() == orjson.dumps(state)
    assert orjson.loads(path.read_bytes()) == state
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temporary file left
