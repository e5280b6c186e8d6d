"""The :class:`Profile` type: the periods of one jurisdiction's procedures, in
working days, and the basis of each (see :mod:`domain.periods.profiles` for
what a profile means and which presets exist), with its errors and the names
of its fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType

POLICY = "policy"
"""The basis of a period or rule that no article of the profile's text sets:
bureau policy (本局规定)."""


class ProfileError(ValueError):
    """An unknown profile key or an invalid period; the message says which."""

    code = "profile-invalid"
    status = 500  # a deployment configuration error, not the user's


class UnknownProfile(ProfileError):
    code = "profile-unknown"


# Fields that hold the maximum of an extension; None there means "none allowed".
EXTENSION_FIELDS = frozenset({
    "provider_extension_max",
    "verification_extension_max",
    "catalogue_correction_extension_max",
    "catalogue_update_extension_max",
})
# Fields where None means "no such step": no review before the provider
# (normative_review), no pause while the applicant explains (explanation_pause).
OPTIONAL_FIELDS = EXTENSION_FIELDS | {"normative_review", "explanation_pause"}

TOPICS: tuple[str, ...] = (
    "normative_review", "provider_reply", "provider_extension", "open_after_approval",
    "application", "explanation", "explanation_pause", "consultation_excluded",
    "third_party_period", "public_interest_override", "third_party_consent", "decision",
    "verification", "catalogue_correction", "catalogue_update", "supervision_authority",
    "supervision_department",
)
"""Every topic a profile's :attr:`Profile.basis` names: periods and rules."""


@dataclass(frozen=True)
class Profile:
    """The periods of one jurisdiction, all in working days, and their basis.

    Raises:
        ProfileError: on construction, when a period is not a whole number
            of at least 1 working day (optional fields: None or at least 1),
            or the basis leaves a topic out.
    """

    key: str
    name: str  # the regulation's Chinese title
    regulation: str  # the seed file number of the regulation, e.g. "003"
    source: str  # article references, and which numbers are bureau policy
    normative_review: int | None  # 规范性审核 by the data authority; None: no such step
    provider_reply: int  # 数据提供部门答复 of an open request
    provider_extension_max: int | None
    open_after_approval: int  # data opened to the applicant after approval
    third_party_period: int  # 第三方提出意见, from the day it received the letter
    verification: int  # 校核 of a data error report
    verification_extension_max: int | None
    catalogue_correction: int  # 目录更正申请 answered
    catalogue_correction_extension_max: int | None
    catalogue_update_after_legal_change: int  # 目录更新 after a law or mandate changes
    catalogue_update_extension_max: int | None
    # Bureau policy only: the applicant's days to answer an explanation
    # demand while the provider's clock stands still; None: no pause.
    explanation_pause: int | None = None
    # A third party's consent is needed to open data touching its rights:
    # any objection, or no agreement at all, forbids opening and no public
    # interest overrides it (002 §38 当事人不同意开放的，不得提供). False:
    # only an objection with reasonable grounds forbids, silence leaves the
    # decision to the provider, and the public interest may override
    # (the pre-revision text of 003, as bureau policy).
    third_party_veto: bool = False
    # topic (TOPICS) → "NNN §A" or "NNN §A para P" (the text's rule), POLICY,
    # or "policy: NNN §A" (bureau policy modelled on that article, e.g. one
    # written for data sharing, or "003-pre §25", the pre-revision text).
    basis: Mapping[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if not self.key:
            raise ProfileError("a profile needs a key")
        for name in PERIOD_FIELDS:
            _check_period(self.key, name, getattr(self, name))
        if not isinstance(self.third_party_veto, bool):
            raise ProfileError(f"profile {self.key!r}: third_party_veto must be true or false, "
                               f"got {self.third_party_veto!r}")
        missing = [t for t in TOPICS if t not in self.basis]
        if missing:
            raise ProfileError(f"profile {self.key!r}: no basis for {', '.join(missing)}")
        object.__setattr__(self, "basis", MappingProxyType(dict(self.basis)))

    def article(self, topic: str) -> str:
        """The article behind ``topic`` (``"003 §25"``), or ``""`` when it
        is bureau policy (a pre-revision article counts as policy here).

        Raises:
            KeyError: ``topic`` is not one of :data:`TOPICS`.
        """
        value = self.basis[topic]
        return "" if value.startswith(POLICY) else value

    def is_policy(self, topic: str) -> bool:
        """True when ``topic`` is bureau policy rather than the text's rule."""
        return not self.article(topic)


def _check_period(key: str, name: str, value: object) -> None:
    # bool is an int in Python; True as "1 working day" is never intended.
    if name in OPTIONAL_FIELDS and value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        allowed = "None or a whole number >= 1" if name in OPTIONAL_FIELDS else "a whole number >= 1"
        raise ProfileError(f"profile {key!r}: {name} must be {allowed} (working days), got {value!r}")


RULE_FIELDS: tuple[str, ...] = ("third_party_veto",)
"""Fields that hold a rule of the text, not a period; no override changes them."""

PERIOD_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(Profile)
    if f.name not in ("key", "name", "regulation", "source", "basis", *RULE_FIELDS)
)
