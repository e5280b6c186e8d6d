"""Datasets of 云河市民政局 (mzj): elderly care, subsistence allowance, place names.
"""

from __future__ import annotations

from datetime import date

from sample.common import OPEN_USAGE, coord, rand_date, rng_for, weighted
from sample.enterprises import TRADE_FIRST, TRADE_SECOND
from sample.model import Spec, Table, fld
from sample.people import (
    landline,
    make_id_number,
    make_mobile,
    make_uscc,
    mask_id,
    mask_mobile,
    mask_name,
    person_name,
)
from sample.places import (
    BY_CODE,
    COUNTY,
    DISTRICTS,
    LAT,
    LON,
    URBAN,
    community_names,
    place,
    roads_in,
    village_names,
)


def ds_elderly_care() -> Spec:
    rng = rng_for("mzj-0001")
    plan = [("云河市社会福利院", "公办公营", BY_CODE["990103"]),
            ("云河市第二社会福利院", "公办公营", BY_CODE["990111"]),
            ("云河市老年养护院", "公建民营", BY_CODE["990102"])]
    plan += [(f"云山县{town}敬老院", "公办公营", COUNTY) for town in COUNTY.streets]
    for district in URBAN:
        for street in rng.sample(district.streets, 2):
            plan.append((f"{district.name}{street[:-2]}街道综合养老服务中心", "公建民营", district))
    names = {p[0] for p in plan}
    while len(plan) < 72:
        district = weighted(rng, list(zip(DISTRICTS, (3, 3, 2, 2, 1), strict=True)))
        name = f"云河{rng.choice(TRADE_FIRST)}{rng.choice(TRADE_SECOND)}{rng.choice(('颐养院', '老年公寓', '康养中心', '护理院', '养老院'))}"
        if name not in names:
            names.add(name)
            plan.append((name, "民办", district))
    rows = []
    for n, (name, nature, district) in enumerate(plan, start=1):
        where = place(rng, district)
        beds = rng.randrange(40, 160, 10) if "敬老院" in name else rng.randrange(60, 600, 10)
        nursing = round(beds * rng.uniform(0.45, 0.8))
        low = rng.choice((1600, 1800, 2200, 2600))
        kind, prefix = ("12", "MB") if nature == "公办公营" else ("52", "MJ")
        rows.append([
            f"YL{n:04d}", name, make_uscc(rng, kind, district.code, prefix), nature, district.name,
            where.address, landline(rng), beds, nursing, rng.randint(0, beds // 4) + beds // 2,
            "自理;半失能;失能" if nursing > beds * 0.55 else "自理;半失能", f"{low}-{low + rng.choice((1500, 2500, 3500))}",
            rng.random() < 0.5 or "护理院" in name, rand_date(rng, date(2015, 3, 1), date(2026, 9, 30)),
            where.lon_text, where.lat_text])
    table = Table("elderly-care-institutions", "养老机构名录", [
        fld("institution_id", "string", "机构编号"),
        fld("name", "string", "机构名称"),
        fld("credit_code", "string", "统一社会信用代码"),
        fld("nature", "string", "机构性质", "公办公营、公建民营或民办"),
        fld("district", "string", "所属区县"),
        fld("address", "string", "地址"),
        fld("phone", "string", "咨询电话"),
        fld("beds", "integer", "床位数", unit="张"),
        fld("nursing_beds", "integer", "护理型床位数", unit="张"),
        fld("residents", "integer", "在住老人数", unit="人"),
        fld("admits", "string", "收住对象", "以英文分号分隔"),
        fld("fee_range", "string", "收费标准", "含床位费、护理费和伙食费", "元/月"),
        fld("medical_integration", "boolean", "是否医养结合"),
        fld("filed", "date", "备案日期"),
        LON, LAT,
    ], rows, primary_key=("institution_id",))
    return Spec(
        "mzj-0001", "养老机构名录",
        "全市已备案养老机构的名称、性质、地址、床位数、护理型床位数、收住对象、收费标准和是否医养结合。"
        "数据来源于全国养老服务信息系统，每季度更新。",
        ("养老", "养老机构", "敬老院", "民生服务"), "social", "unconditional", "quarterly",
        date(2026, 10, 10), date(2022, 1, 18), [table], office="养老服务科")


def ds_subsistence() -> Spec:
    """低保公示: names, ID numbers and phones are masked as the desensitization
    rules require (003 §22): 张*华, 990102********123X, 138****5678."""
    rng = rng_for("mzj-0002")
    standards = {"城市低保": 820, "农村低保": 640}  # 元/人·月
    rows = []
    n = 0
    for district in DISTRICTS:
        for street in district.streets:
            rural = not district.urban or street.endswith(("镇", "乡"))
            for community in community_names(rng, district, street, 3):
                for _ in range(rng.randint(4, 12) if rural else rng.randint(3, 9)):
                    n += 1
                    male = rng.random() < 0.55
                    birth = rand_date(rng, date(1940, 1, 1), date(1998, 12, 31))
                    number = make_id_number(rng, district.code, birth, male)
                    phone = mask_mobile(make_mobile(rng)) if rng.random() < 0.85 else None
                    kind = "农村低保" if rural else "城市低保"
                    people = weighted(rng, [(1, 30), (2, 30), (3, 22), (4, 12), (5, 6)])
                    gap = standards[kind] - rng.randrange(0, standards[kind] // 2, 10)
                    approved = rand_date(rng, date(2019, 3, 1), date(2026, 10, 31))
                    change = "新增" if approved >= date(2026, 10, 1) else "续保"
                    rows.append([f"DB{district.code}{n:05d}", mask_name(person_name(rng, male)),
                                 mask_id(number), phone, district.name, street, community, kind,
                                 people, gap * people, approved, change])
    table = Table("subsistence-allowance", "最低生活保障对象公示（2026年11月）", [
        fld("record_id", "string", "公示编号"),
        fld("householder", "string", "户主姓名", "已脱敏：保留姓和末字，其余以*代替"),
        fld("id_number", "string", "身份证号码", "已脱敏：保留前 6 位和后 4 位，中间 8 位以*代替"),
        fld("phone", "string", "联系电话", "已脱敏：保留前 3 位和后 4 位；未登记的为空"),
        fld("district", "string", "区县"),
        fld("street", "string", "街道（乡镇）"),
        fld("community", "string", "社区（村）"),
        fld("category", "string", "保障类别", "城市低保或农村低保"),
        fld("members", "integer", "保障人数", unit="人"),
        fld("monthly_amount", "integer", "月保障金额", "按户计发", "元"),
        fld("approved", "date", "批准日期"),
        fld("change", "string", "变动情况", "新增或续保"),
    ], rows, primary_key=("record_id",))
    return Spec(
        "mzj-0002", "城乡最低生活保障对象公示",
        "按《社会救助暂行办法》和低保审核确认办法，对全市城乡最低生活保障家庭的户主、保障人数和保障金额进行公示，"
        "接受社会监督。户主姓名、身份证号码和联系电话均已按规定脱敏；每月初更新当月公示名单。"
        "当前保障标准：城市 820 元/人·月，农村 640 元/人·月。",
        ("低保", "社会救助", "最低生活保障", "公示", "民生服务"), "social", "unconditional", "monthly",
        date(2026, 11, 5), date(2023, 1, 6), [table], office="社会救助科",
        usage_requirements=("本数据已脱敏，仅供社会监督和统计分析使用；禁止以任何方式与其他数据关联以识别特定个人，"
                            "禁止用于商业营销。" + OPEN_USAGE))


def ds_place_names() -> Spec:
    rng = rng_for("mzj-0003")
    rows = []

    def add(name: str, pinyin: str, kind: str, town: str, lon: float, lat: float,
            length: int | None, named: date | None, meaning: str) -> None:
        rows.append([f"990121{len(rows) + 1:06d}", name, pinyin, kind, town, coord(lon), coord(lat),
                     length, named, meaning])

    towns_py = {"云山镇": "Yunshan Zhen", "白沙镇": "Baisha Zhen", "青石镇": "Qingshi Zhen",
                "龙溪乡": "Longxi Xiang", "大坪乡": "Daping Xiang"}
    for town, pinyin in towns_py.items():
        lon, lat = COUNTY.lon + rng.gauss(0, 0.05), COUNTY.lat + rng.gauss(0, 0.04)
        add(town, pinyin, "乡级行政区", town, lon, lat, None, date(1992, 5, 1),
            f"以{town[:2]}得名，驻地为{town[:2]}社区")
    for road in roads_in(COUNTY):
        add(road.name, road.pinyin, "道路" if road.name[-1] != "巷" else "街巷", road.town,
            road.lon, road.lat, road.length, rand_date(rng, date(1998, 1, 1), date(2025, 6, 30)),
            f"以沿线“{road.name[:2]}”地名或寓意命名")
    for name, pinyin in village_names(rng, 60):
        town = rng.choice(COUNTY.streets)
        lon, lat = COUNTY.lon + rng.gauss(0, 0.07), COUNTY.lat + rng.gauss(0, 0.055)
        add(f"{name}村", f"{pinyin} Cun", "村级行政区", town, lon, lat, None, None,
            f"因村中{name[1]}而得名" if name[1] in "坪塘溪湾岭坡桥林" else f"沿用历史地名“{name}”")
    nature = (("云雾山", "Yunwu Shan", "山", "云山镇", "常年云雾缭绕，故名"),
              ("凤凰山", "Fenghuang Shan", "山", "大坪乡", "山形似凤凰展翅"),
              ("青石岭", "Qingshi Ling", "山", "青石镇", "岭上多青石"),
              ("云河", "Yun He", "河流", "云山镇", "流经县城，市以河名"),
              ("白沙河", "Baisha He", "河流", "白沙镇", "河床多白沙"),
              ("龙溪", "Long Xi", "河流", "龙溪乡", "溪流蜿蜒如龙"),
              ("大坪水库", "Daping Shuiku", "水库", "大坪乡", "位于大坪乡，以乡名命名"),
              ("云雾山大桥", "Yunwushan Daqiao", "桥梁", "云山镇", "跨云河，以云雾山得名"),
              ("白沙河大桥", "Baishahe Daqiao", "桥梁", "白沙镇", "跨白沙河"))
    for name, pinyin, kind, town, meaning in nature:
        add(name, pinyin, kind, town, COUNTY.lon + rng.gauss(0, 0.06),
            COUNTY.lat + rng.gauss(0, 0.05), rng.randrange(300, 900) if kind == "桥梁" else None,
            None, meaning)
    table = Table("place-names", "标准地名", [
        fld("place_code", "string", "地名代码"),
        fld("name", "string", "标准名称"),
        fld("romanization", "string", "罗马字母拼写", "按 GB/T 17693.1 以汉语拼音拼写"),
        fld("category", "string", "地名类别"),
        fld("town", "string", "所在乡镇"),
        LON, LAT,
        fld("length_m", "integer", "长度", "道路、桥梁的长度；其他类别为空", "米"),
        fld("named", "date", "命名日期", "历史地名为空"),
        fld("meaning", "string", "地名含义"),
    ], rows, primary_key=("place_code",))
    return Spec(
        "mzj-0003", "云山县标准地名信息",
        "云山县乡镇、村、道路街巷、桥梁、山体、河流和水库的标准名称、罗马字母拼写、类别、位置和地名含义。"
        "数据来源于第二次全国地名普查成果及其后的命名更名审批，不定期更新。",
        ("地名", "标准地名", "地名普查", "云山县"), "geo", "unconditional", "irregular",
        date(2026, 8, 12), date(2022, 11, 8), [table], region=COUNTY.code, office="区划地名科")
