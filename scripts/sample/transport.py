"""Datasets of 云河市交通运输局 (jtj): bus stops and lines, parking, charging,
bicycle parking, taxi tracks.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from sample.bus import LANDMARKS, bus_network
from sample.common import GUIZHOU_RULE, coord, f2, rand_date, rng_for, weighted
from sample.model import Spec, Table, fld
from sample.people import landline
from sample.places import BY_CODE, COUNTY, LAT, LON, Place, place, place_on, roads_in, urban_place


def ds_bus_stops() -> Spec:
    stops, _ = bus_network()
    rows = [[s.stop_id, s.name, s.district.name, s.road, coord(s.lon), coord(s.lat), s.shelter,
             len(s.lines), ";".join(s.lines)] for s in stops]
    table = Table("bus-stops", "公交站点", [
        fld("stop_id", "string", "站点编号", "站点唯一编号，与“公交线路信息”数据集中的站点编号一致"),
        fld("stop_name", "string", "站点名称"),
        fld("district", "string", "所属区县"),
        fld("road", "string", "所在道路"),
        LON, LAT,
        fld("shelter", "boolean", "是否设有候车亭"),
        fld("line_count", "integer", "途经线路数", unit="条"),
        fld("lines", "string", "途经线路", "多条线路以英文分号“;”分隔"),
    ], rows, primary_key=("stop_id",))
    return Spec(
        "jtj-0001", "公交站点信息",
        "全市城市公交和城乡公交站点的名称、位置、所在道路及途经线路。数据由市公共交通集团运营调度系统导出，"
        "经市交通运输局审核后每月更新，可用于出行导航、站点覆盖分析和公交服务评价。",
        ("公交", "站点", "交通出行", "城市公交"), "transport", "unconditional", "monthly",
        date(2026, 11, 5), date(2022, 3, 15), [table], office="科技信息科")


def ds_bus_lines() -> Spec:
    _, lines = bus_network()
    rows = [[ln.line_id, ln.name, ln.kind, ln.stops[0].name, ln.stops[-1].name, ln.first_bus,
             ln.last_bus, ln.headway, ln.fare, ln.fare_type, ln.length_km, len(ln.stops),
             ln.operator, ln.air_conditioned] for ln in lines]
    stops = [[ln.line_id, ln.name, seq, s.stop_id, s.name]
             for ln in lines for seq, s in enumerate(ln.stops, start=1)]
    return Spec(
        "jtj-0002", "公交线路信息",
        "全市公交线路的起讫站点、首末班时间、发车间隔、票价和线路长度，以及每条线路（上行方向）的站点序列。"
        "线路调整后随月度数据一并更新，站点编号与“公交站点信息”数据集一致。",
        ("公交", "线路", "首末班", "票价", "交通出行"), "transport", "unconditional", "monthly",
        date(2026, 11, 5), date(2022, 3, 15), [
            Table("bus-lines", "公交线路", [
                fld("line_id", "string", "线路编号"),
                fld("line_name", "string", "线路名称"),
                fld("line_type", "string", "线路类型", "常规公交、快速公交、夜班公交或城乡公交"),
                fld("start_stop", "string", "起点站"),
                fld("end_stop", "string", "终点站"),
                fld("first_bus", "string", "首班时间", "起点站首班发车时间，HH:MM"),
                fld("last_bus", "string", "末班时间", "起点站末班发车时间，HH:MM；夜班线路跨日"),
                fld("headway", "string", "发车间隔"),
                fld("fare", "number", "全程票价", "一票制为单一票价，分段计价为最高票价", "元"),
                fld("fare_type", "string", "计价方式"),
                fld("length_km", "number", "线路长度", "上行方向线路长度", "公里"),
                fld("stop_count", "integer", "站点数", unit="个"),
                fld("operator", "string", "运营单位"),
                fld("air_conditioned", "boolean", "是否空调车"),
            ], rows, primary_key=("line_id",)),
            Table("bus-line-stops", "公交线路站点序列", [
                fld("line_id", "string", "线路编号", "对应“公交线路”表的线路编号"),
                fld("line_name", "string", "线路名称"),
                fld("seq", "integer", "站序", "上行方向站点顺序，从 1 开始"),
                fld("stop_id", "string", "站点编号"),
                fld("stop_name", "string", "站点名称"),
            ], stops, description="每条线路上行方向依次经过的站点", primary_key=("line_id", "seq")),
        ], office="科技信息科")


def ds_parking() -> Spec:
    rng = rng_for("jtj-0003")
    district = BY_CODE["990102"]
    kinds = (("公共停车场", "路外公共停车场"), ("地下停车场", "地下停车场"),
             ("立体停车库", "机械式立体停车库"), ("路内停车泊位", "路内停车泊位"))
    fees = {
        "路外公共停车场": "首小时4元，之后每小时2元，24小时内最高25元",
        "地下停车场": "首小时5元，之后每小时2元，24小时内最高30元",
        "机械式立体停车库": "首小时5元，之后每小时2元，24小时内最高30元；新能源汽车首2小时免费",
        "路内停车泊位": "08:00-20:00 首小时3元，之后每半小时1元；20:00至次日08:00免费",
    }
    lots: list[tuple[str, str, Place]] = []
    for name, code in LANDMARKS:
        if code == district.code:
            road = rng.choice(roads_in(district))
            lots.append((f"{name}地下停车场", "地下停车场", place_on(rng, road)))
    for road in roads_in(district):
        for word, kind in rng.sample(kinds, rng.randint(2, 4)):
            lots.append((f"{road.name}{word}", kind, place_on(rng, road)))
    rows = []
    for n, (name, kind, where) in enumerate(lots, start=1):
        total = {"路内停车泊位": rng.randrange(20, 120), "机械式立体停车库": rng.randrange(80, 260)
                 }.get(kind, rng.randrange(60, 900))
        occupied = round(total * min(0.98, max(0.05, rng.gauss(0.55, 0.2))))
        charging = 0 if kind == "路内停车泊位" else round(total * rng.choice((0, 0.05, 0.1, 0.15)))
        rows.append([
            f"P{n:04d}", name, kind, where.address, where.lon_text, where.lat_text, total, charging,
            max(1, total // 50), total - occupied, fees[kind],
            "00:00-24:00" if kind != "路内停车泊位" else "08:00-20:00 收费",
            rng.choice(("云河市新城区停车管理有限公司", "云河城投智慧停车运营有限公司")), landline(rng),
            datetime(2026, 11, 23, 7, 55) - timedelta(minutes=rng.randrange(0, 10))])
    table = Table("parking-lots", "公共停车场泊位", [
        fld("lot_id", "string", "停车场编号"),
        fld("name", "string", "停车场名称"),
        fld("lot_type", "string", "停车场类型"),
        fld("address", "string", "地址"),
        LON, LAT,
        fld("total_spaces", "integer", "总泊位数", unit="个"),
        fld("charging_spaces", "integer", "充电泊位数", unit="个"),
        fld("accessible_spaces", "integer", "无障碍泊位数", unit="个"),
        fld("free_spaces", "integer", "空余泊位数", "数据更新时间的实时空余泊位", "个"),
        fld("fee_rule", "string", "收费标准", "按云河市机动车停放服务收费标准执行"),
        fld("open_hours", "string", "开放时间"),
        fld("operator", "string", "管理单位"),
        fld("phone", "string", "联系电话", "管理单位办公电话"),
        fld("updated_at", "datetime", "数据更新时间"),
    ], rows, primary_key=("lot_id",))
    return Spec(
        "jtj-0003", "新城区公共停车场泊位信息",
        "新城区路外公共停车场、地下停车场、立体停车库和路内停车泊位的位置、泊位数、收费标准和实时空余泊位。"
        "数据来自全市智慧停车平台，每 5 分钟刷新一次，开放平台每日发布快照并提供接口实时查询。",
        ("停车场", "泊位", "停车收费", "智慧停车", "新城区"), "transport", "unconditional", "realtime",
        date(2026, 11, 23), date(2023, 8, 1), [table], region=district.code, office="科技信息科")


def ds_charging() -> Spec:
    rng = rng_for("jtj-0004")
    operators = ("云河城投新能源有限公司", "云河电力充电服务有限公司", "云河畅行新能源科技有限公司",
                 "云河公交新能源服务有限公司")
    rows = []
    names: set[str] = set()
    while len(rows) < 160:
        where = urban_place(rng) if rng.random() < 0.88 else place(rng, COUNTY)
        name = f"{where.road.name}{rng.choice(('', '公共', '便民', '综合'))}充电站"
        if name in names:
            continue
        names.add(name)
        dc, ac = rng.randrange(2, 24), rng.randrange(0, 16)
        power = rng.choice((60, 120, 160, 180, 240)) if dc else 7
        rows.append([
            f"CS{len(rows) + 1:04d}", name, rng.choice(operators), where.district.name,
            where.address, where.lon_text, where.lat_text, dc, ac, str(power),
            f2(rng.choice((0.58, 0.61, 0.65, 0.68))), f2(rng.choice((0.5, 0.6, 0.7, 0.8))),
            rng.choice(("充电期间免费停车2小时", "按停车场标准收费", "免费停车")),
            rng.choice(("00:00-24:00", "00:00-24:00", "07:00-23:00")), rng.random() < 0.93,
            rand_date(rng, date(2026, 5, 6), date(2026, 6, 30))])
    table = Table("charging-stations", "公共充电站", [
        fld("station_id", "string", "充电站编号"),
        fld("name", "string", "充电站名称"),
        fld("operator", "string", "运营单位"),
        fld("district", "string", "所属区县"),
        fld("address", "string", "地址"),
        LON, LAT,
        fld("dc_piles", "integer", "直流快充桩数量", unit="个"),
        fld("ac_piles", "integer", "交流慢充桩数量", unit="个"),
        fld("max_power_kw", "number", "单桩最大功率", unit="千瓦"),
        fld("electricity_price", "number", "电费", "平段电价，峰谷时段按分时电价执行", "元/千瓦时"),
        fld("service_fee", "number", "充电服务费", unit="元/千瓦时"),
        fld("parking_fee", "string", "停车收费说明"),
        fld("open_hours", "string", "开放时间"),
        fld("public", "boolean", "是否对社会开放"),
        fld("updated", "date", "信息更新日期"),
    ], rows, primary_key=("station_id",))
    return Spec(
        "jtj-0004", "新能源汽车公共充电站信息",
        "全市对社会开放的新能源汽车公共充电站的位置、运营单位、快慢充桩数量、功率和收费标准。"
        "数据由各充电运营企业报送，经市交通运输局汇总后按月更新。",
        ("充电桩", "充电站", "新能源汽车", "交通出行"), "transport", "unconditional", "monthly",
        date(2026, 6, 30), date(2023, 4, 20), [table], office="科技信息科")


def ds_bike_parking() -> Spec:
    rng = rng_for("jtj-0005")
    rows = []
    for n in range(1, 361):
        where = urban_place(rng)
        rows.append([f"B{n:05d}", f"{where.road.name}{where.number}号停放点", where.district.name,
                     where.road.name, where.lon_text, where.lat_text, rng.choice((10, 15, 20, 30, 40)),
                     "云河骑行网络科技有限公司"])
    table = Table("bike-parking", "互联网租赁自行车停放点", [
        fld("point_id", "string", "停放点编号"),
        fld("name", "string", "停放点名称"),
        fld("district", "string", "所属区县"),
        fld("road", "string", "所在道路"),
        LON, LAT,
        fld("capacity", "integer", "设计容量", unit="辆"),
        fld("operator", "string", "运营企业"),
    ], rows, primary_key=("point_id",))
    return Spec(
        "jtj-0005", "互联网租赁自行车电子围栏停放点",
        "中心城区互联网租赁自行车（共享单车）电子围栏停放点的位置和设计容量。"
        "数据由运营企业报送，用于规范共享单车停放秩序。",
        ("共享单车", "停放点", "电子围栏", "慢行交通"), "transport", "unconditional", "monthly",
        date(2026, 5, 31), date(2022, 9, 1), [table], office="科技信息科", status="withdrawn",
        withdrawal=(date(2026, 6, 30),
                    "原运营企业已于2026年6月退出本市共享单车市场，停放点数据不再更新。新一轮特许经营企业的"
                    "停放点信息将另行发布，本数据集撤回后保留目录信息供查阅。"))


def ds_taxi_tracks() -> Spec:
    rng = rng_for("jtj-0006")
    companies = ("云河出租汽车有限公司", "云河交运集团出租车分公司", "云河顺达出租汽车有限公司")
    west, east, south, north = 108.255, 108.415, 27.470, 27.590
    rows = []
    start = datetime(2026, 11, 22)
    for _ in range(20):
        vehicle = "T" + "".join(rng.choice("0123456789ABCDEF") for _ in range(6))
        company = rng.choice(companies)
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        heading = rng.uniform(0, 360)
        status, left = "空车", 0
        night_off = rng.random() < 0.6
        for step in range(288):
            t = start + timedelta(minutes=5 * step)
            if night_off and 2 <= t.hour < 6:
                status, speed = "停运", 0
            else:
                if status == "停运":
                    status = "空车"
                if left <= 0:
                    status = weighted(rng, [("空车", 45), ("载客", 45), ("电召", 10)]) \
                        if status == "空车" else "空车"
                    left = rng.randint(2, 6)
                left -= 1
                rush = 7 <= t.hour < 9 or 17 <= t.hour < 19
                speed = max(0, round(rng.gauss(18 if rush else 32, 10)))
                heading = (heading + rng.gauss(0, 40)) % 360
                dist = speed * 5 / 60
                lon += dist * math.sin(math.radians(heading)) / 98.6
                lat += dist * math.cos(math.radians(heading)) / 111.0
                if not west < lon < east:
                    heading = (360 - heading) % 360
                    lon = min(max(lon, west), east)
                if not south < lat < north:
                    heading = (180 - heading) % 360
                    lat = min(max(lat, south), north)
            rows.append([vehicle, t + timedelta(seconds=rng.randrange(60)), coord(lon), coord(lat),
                         speed, round(heading) % 360, status, company])
    rows.sort(key=lambda r: (r[1], r[0]))
    table = Table("taxi-gps", "出租车定位轨迹（样例：2026年11月22日）", [
        fld("vehicle_id", "string", "车辆编号", "经假名化处理的车辆代号，不能直接对应号牌"),
        fld("gps_time", "datetime", "定位时间"),
        LON, LAT,
        fld("speed", "integer", "瞬时速度", unit="千米/小时"),
        fld("heading", "integer", "方向角", "正北为 0，顺时针", "度"),
        fld("status", "string", "营运状态", "空车、载客、电召或停运"),
        fld("company", "string", "所属企业"),
    ], rows, description="20 辆车一日的 5 分钟间隔定位样例；全量数据按申请范围提供",
        primary_key=("vehicle_id", "gps_time"))
    return Spec(
        "jtj-0006", "巡游出租车运营轨迹数据",
        "全市巡游出租车车载终端上传的定位时间、经纬度、速度、方向和营运状态。"
        "车辆编号已做假名化处理，但轨迹可推断驾驶员和乘客的行踪，属于敏感个人信息，按有条件开放管理。"
        "数据可通过数据沙箱或接口在批准范围内使用。",
        ("出租车", "轨迹", "GPS", "交通出行", "浮动车"), "transport", "conditional", "daily",
        date(2026, 11, 23), date(2024, 3, 1), [table], provision=("sandbox", "api"),
        office="运输管理科",
        open_conditions=("仅向从事交通规划、交通运行分析研究的高等院校、科研机构和经认定的交通规划设计单位开放；"
                         "申请人应具备数据安全管理制度和专人负责的安全管理措施；数据仅在数据沙箱内分析或通过接口"
                         "按时段、区域调用，不得导出原始轨迹，不得尝试重新识别车辆、驾驶员或乘客，"
                         "成果发布前须经数据提供部门审核。"),
        legal_basis=("《中华人民共和国个人信息保护法》第二十八条（行踪轨迹属于敏感个人信息）；"
                     "《中华人民共和国数据安全法》第二十一条；" + GUIZHOU_RULE))
