"""The deployment's jurisdiction: ONE profile, named by ``profile:`` in the
catalogue's ``portal.yaml`` (``CATALOG_DIR``), read here by the service and
the ``portal`` commands alike (the builder reads the same file).

``profile_overrides:`` in portal.yaml may set bureau-policy values (e.g.
``explanation_pause: 5``); they are labelled policy wherever shown.

The former ``PROFILE`` setting is kept for the transition only: left empty
it is ignored; set to a different profile it stops start-up, so that the
pages and the procedure can never follow two jurisdictions.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from domain.catalogue.catalog import load_portal_info
from domain.periods.profiles import Profile, ProfileError, load_profile


class DeploymentError(RuntimeError):
    """The deployment's settings contradict each other or portal.yaml is
    unreadable; the message (English, for operators) says what to change."""


def deployment_profile(config: Mapping[str, Any]) -> Profile:
    """The profile of ``profile:`` in ``CATALOG_DIR``/portal.yaml, with its
    ``profile_overrides:`` applied.

    Raises:
        DeploymentError: portal.yaml is invalid, names an unknown profile or
            invalid overrides, or the ``PROFILE`` setting names another profile.
    """
    root = Path(str(config.get("CATALOG_DIR") or "datasets"))
    found: list[Any] = []
    info = load_portal_info(root, found)
    if found:
        raise DeploymentError(f"{root / 'portal.yaml'} is invalid: "
                              + "; ".join(str(p) for p in found))
    legacy = str(config.get("PROFILE") or "").strip()
    if legacy and legacy != info.profile:
        raise DeploymentError(
            f"the PROFILE setting ({legacy!r}) differs from profile: {info.profile!r} in "
            f"{root / 'portal.yaml'}; the portal runs under one profile, set in portal.yaml: "
            "remove the PROFILE setting (PORTAL_PROFILE) or make the two agree")
    overrides = info.extra.get("profile_overrides") or {}
    if not isinstance(overrides, Mapping):
        raise DeploymentError(f"profile_overrides in {root / 'portal.yaml'} must be a mapping "
                              "of period name to working days")
    try:
        return load_profile(info.profile, overrides)
    except ProfileError as exc:
        raise DeploymentError(f"{root / 'portal.yaml'}: {exc}") from exc
