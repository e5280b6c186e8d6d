"""Jurisdiction profiles: every period of the portal's procedures, in working
days, as one regulation sets them (SPEC §8), and the basis of each.

A deployment runs under one profile, named by ``profile:`` in
``datasets/portal.yaml``. Each profile names its regulation (``regulation``,
the seed file number such as ``"003"``) and, in :attr:`Profile.basis`, the
article behind every period and rule, by topic. A topic whose text sets no
figure (or no rule) carries the basis :data:`POLICY`: the value is the
bureau's own policy, and everything that shows it says so. ``"003-pre §25"``
marks the pre-revision text of 003 (the old article 25 on third parties,
no longer numbered in the revised text), adopted as bureau policy.

003 is cited with its *current* numbers (the redline's later figure):
§24 application, §25 reply (para 2: 15 + 15 working days; para 3:
consultation time not counted), §26 explanation demand, §37 error reports.

Two procedure shapes follow from the texts:

- ``normative_review`` set (000 §31, and 001/002 as bureau policy): the
  data authority reviews first, the provider's period starts when the
  request is forwarded;
- ``normative_review`` None (003 §24–§25, 004 §31): the applicant applies
  to the provider through the platform and the provider's period runs from
  the day the platform receives the application; a formal check by the
  platform runs inside that period and cannot move its end.

``explanation_pause`` None (every text): asking the applicant to explain
a request does not stop the provider's clock. A number N is a bureau policy
pause: the clock stops, the applicant has N working days to answer, and an
unanswered demand ends as 不予处理.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from domain.periods.profile_model import (
    EXTENSION_FIELDS,
    OPTIONAL_FIELDS,
    PERIOD_FIELDS,
    POLICY,
    RULE_FIELDS,
    TOPICS,
    Profile,
    ProfileError,
    UnknownProfile,
)
from domain.periods.profile_presets import PROFILES

# The public names of the profiles, importable from this one module.
__all__ = [
    "EXTENSION_FIELDS",
    "OPTIONAL_FIELDS",
    "PERIOD_FIELDS",
    "POLICY",
    "PROFILES",
    "RULE_FIELDS",
    "TOPICS",
    "Profile",
    "ProfileError",
    "UnknownProfile",
    "load_profile",
]


# Overrides that change a period the text sets make it bureau policy.
_TOPIC_OF = {
    "normative_review": "normative_review", "provider_reply": "provider_reply",
    "provider_extension_max": "provider_extension", "open_after_approval": "open_after_approval",
    "third_party_period": "third_party_period", "verification": "verification",
    "verification_extension_max": "verification",
    "catalogue_correction": "catalogue_correction",
    "catalogue_correction_extension_max": "catalogue_correction",
    "catalogue_update_after_legal_change": "catalogue_update",
    "catalogue_update_extension_max": "catalogue_update",
    "explanation_pause": "explanation_pause",
}


def load_profile(key: str, overrides: Mapping[str, int | None] | None = None) -> Profile:
    """The preset ``key`` with ``overrides`` (period name → working days) applied.

    An optional field (an extension maximum, ``normative_review``,
    ``explanation_pause``) overridden with 0 becomes None (none). An
    override is bureau policy: the basis of its topic becomes
    :data:`POLICY`, and the override is appended to ``source``.

    Raises:
        UnknownProfile: ``key`` is not a preset; the message lists the presets.
        ProfileError: an override names no period, or its value is not a
            whole number (>= 1; optional fields >= 0); it lengthens a
            period (or grants an extension) that the text sets; or it puts
            a review period in front of a provider whose period runs from
            receipt (003 §24-§25, 004 §31).
    """
    try:
        profile = PROFILES[key]
    except KeyError:
        raise UnknownProfile(
            f"unknown deadline profile {key!r}; choose one of: {', '.join(PROFILES)}"
        ) from None
    if not overrides:
        return profile
    # Any: the keys are checked against PERIOD_FIELDS at run time, which the
    # type checker cannot follow through **kwargs.
    changes: dict[str, Any] = {}
    basis = dict(profile.basis)
    for name, value in overrides.items():
        if name not in PERIOD_FIELDS:
            raise ProfileError(
                f"override {name!r} is not a period of a profile; use one of: "
                f"{', '.join(PERIOD_FIELDS)}"
            )
        if not isinstance(value, int) or isinstance(value, bool):
            raise ProfileError(f"override {name!r} must be a whole number of working days, got {value!r}")
        topic = _TOPIC_OF[name]
        if name == "normative_review" and profile.normative_review is None and value:
            raise ProfileError(
                f"override 'normative_review' refused: under {profile.key!r} "
                f"({profile.basis['normative_review']}) the provider's period runs from the "
                "day the application is received; no review period may be put in front of it")
        preset = getattr(profile, name)
        # The text sets this figure: a bureau may shorten it, never lengthen
        # it or grant an extension the text does not.
        if value > 0 and not profile.is_policy(topic) and (preset is None or value > preset):
            raise ProfileError(
                f"override {name!r}={value} refused: {profile.article(topic)} sets "
                f"{preset if preset is not None else 'none'}; a deployment may shorten "
                "a period the text sets, not lengthen it")
        if name in OPTIONAL_FIELDS:
            if value < 0:
                raise ProfileError(
                    f"override {name!r} must be >= 0 working days (0: none), got {value}"
                )
            changes[name] = value or None  # one spelling of "none": None
        elif value < 1:
            raise ProfileError(f"override {name!r} must be >= 1 working day, got {value}")
        else:
            changes[name] = value
        basis[topic] = POLICY
    note = ", ".join(f"{name}={value}" for name, value in overrides.items())
    return replace(profile, source=f"{profile.source} Deployment overrides (bureau policy): "
                   f"{note}.", basis=basis, **changes)
