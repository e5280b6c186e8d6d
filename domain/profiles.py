"""Jurisdiction profiles: every period of the portal's procedures, in working
days, as one regulation sets them (SPEC §8).

A deployment picks a profile by key (``portal.yaml``: ``profile:``) and may
override any number (never a rule: ``third_party_veto`` is the text's).
Where a text regulates a procedure but grants no
extension, the extension maximum is None: no extension is lawful there.
Where a text does not regulate a procedure at all, the portal default fills
it and the profile's ``source`` says so. Portal defaults: normative review 5,
provider reply 10 (+10), open after approval 5, third party 15,
verification 10 (+10), catalogue correction 10 (+10).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from types import MappingProxyType
from typing import Any


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


@dataclass(frozen=True)
class Profile:
    """The periods of one jurisdiction, all in working days.

    Raises:
        ProfileError: on construction, when a period is not a whole number
            of at least 1 working day (extension maxima: None or at least 1).
    """

    key: str
    name: str  # the regulation's Chinese title
    source: str  # article references, and which numbers are portal defaults
    normative_review: int  # 规范性审核 by the data authority
    provider_reply: int  # 数据提供部门答复 of an open request
    provider_extension_max: int | None
    open_after_approval: int  # data opened to the applicant after approval
    third_party_period: int  # 第三方提出意见 (the clock pauses meanwhile)
    verification: int  # 校核 of a data error report
    verification_extension_max: int | None
    catalogue_correction: int  # 目录更正申请 answered
    catalogue_correction_extension_max: int | None
    catalogue_update_after_legal_change: int  # 目录更新 after a law or mandate changes
    catalogue_update_extension_max: int | None
    # A third party's consent is needed to open data touching its rights:
    # any objection, or no agreement at all, forbids opening and no public
    # interest overrides it (002 §38 当事人不同意开放的，不得提供). False: 003 §25,
    # where only an objection with reasonable grounds forbids, silence leaves
    # the decision to the provider, and the public interest may override.
    third_party_veto: bool = False

    def __post_init__(self) -> None:
        if not self.key:
            raise ProfileError("a profile needs a key")
        for name in PERIOD_FIELDS:
            _check_period(self.key, name, getattr(self, name))
        if not isinstance(self.third_party_veto, bool):
            raise ProfileError(f"profile {self.key!r}: third_party_veto must be true or false, "
                               f"got {self.third_party_veto!r}")


def _check_period(key: str, name: str, value: object) -> None:
    # bool is an int in Python; True as "1 working day" is never intended.
    if name in EXTENSION_FIELDS and value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        allowed = "None or a whole number >= 1" if name in EXTENSION_FIELDS else "a whole number >= 1"
        raise ProfileError(f"profile {key!r}: {name} must be {allowed} (working days), got {value!r}")


RULE_FIELDS: tuple[str, ...] = ("third_party_veto",)
"""Fields that hold a rule of the text, not a period; no override changes them."""

PERIOD_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(Profile) if f.name not in ("key", "name", "source", *RULE_FIELDS)
)

_DEFAULT_REQUEST = "normative review 5, provider reply 10 (+10), open after approval 5, third party 15"

_PRESETS = (
    Profile(
        key="guizhou-measures",
        name="贵州省政务数据资源管理办法",
        source=(
            "000 §31: normative review 5, provider reply 10 (no extension set), opened within 5 "
            "after approval; 000 §25: verification 10 (no extension set); 000 §9: catalogue update "
            "10, +5 with the data authority's consent. Portal defaults (000 sets no figure): third "
            "party 15 (as 003 §25, which 000 §29 applies to opening), catalogue correction 10 (+10)."
        ),
        normative_review=5,  # 000 §31 自收到申请之日起5个工作日内完成规范性审核
        provider_reply=10,  # 000 §31 应自收到申请之时起10个工作日内予以答复
        provider_extension_max=None,  # 000 §31 grants no extension
        open_after_approval=5,  # 000 §31 同意开放的…在5个工作日内按流程予以开放
        third_party_period=15,  # default; 000 is silent, 003 §25 sets 15
        verification=10,  # 000 §25 自收到数据校核意见起10个工作日内予以核实、更新
        verification_extension_max=None,  # 000 §25 grants no extension
        catalogue_correction=10,  # default
        catalogue_correction_extension_max=10,  # default
        catalogue_update_after_legal_change=10,  # 000 §9 …之日起10个工作日内更新
        catalogue_update_extension_max=5,  # 000 §9 可延长5个工作日
    ),
    Profile(
        key="anhui",
        name="安徽省政务数据资源管理办法",
        source=(
            "001 §26: verification (覆核) 7, extension at most 7 with the head's consent; "
            "001 §15: catalogue update 10 (no extension set). Portal defaults (001 sets no "
            f"figure for open requests or catalogue correction): {_DEFAULT_REQUEST}, "
            "catalogue correction 10 (+10)."
        ),
        normative_review=5,  # default
        provider_reply=10,  # default
        provider_extension_max=10,  # default
        open_after_approval=5,  # default
        third_party_period=15,  # default
        verification=7,  # 001 §26 自收到覆核申请之日起7个工作日内进行校核
        verification_extension_max=7,  # 001 §26 延长期限不超过7个工作日
        catalogue_correction=10,  # default
        catalogue_correction_extension_max=10,  # default
        catalogue_update_after_legal_change=10,  # 001 §15 自变更之日起10个工作日内更新
        catalogue_update_extension_max=None,  # 001 §15 grants no extension
    ),
    Profile(
        key="foshan",
        name="佛山市政务数据资源管理办法（试行）",
        source=(
            "002 §30: verification (复核) 10 (no extension set); 002 §17: catalogue update 15 "
            "(no extension set); 002 §38: a third party that does not consent to opening "
            "cannot be overridden (third_party_veto). Portal defaults (002 sets no figure for open requests, 002 §36, "
            f"or catalogue correction): {_DEFAULT_REQUEST}, catalogue correction 10 (+10)."
        ),
        normative_review=5,  # default
        provider_reply=10,  # default
        provider_extension_max=10,  # default
        open_after_approval=5,  # default
        third_party_period=15,  # default; 002 §38 asks for consent but sets no period
        verification=10,  # 002 §30 在10个工作日内对异议数据进行核查
        verification_extension_max=None,  # 002 §30 grants no extension
        catalogue_correction=10,  # default
        catalogue_correction_extension_max=10,  # default
        catalogue_update_after_legal_change=15,  # 002 §17 …之日起15个工作日内及时更新
        catalogue_update_extension_max=None,  # 002 §17 grants no extension
        third_party_veto=True,  # 002 §38 当事人不同意开放的，不得提供
    ),
    Profile(
        key="guizhou-regulation",
        name="贵州省政府数据共享开放条例",
        source=(
            "003 §26: provider reply 15, extension at most 15 with the head's consent (the "
            "redline changes 20 to 15); 003 §25: third party 15, not counted in the provider's "
            "period; 003 §9: catalogue update 15 (no extension set). Portal defaults (003 sets "
            "no figure): normative review 5, open after approval 5 (§26 says 及时), verification "
            "10 (+10) (§36 says 及时校核和更正), catalogue correction 10 (+10)."
        ),
        normative_review=5,  # default; 003 has no normative-review step
        provider_reply=15,  # 003 §26 自收到申请之日起15个工作日内予以答复 (redline: 20→15)
        provider_extension_max=15,  # 003 §26 延长的期限最长不得超过15个工作日 (redline: 20→15)
        open_after_approval=5,  # default; 003 §26 及时开放
        third_party_period=15,  # 003 §25 自收到征求意见书之日起15个工作日内提出意见
        verification=10,  # default; 003 §36 及时校核和更正
        verification_extension_max=10,  # default
        catalogue_correction=10,  # default
        catalogue_correction_extension_max=10,  # default
        catalogue_update_after_legal_change=15,  # 003 §9 自变化之日起15个工作日内完成
        catalogue_update_extension_max=None,  # 003 §9 grants no extension
    ),
    Profile(
        key="wanzhou",
        name="万州区政务数据资源管理办法",
        source=(
            "004 §31: provider reply 10, extension at most 10 with the head's consent; 004 §17: "
            "verification 10 (+10); 004 §30: catalogue correction 10 (+10); 004 §13: catalogue "
            "update request 10 (no extension set). Portal defaults (004 sets no figure): "
            "normative review 5, open after approval 5 (§31 says 同意的应当予以开放), third party 15."
        ),
        normative_review=5,  # default
        provider_reply=10,  # 004 §31 在收到申请之日起在10个工作日内予以答复
        provider_extension_max=10,  # 004 §31 延长答复期限不得超过10个工作日
        open_after_approval=5,  # default
        third_party_period=15,  # default
        verification=10,  # 004 §17 在收到申请之日起10个工作日内予以校核
        verification_extension_max=10,  # 004 §17 延长校核期限不超过10个工作日
        catalogue_correction=10,  # 004 §30 在收到申请之日起10个工作日内予以答复
        catalogue_correction_extension_max=10,  # 004 §30 延长答复期限不得超过10个工作日
        # 004 §13: departments apply within 10; the bureau then has 5 more to
        # review and update, a separate step this field does not model.
        catalogue_update_after_legal_change=10,
        catalogue_update_extension_max=None,  # 004 §13 grants no extension
    ),
)

PROFILES: Mapping[str, Profile] = MappingProxyType({p.key: p for p in _PRESETS})


def load_profile(key: str, overrides: Mapping[str, int] | None = None) -> Profile:
    """The preset ``key`` with ``overrides`` (period name → working days) applied.

    An extension maximum overridden with 0 becomes None (no extension).
    Applied overrides are appended to ``source`` so a displayed deadline
    can always be traced to its basis.

    Raises:
        UnknownProfile: ``key`` is not a preset; the message lists the presets.
        ProfileError: an override names no period, or its value is not a
            whole number (>= 1; extension maxima >= 0).
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
    for name, value in overrides.items():
        if name not in PERIOD_FIELDS:
            raise ProfileError(
                f"override {name!r} is not a period of a profile; use one of: "
                f"{', '.join(PERIOD_FIELDS)}"
            )
        if not isinstance(value, int) or isinstance(value, bool):
            raise ProfileError(f"override {name!r} must be a whole number of working days, got {value!r}")
        if name in EXTENSION_FIELDS:
            if value < 0:
                raise ProfileError(
                    f"override {name!r} must be >= 0 working days (0: no extension), got {value}"
                )
            changes[name] = value or None  # one spelling of "no extension": None
        elif value < 1:
            raise ProfileError(f"override {name!r} must be >= 1 working day, got {value}")
        else:
            changes[name] = value
    note = ", ".join(f"{name}={value}" for name, value in overrides.items())
    return replace(profile, source=f"{profile.source} Deployment overrides: {note}.", **changes)
