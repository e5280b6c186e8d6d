"""Identifiers and names of the sample: credit codes (GB 32100), ID numbers
(GB 11643), mobile and office numbers, their masked forms, personal names.
"""

from __future__ import annotations

import random
from datetime import date

# ------------------------------------------------------------ identifiers

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
                   "152", "155", "157", "158", "159", "166", "177", "180", "181", "182", "183",
                   "185", "186", "187", "188", "189", "199")


def uscc_check(body: str) -> str:
    """GB 32100-2015 check character of the first 17 characters."""
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def org_code_check(body: str) -> str:
    """GB 11714-1997 check character of an 8-character organisation code."""
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w
                for c, w in zip(body, ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def make_uscc(rng: random.Random, kind: str, region: str, prefix: str = "MA") -> str:
    """A unified social credit code (统一社会信用代码): registration authority
    and type ``kind`` (91 enterprise, 92 individual business, 93 cooperative,
    12 public institution, 11 state organ, 51/52 social organisations), the
    region, an organisation code and the check character. New-style
    organisation codes (MA…, MB…, MJ…, L…) always hold letters, so a code
    can never be mistaken for an 18-digit ID number."""
    body8 = prefix + "".join(rng.choice(USCC_CHARS) for _ in range(8 - len(prefix)))
    body17 = kind + region + body8 + org_code_check(body8)
    return body17 + uscc_check(body17)


def make_id_number(rng: random.Random, region: str, birth: date, male: bool) -> str:
    """A citizen ID number (GB 11643-1999) with a valid check character.
    Regions 99xxxx do not exist: these identify nobody."""
    seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    total = sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def make_mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def mask_name(name: str) -> str:
    """张*华, 李*: keep the first and (for three or more) the last character."""
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id(number: str) -> str:
    """110101********1234: the first 6 and last 4 characters stay."""
    return number[:6] + "*" * 8 + number[-4:]


def mask_mobile(number: str) -> str:
    """138****5678."""
    return number[:3] + "****" + number[-4:]


SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
            "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
            "郝龚邵万钱严覃武戴莫孔向汤")
GIVEN_MALE = "伟强磊军洋勇杰涛明超刚平建国志斌庆东浩然宇轩俊远豪博鑫林成德荣富贵飞鹏辉文华海波永兵"
GIVEN_FEMALE = "芳娜秀英敏静丽艳娟兰霞桂红梅玉燕丹欣怡涵萱雨桐诺佳琪雪慧婷颖琳春凤云萍婉倩晶月"


def person_name(rng: random.Random, male: bool | None = None) -> str:
    if male is None:
        male = rng.random() < 0.5
    weights = [1.0 / (i + 6) for i in range(len(SURNAMES))]
    surname = rng.choices(SURNAMES, weights=weights)[0]
    pool = GIVEN_MALE if male else GIVEN_FEMALE
    size = 1 if rng.random() < 0.28 else 2
    return surname + "".join(rng.choice(pool) for _ in range(size))


def landline(rng: random.Random) -> str:
    """An office number of the 0990 area (8 digits, never starting with 1)."""
    return f"0990-{rng.choice('2345678')}{rng.randrange(10**7):07d}"
