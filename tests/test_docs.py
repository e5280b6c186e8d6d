"""Every catalogue field, setting and error code is documented for the
data officers who write them (docs/catalogue-format.md)."""

from __future__ import annotations

import dataclasses
import re

import pytest

from domain.catalogue import catalog, descriptor
from domain.catalogue.problems import all_problem_types
from tests.conftest import REPO

DOC = (REPO / "docs" / "catalogue-format.md").read_text(encoding="utf-8")
DOCUMENTED = set(re.findall(r"`([a-z_.\[\]-]+)`", DOC))

DESCRIPTOR_KEYS = sorted(set(descriptor.REQUIRED) | set(descriptor._KNOWN_KEYS))
PORTAL_KEYS = sorted(f.name for f in dataclasses.fields(catalog.PortalInfo) if f.name != "extra")


@pytest.mark.parametrize("key", DESCRIPTOR_KEYS)
def test_descriptor_field_is_documented(key: str) -> None:
    assert key in DOCUMENTED


@pytest.mark.parametrize("key", PORTAL_KEYS)
def test_portal_setting_is_documented(key: str) -> None:
    assert key in DOCUMENTED


@pytest.mark.parametrize("code", [t.code for t in all_problem_types()])
def test_error_code_is_documented(code: str) -> None:
    assert code in DOCUMENTED


@pytest.mark.parametrize("key", ["departments", "themes", "regions", "update_frequencies",
                                 "levels", "max_age_days", "aliases"])
def test_vocabulary_keys_are_documented(key: str) -> None:
    assert key in DOCUMENTED
