"""Jurisdiction profiles: the numbers of SPEC §8, checked against the seed texts."""

from __future__ import annotations

import dataclasses
import re

import pytest

from domain.periods.profiles import (
    EXTENSION_FIELDS,
    OPTIONAL_FIELDS,
    PERIOD_FIELDS,
    POLICY,
    PROFILES,
    RULE_FIELDS,
    Profile,
    ProfileError,
    UnknownProfile,
    load_profile,
)

# SPEC §8 as written there (None: the text sets no figure), transcribed by hand
# and checked against the seed texts (the articles are cited in domain/periods/profiles.py).
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
        "provider_reply": (15, 15),
        "open_after_approval": (None, None),
        "third_party_period": (None, None),  # pre-revision text only: bureau policy
        "verification": (None, None),
        "catalogue_correction": (None, None),
        "catalogue_update_after_legal_change": (15, None),
    },
    "wanzhou": {
        "provider_reply": (10, 10),
        "open_after_approval": (None, None),
        "third_party_period": (None, None),
        "verification": (10, 10),
        "catalogue_correction": (10, 10),
        "catalogue_update_after_legal_change": (10, None),
    },
}
# 000 §25 and 002 §30 set a period for departments using *shared* data; the
# profiles keep the figure for public error reports as bureau policy.
POLICY_FIGURES = {("guizhou-measures", "verification"), ("foshan", "verification")}
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
        topic = {"catalogue_update_after_legal_change": "catalogue_update"}.get(procedure,
                                                                                procedure)
        if base is None:
            # The text is silent: bureau policy, and the basis says so.
            default_base, default_ext = DEFAULTS[procedure]
            assert getattr(profile, procedure) == default_base, procedure
            if ext_field:
                assert getattr(profile, ext_field) == default_ext, procedure
            assert profile.is_policy(topic), procedure
        else:
            assert getattr(profile, procedure) == base, procedure
            if ext_field:
                # The text sets the period but grants no extension: none allowed.
                assert getattr(profile, ext_field) == extension, procedure
            if (key, procedure) in POLICY_FIGURES:
                assert profile.is_policy(topic), procedure
            else:
                assert profile.article(topic).startswith(profile.regulation + " §"), procedure
    assert "Bureau policy" in profile.source


def test_no_review_step_in_front_of_the_provider_under_003_and_004() -> None:
    # 003 §24-§25, 004 §31: applied to the provider, whose period runs from receipt.
    assert PROFILES["guizhou-regulation"].normative_review is None
    assert PROFILES["wanzhou"].normative_review is None
    assert PROFILES["guizhou-measures"].normative_review == 5  # 000 §31 keeps its review
    assert PROFILES["anhui"].is_policy("normative_review")
    assert PROFILES["foshan"].is_policy("provider_reply")


def test_003_is_cited_with_its_current_numbers() -> None:
    p = PROFILES["guizhou-regulation"]
    assert p.article("provider_reply") == "003 §25 para 2"
    assert p.article("consultation_excluded") == "003 §25 para 3"
    assert p.article("explanation") == "003 §26"
    assert p.basis["third_party_period"] == "policy: 003-pre §25"
    assert p.is_policy("third_party_period") and p.is_policy("public_interest_override")
    assert p.is_policy("verification")  # §37 says 及时, no period
    assert p.explanation_pause is None


@pytest.mark.parametrize("key", SPEC_TABLE)
def test_every_basis_cites_only_its_own_regulation(key: str) -> None:
    profile = PROFILES[key]
    for topic, value in profile.basis.items():
        cited = value.removeprefix("policy: ")
        if value != POLICY and not value.startswith("policy: "):
            assert cited.startswith(profile.regulation + " §"), (topic, value)


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
    assert profile.source.endswith(
        "Deployment overrides (bureau policy): provider_reply=12, provider_extension_max=5.")
    assert profile.is_policy("provider_reply")
    pause = load_profile("wanzhou", {"explanation_pause": 5})
    assert pause.explanation_pause == 5 and pause.is_policy("explanation_pause")
    assert PROFILES["anhui"].provider_reply == 10  # the preset is untouched


def test_zero_extension_means_none() -> None:
    assert load_profile("wanzhou", {"provider_extension_max": 0}).provider_extension_max is None


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"provider_reply": -1}, "'provider_reply' must be >= 1 working day, got -1"),
        ({"provider_reply": 0}, "'provider_reply' must be >= 1 working day, got 0"),
        ({"verification_extension_max": -3}, "must be >= 0 working days \\(0: none\\), got -3"),
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
        "key", "name", "regulation", "source", "basis", *PERIOD_FIELDS, *RULE_FIELDS}
    for profile in PROFILES.values():
        for name in PERIOD_FIELDS:
            value = getattr(profile, name)
            if name in OPTIONAL_FIELDS and value is None:
                continue  # no extension allowed
            assert isinstance(value, int) and value >= 1, (profile.key, name)


@pytest.mark.parametrize(("key", "overrides", "match"), [
    ("guizhou-regulation", {"normative_review": 5}, "no review period may be put in front"),
    ("wanzhou", {"normative_review": 3}, "no review period may be put in front"),
    ("guizhou-regulation", {"provider_reply": 20}, r"003 §25 para 2 sets 15; .*not lengthen"),
    ("guizhou-measures", {"provider_extension_max": 5}, "000 §31 sets none"),
    ("wanzhou", {"verification_extension_max": 11}, "004 §17 sets 10"),
])
def test_a_deployment_cannot_lengthen_what_the_text_sets(
        key: str, overrides: dict[str, int], match: str) -> None:
    with pytest.raises(ProfileError, match=match):
        load_profile(key, overrides)


def test_a_deployment_may_shorten_what_the_text_sets_and_it_becomes_policy() -> None:
    profile = load_profile("guizhou-regulation", {"provider_reply": 12})
    assert profile.provider_reply == 12 and profile.is_policy("provider_reply")
    assert load_profile("guizhou-measures", {"normative_review": 3}).normative_review == 3
