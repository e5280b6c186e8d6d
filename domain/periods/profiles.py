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
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any

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


_REQUEST_POLICY = {t: POLICY for t in (
    "normative_review", "provider_reply", "provider_extension", "open_after_approval",
    "application", "explanation", "explanation_pause", "consultation_excluded",
    "third_party_period", "public_interest_override", "third_party_consent", "decision",
    "supervision_authority", "supervision_department")}

_PRESETS = (
    Profile(
        key="guizhou-measures",
        name="贵州省政务数据资源管理办法",
        regulation="000",
        source=(
            "000 §31: normative review 5 by the data authority, then provider reply 10 from the "
            "day the provider receives the request (no extension set), opened within 5 after "
            "approval; 000 §9: catalogue update 10, +5 with the data authority's consent. "
            "Bureau policy (000 sets no figure): third party 15 (pre-revision 003 text), "
            "verification 10 (000 §25 concerns shared data), catalogue correction 10 (+10); "
            "overdue reminders to the department's heads and data officer as 000 §43 does "
            "for sharing."
        ),
        normative_review=5,  # 000 §31 自收到申请之日起5个工作日内完成规范性审核
        provider_reply=10,  # 000 §31 应自收到申请之时起10个工作日内予以答复
        provider_extension_max=None,  # 000 §31 grants no extension
        open_after_approval=5,  # 000 §31 同意开放的…在5个工作日内按流程予以开放
        third_party_period=15,  # bureau policy
        verification=10,  # bureau policy; 000 §25 concerns departments using shared data
        verification_extension_max=None,
        catalogue_correction=10,  # bureau policy
        catalogue_correction_extension_max=10,
        catalogue_update_after_legal_change=10,  # 000 §9 …之日起10个工作日内更新
        catalogue_update_extension_max=5,  # 000 §9 可延长5个工作日
        basis={**_REQUEST_POLICY,
               "normative_review": "000 §31", "provider_reply": "000 §31",
               "provider_extension": "000 §31", "open_after_approval": "000 §31",
               "application": "000 §31", "decision": "000 §31",
               "verification": POLICY, "catalogue_correction": POLICY,
               "catalogue_update": "000 §9",
               "supervision_authority": "policy: 000 §43",
               "supervision_department": "policy: 000 §43"},
    ),
    Profile(
        key="anhui",
        name="安徽省政务数据资源管理办法",
        regulation="001",
        source=(
            "001 §26: verification (覆核) 7, extension at most 7 with the head's consent; "
            "001 §15: catalogue update 10 (no extension set). Bureau policy (001 sets no "
            "opening-request period): normative review 5, provider reply 10 (+10), open after "
            "approval 5, third party 15, catalogue correction 10 (+10)."
        ),
        normative_review=5,  # bureau policy
        provider_reply=10,  # bureau policy
        provider_extension_max=10,  # bureau policy
        open_after_approval=5,  # bureau policy
        third_party_period=15,  # bureau policy
        verification=7,  # 001 §26 自收到覆核申请之日起7个工作日内进行校核
        verification_extension_max=7,  # 001 §26 延长期限不超过7个工作日
        catalogue_correction=10,  # bureau policy
        catalogue_correction_extension_max=10,
        catalogue_update_after_legal_change=10,  # 001 §15 自变更之日起10个工作日内更新
        catalogue_update_extension_max=None,  # 001 §15 grants no extension
        basis={**_REQUEST_POLICY, "verification": "001 §26", "catalogue_correction": POLICY,
               "catalogue_update": "001 §15"},
    ),
    Profile(
        key="foshan",
        name="佛山市政务数据资源管理办法（试行）",
        regulation="002",
        source=(
            "002 §17: catalogue update 15 (no extension set); 002 §36: the application; "
            "002 §38: a third party that does not consent to opening cannot be overridden "
            "(third_party_veto); 002 §44: the data authority warns of overdue items. Bureau "
            "policy (002 sets no opening-request period): normative review 5, provider reply "
            "10 (+10), open after approval 5, third party 15, verification 10 (002 §30 "
            "concerns shared data), catalogue correction 10 (+10)."
        ),
        normative_review=5,  # bureau policy
        provider_reply=10,  # bureau policy
        provider_extension_max=10,  # bureau policy
        open_after_approval=5,  # bureau policy
        third_party_period=15,  # bureau policy; 002 §38 asks for consent but sets no period
        verification=10,  # bureau policy; 002 §30 concerns departments using shared data
        verification_extension_max=None,
        catalogue_correction=10,  # bureau policy
        catalogue_correction_extension_max=10,
        catalogue_update_after_legal_change=15,  # 002 §17 …之日起15个工作日内及时更新
        catalogue_update_extension_max=None,  # 002 §17 grants no extension
        third_party_veto=True,  # 002 §38 当事人不同意开放的，不得提供
        basis={**_REQUEST_POLICY, "application": "002 §36", "third_party_consent": "002 §38",
               "verification": POLICY, "catalogue_correction": POLICY,
               "catalogue_update": "002 §17", "supervision_authority": "002 §44"},
    ),
    Profile(
        key="guizhou-regulation",
        name="贵州省政府数据共享开放条例",
        regulation="003",
        source=(
            "003 §24-§25 (current numbering): the applicant applies through the platform to "
            "the provider, whose reply period of 15 (extension at most 15 with the head's "
            "consent; the redline changes 20 to 15) runs from the day the application is "
            "received, with no review step in front; 003 §25 para 3: consultation time not "
            "counted; 003 §26: explanation demand, no pause; 003 §9: catalogue update 15 (no "
            "extension set). Bureau policy: third party 15 and the public-interest override "
            "(the pre-revision article 25, no longer numbered), open after approval 5 (§25 "
            "says 及时), verification 10 (+10) (§37 says 及时校核和更正), catalogue "
            "correction 10 (+10)."
        ),
        normative_review=None,  # 003 §24: applied to the provider, no review step
        provider_reply=15,  # 003 §25 自收到申请之日起15个工作日内予以答复 (redline: 20→15)
        provider_extension_max=15,  # 003 §25 延长的期限最长不得超过15个工作日 (redline: 20→15)
        open_after_approval=5,  # bureau policy; 003 §25 及时开放
        third_party_period=15,  # pre-revision 003 §25, bureau policy
        verification=10,  # bureau policy; 003 §37 及时校核和更正
        verification_extension_max=10,
        catalogue_correction=10,  # bureau policy
        catalogue_correction_extension_max=10,
        catalogue_update_after_legal_change=15,  # 003 §9 自变化之日起15个工作日内完成
        catalogue_update_extension_max=None,  # 003 §9 grants no extension
        basis={**_REQUEST_POLICY,
               "normative_review": "003 §24", "provider_reply": "003 §25 para 2",
               "provider_extension": "003 §25 para 2", "application": "003 §24",
               "explanation": "003 §26", "consultation_excluded": "003 §25 para 3",
               "third_party_period": "policy: 003-pre §25",
               "public_interest_override": "policy: 003-pre §25",
               "third_party_consent": "policy: 003-pre §25",
               "decision": "003 §25 para 4", "verification": POLICY,
               "catalogue_correction": POLICY, "catalogue_update": "003 §9"},
    ),
    Profile(
        key="wanzhou",
        name="万州区政务数据资源管理办法",
        regulation="004",
        source=(
            "004 §31: the provider replies within 10 from the day it receives the application "
            "through the platform, no review step in front, extension at most 10 with the "
            "head's consent; 004 §17: verification 10 (+10); 004 §30: catalogue correction 10 "
            "(+10), a refusal with reasons and basis, an accepted correction forwarded to the "
            "district big-data bureau; 004 §13: catalogue update request 10 (no extension "
            "set). Bureau policy (004 sets no figure): open after approval 5 (§31 says 同意的"
            "应当予以开放), third party 15."
        ),
        normative_review=None,  # 004 §31: applied to the provider, no review step
        provider_reply=10,  # 004 §31 在收到申请之日起在10个工作日内予以答复
        provider_extension_max=10,  # 004 §31 延长答复期限不得超过10个工作日
        open_after_approval=5,  # bureau policy
        third_party_period=15,  # bureau policy
        verification=10,  # 004 §17 在收到申请之日起10个工作日内予以校核
        verification_extension_max=10,  # 004 §17 延长校核期限不超过10个工作日
        catalogue_correction=10,  # 004 §30 在收到申请之日起10个工作日内予以答复
        catalogue_correction_extension_max=10,  # 004 §30 延长答复期限不得超过10个工作日
        # 004 §13: departments apply within 10; the bureau then has 5 more to
        # review and update, a separate step this field does not model.
        catalogue_update_after_legal_change=10,
        catalogue_update_extension_max=None,  # 004 §13 grants no extension
        basis={**_REQUEST_POLICY,
               "normative_review": "004 §31", "provider_reply": "004 §31",
               "provider_extension": "004 §31", "application": "004 §31",
               "decision": "004 §31", "verification": "004 §17",
               "catalogue_correction": "004 §30", "catalogue_update": "004 §13"},
    ),
)

PROFILES: Mapping[str, Profile] = MappingProxyType({p.key: p for p in _PRESETS})

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
