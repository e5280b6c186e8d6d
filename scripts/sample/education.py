"""Datasets of 云河市教育局 (jyj): schools, kindergartens, examination sites.
"""

from __future__ import annotations

from datetime import date

from sample.common import rng_for, weighted
from sample.enterprises import TRADE_FIRST, TRADE_SECOND
from sample.facilities import schools
from sample.model import Spec, Table, fld
from sample.people import landline
from sample.places import BY_CODE, LAT, LON, place


def ds_schools() -> Spec:
    rows = [[s.code, s.name, s.kind, s.owner, s.place.district.name, s.place.address, s.phone,
             s.classes, s.students, s.teachers, s.boarding, s.place.lon_text, s.place.lat_text]
            for s in schools()]
    table = Table("schools", "中小学校名录", [
        fld("school_code", "string", "学校标识码", "教育部门统一编制的 10 位学校标识码"),
        fld("name", "string", "学校名称"),
        fld("school_type", "string", "办学类型"),
        fld("ownership", "string", "办学性质", "公办或民办"),
        fld("district", "string", "所属区县"),
        fld("address", "string", "地址"),
        fld("phone", "string", "联系电话", "学校办公室电话"),
        fld("classes", "integer", "班级数", unit="个"),
        fld("students", "integer", "在校生数", "2026 年秋季学期初统计", "人"),
        fld("teachers", "integer", "专任教师数", unit="人"),
        fld("boarding", "boolean", "是否寄宿制"),
        LON, LAT,
    ], rows, primary_key=("school_code",))
    return Spec(
        "jyj-0001", "中小学校名录",
        "全市普通中小学校的学校标识码、名称、办学类型、办学性质、地址、班级数、在校生数和专任教师数。"
        "数据来源于教育事业统计，每年秋季开学后更新。",
        ("学校", "中小学", "义务教育", "教育"), "education", "unconditional", "yearly",
        date(2026, 9, 20), date(2021, 9, 10), [table], office="发展规划科")


def ds_kindergartens() -> Spec:
    rng = rng_for("jyj-0002")
    district = BY_CODE["990111"]
    names: set[str] = set()
    rows = []
    while len(rows) < 64:
        where = place(rng, district)
        owner = weighted(rng, [("公办", 45), ("民办普惠性", 40), ("民办非普惠性", 15)])
        if owner == "公办":
            name = rng.choice((f"江北区{where.road.name}幼儿园", f"江北区{where.road.town[:-2]}中心幼儿园",
                               f"江北区第{'一二三四五六七八九'[rng.randrange(9)]}幼儿园"))
        else:
            name = f"江北区{rng.choice(TRADE_FIRST)}{rng.choice(TRADE_SECOND)}幼儿园"
        if name in names:
            continue
        names.add(name)
        classes = rng.randint(3, 15)
        places = classes * 30
        fee = {"公办": rng.choice((380, 420, 460)), "民办普惠性": rng.choice((680, 780, 880)),
               "民办非普惠性": rng.choice((1500, 1800, 2400, 3200))}[owner]
        rows.append([f"K{len(rows) + 1:04d}", name, owner,
                     weighted(rng, [("省级示范幼儿园", 1), ("市一级幼儿园", 3), ("市二级幼儿园", 4),
                                    ("未定级", 3)]),
                     where.address, landline(rng), classes, places,
                     places - rng.randint(0, places // 4), fee, rng.random() < 0.35,
                     where.lon_text, where.lat_text])
    table = Table("kindergartens", "幼儿园名录", [
        fld("kindergarten_id", "string", "幼儿园编号"),
        fld("name", "string", "幼儿园名称"),
        fld("ownership", "string", "办园性质", "公办、民办普惠性或民办非普惠性"),
        fld("rating", "string", "等级"),
        fld("address", "string", "地址"),
        fld("phone", "string", "联系电话"),
        fld("classes", "integer", "班级数", unit="个"),
        fld("places", "integer", "核定学位数", unit="个"),
        fld("enrolled", "integer", "在园幼儿数", unit="人"),
        fld("monthly_fee", "integer", "保育教育费", "经价格主管部门核定的收费标准", "元/生·月"),
        fld("nursery_class", "boolean", "是否开设托班（2-3岁）"),
        LON, LAT,
    ], rows, primary_key=("kindergarten_id",))
    return Spec(
        "jyj-0002", "江北区幼儿园名录",
        "江北区公办和民办幼儿园的名称、办园性质、等级、地址、学位数、在园幼儿数和保育教育费标准。"
        "数据于每年秋季学期开学后更新，供家长择园和学位规划参考。",
        ("幼儿园", "学前教育", "普惠", "学位", "江北区"), "education", "unconditional", "yearly",
        date(2026, 9, 25), date(2022, 6, 1), [table], region=district.code, office="学前教育科")


def ds_exam_sites() -> Spec:
    rng = rng_for("jyj-0003")
    sites = [s for s in schools() if s.kind in ("完全中学", "高级中学", "十二年一贯制学校")]
    rows = []
    for n, s in enumerate(sites, start=1):
        rooms = rng.randrange(30, 72, 2)
        rows.append([f"9901{n:02d}", f"{s.name}考点", s.place.district.name, s.place.address,
                     rooms, rooms * 30 - rng.randrange(0, 30), landline(rng), s.place.lon_text,
                     s.place.lat_text])
    table = Table("exam-sites", "2026年普通高考考点", [
        fld("site_code", "string", "考点代码"),
        fld("name", "string", "考点名称"),
        fld("district", "string", "所属区县"),
        fld("address", "string", "考点地址"),
        fld("rooms", "integer", "标准化考场数", unit="个"),
        fld("candidates", "integer", "安排考生数", unit="人"),
        fld("phone", "string", "考点咨询电话"),
        LON, LAT,
    ], rows, primary_key=("site_code",))
    return Spec(
        "jyj-0003", "2026年普通高考云河考区考点信息",
        "2026年普通高等学校招生全国统一考试云河考区各考点的名称、地址、考场数量、考生人数和咨询电话，"
        "供考生提前熟悉考点和规划出行。",
        ("高考", "考点", "招生考试", "教育"), "education", "unconditional", "yearly",
        date(2026, 5, 20), date(2026, 5, 20), [table], office="招生考试中心", status="invalid",
        invalidation=(date(2026, 6, 10),
                      "2026年普通高考已于6月7日至9日结束，考点信息仅对当年考试有效，现标记为失效并保留供查阅；"
                      "2027年考点信息将于考前另行发布。"))
