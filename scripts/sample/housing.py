"""Datasets of 云河市住房和城乡建设局 (zjj): public toilets, presale permits.
"""

from __future__ import annotations

import math
from datetime import date

from sample.common import f2, rand_date, rng_for, weighted
from sample.enterprises import Enterprise, active_enterprises
from sample.model import Spec, Table, fld
from sample.places import BY_CODE, DISTRICTS, LAT, LON, Place, place, place_on, roads_in


def ds_toilets() -> Spec:
    rng = rng_for("zjj-0001")
    district = BY_CODE["990103"]
    rows = []
    names: set[str] = set()
    while len(rows) < 150:
        road = rng.choice(roads_in(district))
        where = place_on(rng, road)
        name = f"{road.name}公厕"
        if name in names:
            name = f"{road.name}{where.number}号公厕"
        if name in names:
            continue
        names.add(name)
        category = weighted(rng, [("一类", 2), ("二类", 5), ("三类", 2)])
        structure = weighted(rng, [("独立式", 6), ("附属式", 3), ("活动式", 1)])
        male = rng.randint(2, 8) if structure != "活动式" else rng.randint(1, 2)
        rows.append([f"GC{len(rows) + 1:04d}", name, category, structure, where.address, male,
                     math.ceil(male * 1.5), rng.randint(0, 2), category == "一类" or rng.random() < 0.3,
                     "00:00-24:00" if category != "三类" else "06:00-22:00",
                     "云河市老城区环境卫生管理所", where.lon_text, where.lat_text])
    table = Table("public-toilets", "公共厕所", [
        fld("toilet_id", "string", "公厕编号"),
        fld("name", "string", "公厕名称"),
        fld("category", "string", "类别", "按 CJJ 14《城市公共厕所设计标准》分为一、二、三类"),
        fld("structure", "string", "建筑形式"),
        fld("address", "string", "地址"),
        fld("male_stalls", "integer", "男厕位", unit="个"),
        fld("female_stalls", "integer", "女厕位", unit="个"),
        fld("accessible_stalls", "integer", "无障碍厕位", unit="个"),
        fld("family_room", "boolean", "是否设第三卫生间"),
        fld("open_hours", "string", "开放时间"),
        fld("manager", "string", "管理单位"),
        LON, LAT,
    ], rows, primary_key=("toilet_id",))
    return Spec(
        "zjj-0001", "老城区公共厕所分布",
        "老城区城市公共厕所的位置、类别、厕位数量、无障碍设施和开放时间，可用于“找厕所”便民服务。"
        "数据每季度核查更新。",
        ("公厕", "公共厕所", "便民", "市政设施", "老城区"), "urban", "unconditional", "quarterly",
        date(2026, 10, 8), date(2022, 7, 1), [table], region=district.code, office="城市建设科")


ESTATES = ("锦绣华府", "翠湖湾", "滨江壹号院", "云山悦府", "学府名邸", "凤凰城", "金桂园", "龙泉雅苑",
           "白鹭湾", "玉泉新城", "中央公园", "江山樾", "观澜府", "望江台", "紫薇花园", "梧桐里",
           "银杏苑", "香樟湾", "春晖嘉园", "星光天地")


def ds_presale() -> Spec:
    rng = rng_for("zjj-0002")
    developers = [e for e in active_enterprises("房地产开发", before=date(2023, 1, 1))
                  if e.name.endswith("有限公司")]
    rows = []
    serial: dict[int, int] = {}
    projects: dict[str, tuple[Enterprise, Place, int, list[int]]] = {}
    days = sorted(rand_date(rng, date(2024, 1, 3), date(2026, 11, 20)) for _ in range(150))
    for day in days:
        serial[day.year] = serial.get(day.year, 0) + 1
        estate = rng.choice(ESTATES)
        if estate not in projects:
            district = weighted(rng, list(zip(DISTRICTS, (5, 2, 4, 3, 1), strict=True)))
            projects[estate] = (rng.choice(developers), place(rng, district), 0, [])
        dev, where, phase_no, used = projects[estate]
        if phase_no == 0 or rng.random() < 0.35:
            phase_no += 1  # a new phase (期) opens; otherwise another batch of the current one
        free = [b for b in range(1, 80) if b not in used]
        buildings = sorted(free[:rng.randint(1, 5)])
        used.extend(buildings)
        projects[estate] = (dev, where, phase_no, used)
        phase = "一二三四五六七八九十"[min(phase_no, 10) - 1]
        homes = sum(rng.choice((66, 88, 104, 132, 198)) for _ in buildings)
        shops = rng.choice((0, 0, 6, 12, 20))
        home_area = homes * rng.uniform(95, 128)
        rows.append([f"云房预售证〔{day.year}〕第{serial[day.year]:04d}号", f"{estate}{phase}期",
                     dev.name, dev.uscc, where.district.name, where.address,
                     "、".join(f"{b}#楼" for b in buildings), homes + shops, homes,
                     f2(home_area + shops * 85.5), f2(home_area), day])
    rows.sort(key=lambda r: (r[11], r[0]), reverse=True)
    table = Table("presale-permits", "商品房预售许可", [
        fld("permit_no", "string", "预售许可证号"),
        fld("project", "string", "项目名称"),
        fld("developer", "string", "开发企业"),
        fld("developer_credit_code", "string", "开发企业统一社会信用代码"),
        fld("district", "string", "所属区县"),
        fld("location", "string", "项目坐落"),
        fld("buildings", "string", "预售楼栋"),
        fld("units", "integer", "预售总套数", unit="套"),
        fld("residential_units", "integer", "其中住宅套数", unit="套"),
        fld("area_m2", "number", "预售总建筑面积", unit="平方米"),
        fld("residential_area_m2", "number", "其中住宅建筑面积", unit="平方米"),
        fld("issued", "date", "发证日期"),
    ], rows, primary_key=("permit_no",))
    return Spec(
        "zjj-0002", "商品房预售许可信息",
        "市住房和城乡建设局核发的商品房预售许可证信息，包括项目名称、开发企业、预售楼栋、套数和面积。"
        "购房人可据此核实项目是否取得预售许可；每周更新。",
        ("商品房", "预售许可", "房地产", "购房", "城市建设"), "urban", "unconditional", "weekly",
        date(2026, 11, 20), date(2021, 5, 10), [table], office="房地产市场监管科")
