"""The preset profiles, one per regulation (000 to 004): every period and the
article behind it, as the texts set them or as bureau policy where they are
silent."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from domain.periods.profile_model import POLICY, Profile

_REQUEST_POLICY = {t: POLICY for t in (
    "normative_review", "provider_reply", "provider_extension", "open_after_approval",
    "application", "explanation", "explanation_pause", "consultation_excluded",
    "third_party_period", "public_interest_override", "third_party_consent", "decision",
    "supervision_authority", "supervision_department")}

PRESETS = (
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

PROFILES: Mapping[str, Profile] = MappingProxyType({p.key: p for p in PRESETS})
