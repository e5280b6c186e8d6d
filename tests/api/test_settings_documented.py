"""Every service setting is documented in docs/service.md."""

from __future__ import annotations

import pytest

from search_api.settings import SETTINGS
from tests.conftest import REPO

DOC = (REPO / "docs" / "service.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", [s.name for s in SETTINGS])
def test_setting_is_documented(name: str) -> None:
    assert f"`{name}`" in DOC
