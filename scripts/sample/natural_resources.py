"""Datasets of 云河市自然资源和规划局 (zrzyj): the real estate register.
"""

from __future__ import annotations

from datetime import date

from sample.common import GUIZHOU_RULE, f2, rand_date, rng_for, weighted
from sample.enterprises import active_enterprises
from sample.model import Spec, Table, fld
from sample.people import make_id_number, person_name
from sample.places import DISTRICTS, place


def ds_property_register() -> Spec:
    rng = rng_for("zrzyj-0001")
    rows = []
    kinds = (("首次登记", 2), ("转移登记", 6), ("变更登记", 1), ("抵押权登记", 3))
    for _ in range(400):
        district = weighted(rng, list(zip(DISTRICTS, (5, 4, 3, 3, 2), strict=True)))
        where = place(rng, district)
        company = rng.random() < 0.12
        use = "商业" if company and rng.random() < 0.6 else weighted(rng, [("住宅", 9), ("办公", 1)])
        area = rng.uniform(45, 180) if use == "住宅" else rng.uniform(30, 600)
        day = rand_date(rng, date(2026, 10, 8), date(2026, 11, 21))
        unit = (f"{district.code}{rng.randrange(1, 20):03d}{rng.randrange(1, 30):03d}"
                f"GB{rng.randrange(10**5):05d}F{rng.randrange(1, 40):04d}{rng.randrange(1, 3000):04d}")
        if company:
            e = rng.choice(active_enterprises())
            owner, id_type, id_no, share = e.name, "统一社会信用代码", e.uscc, "单独所有"
        else:
            male = rng.random() < 0.5
            birth = rand_date(rng, date(1955, 1, 1), date(2000, 12, 31))
            owner, id_type = person_name(rng, male), "居民身份证"
            id_no = make_id_number(rng, weighted(rng, [(d.code, 1) for d in DISTRICTS]), birth, male)
            share = weighted(rng, [("单独所有", 5), ("共同共有", 4), ("按份共有", 1)])
        rows.append([unit, f"云（{day.year}）云河市不动产权第{rng.randrange(10**7):07d}号", where.address,
                     "国有建设用地使用权/房屋所有权", use, f2(area), owner, id_type, id_no, share,
                     weighted(rng, kinds), day, rng.random() < 0.35, rng.random() < 0.01])
    rows.sort(key=lambda r: (r[11], r[0]))
    table = Table("property-registrations", "不动产登记信息（样例：2026年10-11月）", [
        fld("unit_no", "string", "不动产单元号", "28 位不动产单元代码"),
        fld("certificate_no", "string", "不动产权证书号"),
        fld("location", "string", "坐落"),
        fld("right_type", "string", "权利类型"),
        fld("use", "string", "用途"),
        fld("area_m2", "number", "面积", "房屋建筑面积", "平方米"),
        fld("holder", "string", "权利人"),
        fld("holder_id_type", "string", "证件种类"),
        fld("holder_id_number", "string", "证件号码", "自然人为公民身份号码，法人为统一社会信用代码"),
        fld("ownership", "string", "共有情况"),
        fld("registration_type", "string", "登记类型"),
        fld("registered", "date", "登簿日期"),
        fld("mortgaged", "boolean", "是否存在抵押"),
        fld("seized", "boolean", "是否存在查封"),
    ], rows, primary_key=("unit_no",))
    return Spec(
        "zrzyj-0001", "不动产登记信息",
        "国有建设用地使用权及房屋所有权的登记结果，包括不动产单元号、坐落、用途、面积、权利人、证件号码、"
        "登记类型以及抵押、查封状态。含自然人身份信息，仅依法向权利人、利害关系人和有关国家机关提供，"
        "按有条件开放管理。",
        ("不动产", "房产", "产权", "登记", "抵押"), "urban", "conditional", "daily",
        date(2026, 11, 22), date(2024, 1, 15), [table], provision=("sandbox",), office="不动产登记中心",
        open_conditions=("仅向不动产权利人、利害关系人，以及依法履行职责的人民法院、人民检察院、公证机构和金融机构开放；"
                         "申请人须提交身份证明和查询目的说明，利害关系人须提交利害关系证明材料；"
                         "查询结果只能用于申请时说明的用途，不得泄露给他人；经批准的统计研究仅在数据沙箱中使用脱敏后的数据。"),
        legal_basis=("《不动产登记暂行条例》第二十七条、第二十八条；《中华人民共和国个人信息保护法》第十三条、第二十八条；"
                     + GUIZHOU_RULE))
