"""Datasets of 云河市应急管理局 (yjj): shelters and relief supply reserves.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sample.common import rand_date, rng_for, weighted
from sample.facilities import schools
from sample.model import Spec, Table, fld
from sample.people import landline
from sample.places import BY_CODE, COUNTY, DISTRICTS, LAT, LON, URBAN, District, Place, place

EMERGENCY_EVENT = "2026年11月云河流域洪涝灾害"


def ds_shelters() -> Spec:
    rng = rng_for("yjj-0001")
    sites: list[tuple[str, str, District, Place | None]] = []
    for s in schools():
        if rng.random() < 0.28:
            sites.append((f"{s.name}应急避难场所", "室内", s.place.district, s.place))
    parks = (("滨江公园", "990103"), ("云河湿地公园", "990111"), ("凤凰山公园", "990112"),
             ("人民广场", "990103"), ("市体育中心", "990102"), ("新城中央公园", "990102"),
             ("江北全民健身中心", "990111"), ("河东体育馆", "990112"), ("云山县体育场", "990121"),
             ("云山县文化广场", "990121"))
    for name, code in parks:
        kind = "室内" if name.endswith(("中心", "体育馆")) else "室外"
        sites.append((f"{name}应急避难场所", kind, BY_CODE[code], None))
    flooded = {"990111", "990121"}  # low-lying districts along the river
    rows = []
    for n, (name, kind, district, known) in enumerate(sites, start=1):
        where = known or place(rng, district)
        area = rng.randrange(1500, 9000, 100) if kind == "室内" else rng.randrange(8000, 60000, 500)
        capacity = area // 2 if kind == "室内" else area // 3
        category = "Ⅰ类" if area >= 20000 else "Ⅱ类" if area >= 5000 else "Ⅲ类"
        if kind == "室外":
            status, occupants = "未启用", 0
        elif district.code in flooded:
            status = weighted(rng, [("已开放", 6), ("已满员", 2), ("暂停使用（场地受淹）", 1)])
            occupants = {"已开放": rng.randrange(capacity // 5, capacity * 4 // 5), "已满员": capacity
                         }.get(status, 0)
        else:
            status = weighted(rng, [("已开放", 1), ("待命", 2)])
            occupants = rng.randrange(0, capacity // 6) if status == "已开放" else 0
        updated = datetime(2026, 11, 23, 8, 0) - timedelta(minutes=rng.randrange(0, 240, 15))
        rows.append([f"BN{n:03d}", name, kind, category, district.name, where.address, area,
                     capacity, status, occupants,
                     "供水;供电;应急厕所;医疗救护;物资发放" if kind == "室内" else "应急供水;应急厕所;帐篷区",
                     f"{district.name}应急管理局" if district.urban else "云山县应急管理局",
                     landline(rng), where.lon_text, where.lat_text, updated])
    table = Table("emergency-shelters", "应急避难场所", [
        fld("shelter_id", "string", "场所编号"),
        fld("name", "string", "场所名称"),
        fld("shelter_type", "string", "场所类型", "室内或室外"),
        fld("category", "string", "场所级别", "Ⅰ类（长期）、Ⅱ类（中期）、Ⅲ类（短期）"),
        fld("district", "string", "所属区县"),
        fld("address", "string", "地址"),
        fld("area_m2", "integer", "有效避难面积", unit="平方米"),
        fld("capacity", "integer", "可容纳人数", unit="人"),
        fld("status", "string", "开放状态", "已开放、已满员、待命、未启用或暂停使用"),
        fld("occupants", "integer", "当前安置人数", unit="人"),
        fld("facilities", "string", "配套设施", "以英文分号分隔"),
        fld("manager", "string", "管理单位"),
        fld("phone", "string", "值班电话"),
        LON, LAT,
        fld("updated_at", "datetime", "状态更新时间"),
    ], rows, primary_key=("shelter_id",))
    return Spec(
        "yjj-0001", "应急避难场所及开放状态",
        "全市室内、室外应急避难场所的位置、面积、可容纳人数和配套设施。"
        "2026年11月15日云河流域洪涝灾害发生后，本数据增加开放状态和当前安置人数，每日多次更新，"
        "受灾群众可就近前往“已开放”的场所，也可拨打值班电话咨询。",
        ("应急避难场所", "防汛", "洪涝灾害", "安置点", "公共安全"), "safety", "unconditional", "daily",
        date(2026, 11, 23), date(2023, 5, 12), [table], office="风险监测和综合减灾科",
        emergency=(EMERGENCY_EVENT, date(2026, 11, 15)))


SUPPLIES = (("救灾帐篷", "12平方米单帐篷", "顶"), ("折叠床", "1.9×0.7米", "张"), ("棉被", "2×2.3米", "床"),
            ("救生衣", "成人款", "件"), ("冲锋舟", "5.2米玻璃钢", "艘"), ("移动发电机", "30千瓦", "台"),
            ("排水泵", "流量200立方米/小时", "台"), ("应急照明灯", "LED 充电式", "盏"),
            ("瓶装饮用水", "550毫升×24瓶", "箱"), ("方便食品", "自热米饭", "箱"), ("雨衣雨靴", "成套", "套"),
            ("编织袋", "防汛专用", "条"))


def ds_reserves() -> Spec:
    rng = rng_for("yjj-0002")
    points, items = [], []
    plan = [("云河市救灾物资储备库", "市级", BY_CODE["990111"]),
            ("云河市防汛抗旱物资储备中心", "市级", BY_CODE["990103"])]
    plan += [(f"云河市{d.name}应急物资储备库", "区县级", d) for d in URBAN]
    plan += [("云山县应急物资储备库", "区县级", COUNTY)]
    plan += [(f"{'云山县' if not d.urban else d.name}{s}应急物资储备点", "乡镇（街道）级", d)
             for d in DISTRICTS for s in d.streets if rng.random() < 0.6]
    for n, (name, level, district) in enumerate(plan, start=1):
        where = place(rng, district)
        point_id = f"WZ{n:03d}"
        scale = {"市级": 20, "区县级": 6, "乡镇（街道）级": 1}[level]
        points.append([point_id, name, level, district.name, where.address,
                       rng.randrange(200, 600) * scale // 2, f"{district.name}应急管理局" if level != "市级"
                       else "云河市应急管理局", landline(rng), where.lon_text, where.lat_text])
        for supply, spec, unit in rng.sample(SUPPLIES, rng.randint(6, 10)):
            base = {"冲锋舟": 2, "移动发电机": 3, "排水泵": 4}.get(supply, 100)
            items.append([point_id, supply, spec, unit, base * scale * rng.randint(1, 5),
                          rand_date(rng, date(2026, 10, 20), date(2026, 11, 16))])
    return Spec(
        "yjj-0002", "应急物资储备点及储备物资",
        "市、区（县）、乡镇（街道）三级应急物资储备库（点）的位置、库容和值班电话，以及各储备点救灾帐篷、折叠床、"
        "冲锋舟、排水泵等主要物资的储备数量。每月盘点后更新。",
        ("应急物资", "储备库", "防汛物资", "救灾", "公共安全"), "safety", "unconditional", "monthly",
        date(2026, 11, 16), date(2023, 5, 12), [
            Table("reserve-points", "应急物资储备点", [
                fld("point_id", "string", "储备点编号"),
                fld("name", "string", "储备点名称"),
                fld("level", "string", "储备级别"),
                fld("district", "string", "所属区县"),
                fld("address", "string", "地址"),
                fld("floor_area_m2", "integer", "库房面积", unit="平方米"),
                fld("manager", "string", "管理单位"),
                fld("phone", "string", "值班电话"),
                LON, LAT,
            ], points, primary_key=("point_id",)),
            Table("reserve-items", "储备物资清单", [
                fld("point_id", "string", "储备点编号", "对应“应急物资储备点”表的储备点编号"),
                fld("item", "string", "物资名称"),
                fld("specification", "string", "规格型号"),
                fld("unit", "string", "计量单位"),
                fld("quantity", "integer", "储备数量"),
                fld("checked", "date", "盘点日期"),
            ], items, primary_key=("point_id", "item")),
        ], office="救灾和物资保障科")
