"""Citations in plain Chinese: ``"003 §25 para 3"`` becomes
《贵州省政府数据共享开放条例》第二十五条第三款.

The codes (``NNN §A``, ``NNN §A para P``, ``NNN §A(一)``) are for reviewers,
logs and docs; applicants, third parties and the public read the Chinese
form, and only of the deployment's own regulation (:func:`cite_own`): a
page never names another jurisdiction's text. The basis of a profile's
period or rule (:attr:`domain.periods.profiles.Profile.basis`) reads as the article,
or as bureau policy (本局规定), where applicable with the article it is
modelled on (:func:`basis_text`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

REGULATIONS: Mapping[str, str] = MappingProxyType({
    "000": "贵州省政务数据资源管理办法",
    "001": "安徽省政务数据资源管理办法",
    "002": "佛山市政务数据资源管理办法（试行）",
    "003": "贵州省政府数据共享开放条例",
    "004": "万州区政务数据资源管理办法",
})
"""The seed regulations by file number, with their full Chinese titles."""

POLICY_TEXT = "本局规定"
_DIGITS = "零一二三四五六七八九"
_CITATION = re.compile(
    r"(\d{3})(-pre)? §(\d+)(?: para (\d+))?(?:\(([一二三四五六七八九十]+)\))?")


def chinese_number(n: int) -> str:
    """1..99 in Chinese numerals, as articles are numbered: 25 → 二十五;
    other numbers in digits."""
    if not 1 <= n <= 99:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


def _one(part: str) -> tuple[str, str] | None:
    """(regulation number, Chinese citation) of one code, None if not one."""
    m = _CITATION.fullmatch(part)
    if m is None or m.group(1) not in REGULATIONS:
        return None
    pre = "修订前" if m.group(2) else ""
    para = f"第{chinese_number(int(m.group(4)))}款" if m.group(4) else ""
    item = f"第（{m.group(5)}）项" if m.group(5) else ""
    return m.group(1), (f"《{REGULATIONS[m.group(1)]}》{pre}第{chinese_number(int(m.group(3)))}条"
                        f"{para}{item}")


def cite(articles: str) -> str:
    """``"003 §25, 004 §31"`` as ``《贵州省政府数据共享开放条例》第二十五条、
    《万州区政务数据资源管理办法》第三十一条``; unknown forms are kept."""
    out = []
    for part in (a.strip() for a in articles.split(",")):
        found = _one(part)
        if found is not None:
            out.append(found[1])
        elif part:
            out.append(part)
    return "、".join(out)


def cite_own(articles: str, regulation: str) -> str:
    """Like :func:`cite`, keeping only the articles of ``regulation`` (a
    file number such as ``"003"``); everything else is left out, so the
    result may be empty."""
    out = []
    for part in (a.strip() for a in articles.split(",")):
        found = _one(part)
        if found is not None and found[0] == regulation:
            out.append(found[1])
    return "、".join(out)


def basis_text(basis: str, regulation: str) -> str:
    """The basis of a period or rule in Chinese: its article when it is one
    of ``regulation``; 本局规定 for bureau policy, with the article of
    ``regulation`` it is modelled on (``"policy: 000 §43"`` → 本局规定（参照
    《贵州省政务数据资源管理办法》第四十三条）); an article of another
    regulation is never named."""
    if basis.startswith("policy"):
        model = basis.partition(":")[2].strip()
        found = _one(model) if model else None
        if found is not None and found[0] == regulation:
            return f"{POLICY_TEXT}（参照{found[1]}）"
        return POLICY_TEXT
    return cite_own(basis, regulation) or POLICY_TEXT
