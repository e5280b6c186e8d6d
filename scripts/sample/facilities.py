"""Health facilities and schools of 云河市, shared by the datasets of several
departments (hospitals, pharmacies, schools, shelters).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sample.common import rng_for, weighted
from sample.enterprises import TRADE_FIRST, TRADE_SECOND
from sample.people import landline, make_uscc, person_name
from sample.places import (
    BY_CODE,
    COUNTY,
    DISTRICTS,
    URBAN,
    District,
    Place,
    Road,
    place,
    place_on,
    roads_in,
    village_names,
)

# --------------------------------------------------------- health facilities


@dataclass(frozen=True)
class Facility:
    uscc: str
    name: str
    category: str
    grade: str
    owner: str
    place: Place
    phone: str
    beds: int
    departments: str
    insured: bool


MAJOR_HOSPITALS = (
    # name, category, grade, ownership, district, beds
    ("云河医学院附属医院", "综合医院", "三级甲等", "公立", "990102", 2200),
    ("云河市第一人民医院", "综合医院", "三级甲等", "公立", "990103", 1800),
    ("云河市中医医院", "中医医院", "三级甲等", "公立", "990103", 1100),
    ("云河市妇幼保健院", "妇幼保健院", "三级甲等", "公立", "990102", 650),
    ("云河市第二人民医院", "综合医院", "三级乙等", "公立", "990111", 900),
    ("云河市第三人民医院", "综合医院", "二级甲等", "公立", "990112", 560),
    ("云河市精神卫生中心", "专科医院", "三级乙等", "公立", "990112", 500),
    ("云河市公共卫生救治中心", "专科医院", "二级甲等", "公立", "990111", 300),
    ("云河市口腔医院", "专科医院", "二级甲等", "公立", "990103", 80),
    ("云河市新城区人民医院", "综合医院", "二级甲等", "公立", "990102", 420),
    ("云河市江北区人民医院", "综合医院", "二级甲等", "公立", "990111", 380),
    ("云河市河东区人民医院", "综合医院", "二级乙等", "公立", "990112", 300),
    ("云河市老城区中医医院", "中医医院", "二级甲等", "公立", "990103", 260),
    ("云山县人民医院", "综合医院", "二级甲等", "公立", "990121", 600),
    ("云山县中医医院", "中医医院", "二级甲等", "公立", "990121", 320),
    ("云山县妇幼保健院", "妇幼保健院", "二级乙等", "公立", "990121", 120),
    ("云河仁和医院", "综合医院", "二级", "民营", "990112", 260),
    ("云河明视眼科医院", "专科医院", "未定级", "民营", "990102", 60),
    ("云河安康骨科医院", "专科医院", "二级", "民营", "990111", 150),
    ("云河和美妇产医院", "专科医院", "未定级", "民营", "990103", 80),
    ("云河博爱康复医院", "康复医院", "二级", "民营", "990112", 200),
)
CLINICAL_DEPTS = {
    "综合医院": "内科;外科;妇产科;儿科;眼科;耳鼻咽喉科;口腔科;皮肤科;急诊医学科;康复医学科;医学检验科;医学影像科;中医科",
    "中医医院": "中医科;内科;外科;针灸科;推拿科;康复医学科;医学检验科;医学影像科",
    "妇幼保健院": "妇产科;儿科;妇女保健科;儿童保健科;计划生育专业;医学检验科;医学影像科",
    "专科医院": "内科;外科;医学检验科;医学影像科",
    "康复医院": "康复医学科;内科;外科;中医科;医学检验科",
    "社区卫生服务中心": "全科医疗科;预防保健科;中医科;康复医学科;医学检验科",
    "乡镇卫生院": "全科医疗科;预防保健科;中医科;妇产科;医学检验科",
    "门诊部": "内科;外科;口腔科;中医科;医学检验科",
    "诊所": "内科",
    "村卫生室": "全科医疗科",
}


@functools.cache
def health_facilities() -> tuple[Facility, ...]:
    rng = rng_for("health-facilities")
    out = []

    def add(name: str, category: str, grade: str, owner: str, district: District, beds: int,
            departments: str, kind: str, prefix: str, insured: bool = True) -> None:
        out.append(Facility(make_uscc(rng, kind, district.code, prefix), name, category, grade,
                            owner, place(rng, district), landline(rng), beds, departments,
                            insured))

    for name, category, grade, owner, code, beds in MAJOR_HOSPITALS:
        kind, prefix = ("12", "MB") if owner == "公立" else ("52", "MJ")
        add(name, category, grade, owner, BY_CODE[code], beds, CLINICAL_DEPTS[category], kind,
            prefix)
    for district in DISTRICTS:
        for street in district.streets:
            if street.endswith("街道"):
                add(f"{district.name}{street[:-2]}社区卫生服务中心", "社区卫生服务中心", "未定级",
                    "公立", district, rng.choice((0, 10, 20, 30)), CLINICAL_DEPTS["社区卫生服务中心"],
                    "12", "MB")
            else:
                centre = "中心卫生院" if street.endswith("镇") else "卫生院"
                add(f"{district.name if not district.urban else '云河市'}{street}{centre}",
                    "乡镇卫生院", "一级甲等", "公立", district, rng.choice((20, 30, 40, 60)),
                    CLINICAL_DEPTS["乡镇卫生院"], "12", "MB")
    for name, _ in village_names(rng, 30):
        town = rng.choice([s for s in COUNTY.streets])
        add(f"云山县{town}{name}村卫生室", "村卫生室", "未定级", "公立", COUNTY, 0,
            CLINICAL_DEPTS["村卫生室"], "12", "MB", insured=rng.random() < 0.8)
    specialities = (("内科", "内科"), ("中医", "中医科"), ("口腔", "口腔科"), ("外科", "外科"),
                    ("妇科", "妇产科"), ("儿科", "儿科"), ("皮肤科", "皮肤科"))
    names: set[str] = set()
    while len(names) < 120:
        district = weighted(rng, list(zip(DISTRICTS, (3, 4, 3, 3, 2), strict=True)))
        if rng.random() < 0.3:
            label, dept = rng.choice(specialities[:4])
            name = f"云河{rng.choice(TRADE_FIRST)}{rng.choice(TRADE_SECOND)}{label}门诊部"
            category, kind, prefix = "门诊部", "91", "MA"
            departments = f"{dept};医学检验科" if dept != "口腔科" else "口腔科;医学影像科"
        else:
            label, dept = rng.choice(specialities)
            name = f"{district.name}{person_name(rng)}{label}诊所"
            category, kind, prefix, departments = "诊所", "92", "L", dept
        if name in names:
            continue
        names.add(name)
        add(name, category, "未定级", "民营", district, 0, departments, kind, prefix,
            insured=rng.random() < 0.45)
    return tuple(out)


# ---------------------------------------------------------------- schools


@dataclass(frozen=True)
class School:
    code: str
    name: str
    kind: str
    owner: str
    place: Place
    phone: str
    classes: int
    students: int
    teachers: int
    boarding: bool


@functools.cache
def schools() -> tuple[School, ...]:
    rng = rng_for("schools")
    plan: list[tuple[str, str, str, District]] = []
    on_road: dict[str, Road] = {}
    city = [
        ("云河市第一中学", "完全中学", "990103"), ("云河市第二中学", "高级中学", "990102"),
        ("云河市第三中学", "完全中学", "990111"), ("云河市第四中学", "完全中学", "990112"),
        ("云河市第五中学", "初级中学", "990103"), ("云河市第六中学", "初级中学", "990111"),
        ("云河市第七中学", "高级中学", "990112"), ("云河市实验中学", "完全中学", "990102"),
        ("云河市实验小学", "小学", "990103"), ("云河市第二实验小学", "小学", "990102"),
        ("云河医学院附属中学", "完全中学", "990102"), ("云河市民族中学", "高级中学", "990111"),
    ]
    for name, kind, code in city:
        plan.append((name, kind, "公办", BY_CODE[code]))
    plan.append(("云河外国语学校", "十二年一贯制学校", "民办", BY_CODE["990102"]))
    plan.append(("云河博雅实验学校", "九年一贯制学校", "民办", BY_CODE["990111"]))
    for district in URBAN:
        plan.append((f"{district.name}实验小学", "小学", "公办", district))
        for n in range(1, rng.randint(4, 6)):
            plan.append((f"{district.name}第{'一二三四五六'[n - 1]}中学", "初级中学", "公办", district))
        for road in rng.sample(roads_in(district), 9):
            if road.name.endswith(("路", "街", "大道")):
                plan.append((f"{district.name}{road.name}小学", "小学", "公办", district))
                on_road[f"{district.name}{road.name}小学"] = road
        plan.append((f"{district.name}{rng.choice(district.streets)[:-2]}九年一贯制学校",
                     "九年一贯制学校", "公办", district))
    plan.append(("云山县第一中学", "完全中学", "公办", COUNTY))
    plan.append(("云山县民族中学", "高级中学", "公办", COUNTY))
    plan.append(("云山县实验小学", "小学", "公办", COUNTY))
    villages = iter(village_names(rng, 40))
    for town in COUNTY.streets:
        plan.append((f"云山县{town}中学", "初级中学", "公办", COUNTY))
        plan.append((f"云山县{town}中心小学", "小学", "公办", COUNTY))
        for _ in range(rng.randint(3, 5)):
            plan.append((f"云山县{town}{next(villages)[0]}小学", "小学", "公办", COUNTY))
    seen: set[str] = set()
    out = []
    for n, (name, kind, owner, district) in enumerate(plan, start=1):
        if name in seen:
            continue
        seen.add(name)
        rural = "县" in name and ("小学" in name and "中心" not in name and "实验" not in name)
        if rural:
            classes = rng.randint(3, 8)
            per_class = rng.randint(18, 36)
        elif kind == "小学":
            classes, per_class = rng.randint(18, 48), rng.randint(40, 46)
        elif kind in ("高级中学", "完全中学"):
            classes, per_class = rng.randint(36, 72), rng.randint(45, 52)
        else:
            classes, per_class = rng.randint(18, 45), rng.randint(42, 50)
        students = classes * per_class - rng.randint(0, per_class)
        ratio = 13.5 if kind in ("高级中学", "完全中学") else 17.0
        teachers = max(6, round(students / ratio * rng.uniform(0.9, 1.1)))
        boarding = kind in ("高级中学", "完全中学") or (not district.urban and "中学" in name) \
            or kind == "十二年一贯制学校"
        out.append(School(f"21{district.code[2:]}{n:04d}", name, kind, owner,
                          place_on(rng, on_road[name]) if name in on_road else place(rng, district),
                          landline(rng), classes, students, teachers,
                          boarding))
    return tuple(out)
