"""Jurisdiction profiles: the numbers of SPEC §8, checked against the seed texts."""

from __future__ import annotations

import dataclasses
import re

import pytest

from domain.profiles import (
    EXTENSION_FIELDS,
    PERIOD_FIELDS,
    PROFILES,
    RULE_FIELDS,
    Profile,
    ProfileError,
    UnknownProfile,
    load_profile,
)

# SPEC §8 as written there (None: the text sets no figure), transcribed by hand
# and checked against the seed texts (the articles are cited in domain/profiles.py).
# (base, extension) per procedure.
SPEC_TABLE: dict[str, dict[str, tuple[int | None, int | None]]] = {
    "guizhou-measures": {
        "normative_review": (5, None),
        "provider_reply": (10, None),
        "open_after_approval": (5, None),
        "third_party_period": (None, None),
        "verification": (10, None),
        "catalogue_correction": (None, None),
        "catalogue_update_after_legal_change": (10, 5),
    },
    "anhui": {
        "normative_review": (None, None),
        "provider_reply": (None, None),
        "open_after_approval": (None, None),
        "third_party_period": (None, None),
        "verification": (7, 7),
        "catalogue_correction": (None, None),
        "catalogue_update_after_legal_change": (10, None),
    },
    "foshan": {
        "normative_review": (None, None),
        "provider_reply": (None, None),
        "open_after_approval": (None, None),
        "third_party_period": (None, None),
        "verification": (10, None),
        "catalogue_correction": (None, None),
        "catalogue_update_after_legal_change": (15, None),
    },
    "guizhou-regulation": {
        "normative_review": (None, None),
        "provider_reply": (15, 15),
        "open_after_approval": (None, None),
        "third_party_period": (15, None),
        "verification": (None, None),
        "catalogue_correction": (None, None),
        "catalogue_update_after_legal_change": (15, None),
    },
    "wanzhou": {
        "normative_review": (None, None),
        "provider_reply": (10, 10),
        "open_after_approval": (None, None),
        "third_party_period": (None, None),
        "verification": (10, 10),
        "catalogue_correction": (10, 10),
        "catalogue_update_after_legal_change": (10, None),
    },
}
# The portal defaults for a procedure a text does not regulate (base, extension).
DEFAULTS: dict[str, tuple[int, int | None]] = {
    "normative_review": (5, None),
    "provider_reply": (10, 10),
    "open_after_approval": (5, None),
    "third_party_period": (15, None),
    "verification": (10, 10),
    "catalogue_correction": (10, 10),
}
EXTENSION_OF = {
    "provider_reply": "provider_extension_max",
    "verification": "verification_extension_max",
    "catalogue_correction": "catalogue_correction_extension_max",
    "catalogue_update_after_legal_change": "catalogue_update_extension_max",
}


def test_presets_are_the_five_seed_jurisdictions() -> None:
    assert set(PROFILES) == set(SPEC_TABLE)


@pytest.mark.parametrize("key", SPEC_TABLE)
def test_preset_numbers_follow_spec_table_or_defaults(key: str) -> None:
    profile = PROFILES[key]
    for procedure, (base, extension) in SPEC_TABLE[key].items():
        ext_field = EXTENSION_OF.get(procedure)
        if base is None:
            # The text is silent: the portal default, and the note says so.
            default_base, default_ext = DEFAULTS[procedure]
            assert getattr(profile, procedure) == default_base, procedure
            if ext_field:
                assert getattr(profile, ext_field) == default_ext, procedure
        else:
            assert getattr(profile, procedure) == base, procedure
            if ext_field:
                # The text sets the period but grants no extension: none allowed.
                assert getattr(profile, ext_field) == extension, procedure
    assert "default" in profile.source


@pytest.mark.parametrize("key", SPEC_TABLE)
def test_source_cites_articles_of_its_own_seed(key: str) -> None:
    file_number = {"guizhou-measures": "000", "anhui": "001", "foshan": "002",
                   "guizhou-regulation": "003", "wanzhou": "004"}[key]
    assert re.search(rf"\b{file_number} §\d+", PROFILES[key].source)


def test_load_profile_returns_the_preset() -> None:
    assert load_profile("wanzhou") is PROFILES["wanzhou"]
    assert load_profile("guizhou-regulation").name == "贵州省政府数据共享开放条例"


def test_unknown_profile_lists_the_presets() -> None:
    with pytest.raises(UnknownProfile, match="unknown deadline profile 'guizhou'; choose one of: guizhou-measures, anhui"):
        load_profile("guizhou")


def test_overrides_apply_and_are_noted() -> None:
    profile = load_profile("anhui", {"provider_reply": 12, "provider_extension_max": 5})
    assert (profile.provider_reply, profile.provider_extension_max) == (12, 5)
    assert profile.source.endswith("Deployment overrides: provider_reply=12, provider_extension_max=5.")
    assert PROFILES["anhui"].provider_reply == 10  # the preset is untouched


def test_zero_extension_means_none() -> None:
    assert load_profile("wanzhou", {"provider_extension_max": 0}).provider_extension_max is None


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"provider_reply": -1}, "'provider_reply' must be >= 1 working day, got -1"),
        ({"provider_reply": 0}, "'provider_reply' must be >= 1 working day, got 0"),
        ({"verification_extension_max": -3}, "must be >= 0 working days \\(0: no extension\\), got -3"),
        ({"provider_reply": True}, "must be a whole number of working days, got True"),
        ({"provider_reply": 1.5}, "must be a whole number of working days, got 1.5"),
        ({"provider_days": 10}, "'provider_days' is not a period of a profile; use one of: normative_review"),
        ({"key": 3}, "'key' is not a period"),
    ],
)
def test_bad_overrides_are_refused(overrides: dict[str, int], match: str) -> None:
    with pytest.raises(ProfileError, match=match):
        load_profile("anhui", overrides)


def test_profile_is_immutable_and_checked() -> None:
    profile = PROFILES["foshan"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        profile.verification = 3  # type: ignore[misc]
    with pytest.raises(ProfileError, match="third_party_period must be a whole number >= 1"):
        dataclasses.replace(profile, third_party_period=0)
    with pytest.raises(ProfileError, match="None or a whole number >= 1"):
        dataclasses.replace(profile, provider_extension_max=-1)


def test_every_period_field_is_declared_once() -> None:
    assert set(EXTENSION_FIELDS) <= set(PERIOD_FIELDS)
    assert {f.name for f in dataclasses.fields(Profile)} == {
        "key", "name", "source", *PERIOD_FIELDS, *RULE_FIELDS}
    for profile in PROFILES.values():
        for name in PERIOD_FIELDS:
            value = getattr(profile, name)
            if name in EXTENSION_FIELDS and value is None:
                continue  # no extension allowed
            assert isinstance(value, int) and value >= 1, (profile.key, name)
