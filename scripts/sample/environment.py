"""Datasets of 云河市生态环境局 (hbj): hourly air quality (AQI after HJ 633-2012).
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from sample.common import f1, rng_for
from sample.model import Spec, Table, fld
from sample.places import BY_CODE, LAT, LON, place

# HJ 633-2012 breakpoints. Hourly reports use the 1-hour limits for SO2, NO2,
# CO and O3 and the 24-hour limits for PM2.5 and PM10.
AQI_STEPS = (0, 50, 100, 150, 200, 300, 400, 500)
AQI_BREAKPOINTS = {
    "PM2.5": (0, 35, 75, 115, 150, 250, 350, 500),
    "PM10": (0, 50, 150, 250, 350, 420, 500, 600),
    "O3": (0, 160, 200, 300, 400, 800, 1000, 1200),
    "NO2": (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    "SO2": (0, 150, 500, 650, 800, 1600, 2100, 2620),
    "CO": (0, 5, 10, 35, 60, 90, 120, 150),
}
AQI_GRADES = ((50, "优"), (100, "良"), (150, "轻度污染"), (200, "中度污染"), (300, "重度污染"))
AQ_STATIONS = (
    # code, name, type, district, PM, NO2, SO2, O3 factors, in service since
    ("9901A", "市监测站", "城市评价点", "990103", 1.00, 1.10, 1.0, 0.95, date(2012, 12, 28)),
    ("9902A", "新城政务中心", "城市评价点", "990102", 0.92, 1.00, 0.8, 1.05, date(2016, 6, 30)),
    ("9903A", "江北工业园", "城市评价点", "990111", 1.12, 1.15, 1.9, 0.90, date(2014, 1, 1)),
    ("9904A", "河东水厂", "城市评价点", "990112", 1.00, 0.95, 1.1, 1.00, date(2014, 1, 1)),
    ("9905A", "云山县城", "县城评价点", "990121", 0.85, 0.70, 0.9, 1.05, date(2017, 7, 1)),
    ("9906A", "云雾山", "区域背景点", "990121", 0.55, 0.25, 0.5, 1.20, date(2015, 1, 1)),
)


def iaqi(concentration: float, breakpoints: tuple[int, ...]) -> float:
    for i in range(1, len(breakpoints)):
        if concentration <= breakpoints[i]:
            low, high = breakpoints[i - 1], breakpoints[i]
            return AQI_STEPS[i - 1] + (AQI_STEPS[i] - AQI_STEPS[i - 1]) * (
                concentration - low) / (high - low)
    return 500.0


def aqi_of(values: dict[str, float]) -> tuple[int, str, str]:
    """AQI, primary pollutant(s) and quality grade of one hour (HJ 633-2012)."""
    sub = {name: math.ceil(iaqi(v, AQI_BREAKPOINTS[name])) for name, v in values.items()}
    aqi = max(sub.values())
    primary = "、".join(n for n, v in sub.items() if v == aqi) if aqi > 50 else ""
    grade = next((g for limit, g in AQI_GRADES if aqi <= limit), "严重污染")
    return aqi, primary, grade


def ds_air_quality() -> Spec:
    rng = rng_for("hbj-0001")
    start = datetime(2025, 11, 23)
    hours = 365 * 24
    regional = 0.0
    local = [0.0] * len(AQ_STATIONS)
    rows = []
    for h in range(hours):
        t = start + timedelta(hours=h)
        season = math.cos(2 * math.pi * (t.timetuple().tm_yday - 15) / 365.25)  # +1 Jan, -1 Jul
        hour = t.hour
        regional = 0.985 * regional + rng.gauss(0, 0.08)
        sun = max(0.0, math.sin(math.pi * (hour - 7) / 12)) if 7 <= hour <= 19 else 0.0
        diurnal_pm = 1 + 0.18 * math.cos(2 * math.pi * (hour - 22) / 24) \
            + 0.08 * math.cos(2 * math.pi * (hour - 8) / 12)
        rush = 1 + 0.35 * math.exp(-((hour - 8) ** 2) / 4) + 0.45 * math.exp(-((hour - 19) ** 2) / 6) \
            - 0.25 * sun
        for i, (code, name, _, _, pm_f, no2_f, so2_f, o3_f, _) in enumerate(AQ_STATIONS):
            local[i] = 0.9 * local[i] + rng.gauss(0, 0.07)
            pm25 = max(2, round((30 + 18 * season) * diurnal_pm * pm_f
                                * math.exp(regional + local[i])))
            pm10 = max(pm25 + 1, round(pm25 * min(2.4, max(1.2, rng.gauss(1.55, 0.18)))))
            no2 = max(2, round((20 + 7 * season) * no2_f * rush
                               * math.exp(0.5 * regional + rng.gauss(0, 0.22))))
            summer_boost = 0.3 * regional * max(0.0, -season)
            o3 = max(2, round(((12 + 8 * (1 - season)) + (58 - 38 * season) * sun ** 1.4)
                              * o3_f * math.exp(rng.gauss(0, 0.18) + summer_boost) - 0.15 * no2))
            so2 = max(2, round((6 + 3 * season) * so2_f * math.exp(0.4 * regional
                                                                     + rng.gauss(0, 0.3))))
            co = max(0.1, (0.5 + 0.25 * season) * (0.6 if code == "9906A" else 1.0)
                     * math.exp(0.6 * (regional + local[i]) + rng.gauss(0, 0.1))
                     * (1 + 0.15 * math.cos(2 * math.pi * (hour - 20) / 24)))
            co_text = f1(co)
            if rng.random() < 0.0015:  # calibration or instrument fault
                rows.append([code, name, t, None, None, None, None, None, None, None, None, None])
                continue
            aqi, primary, grade = aqi_of({"PM2.5": pm25, "PM10": pm10, "O3": o3, "NO2": no2,
                                          "SO2": so2, "CO": float(co_text)})
            rows.append([code, name, t, aqi, pm25, pm10, o3, no2, so2, co_text, primary or None,
                         grade])
    readings = Table("aqi-hourly", "空气质量小时监测数据", [
        fld("station_code", "string", "站点编码", "对应“空气质量监测站点”表的站点编码"),
        fld("station_name", "string", "站点名称"),
        fld("monitor_time", "datetime", "监测时间", "小时均值的时段起点（北京时间）"),
        fld("aqi", "integer", "空气质量指数（AQI）", "按 HJ 633-2012 计算；仪器校准或故障时段为空"),
        fld("pm2_5", "integer", "细颗粒物（PM2.5）", "1 小时平均浓度", "微克/立方米"),
        fld("pm10", "integer", "可吸入颗粒物（PM10）", "1 小时平均浓度", "微克/立方米"),
        fld("o3", "integer", "臭氧（O3）", "1 小时平均浓度", "微克/立方米"),
        fld("no2", "integer", "二氧化氮（NO2）", "1 小时平均浓度", "微克/立方米"),
        fld("so2", "integer", "二氧化硫（SO2）", "1 小时平均浓度", "微克/立方米"),
        fld("co", "number", "一氧化碳（CO）", "1 小时平均浓度", "毫克/立方米"),
        fld("primary_pollutant", "string", "首要污染物", "AQI 大于 50 时空气质量分指数最大的污染物，并列时以顿号分隔"),
        fld("quality_level", "string", "空气质量等级", "优、良、轻度污染、中度污染、重度污染或严重污染"),
    ], rows, description="6 个国控、省控监测站点近一年逐小时监测数据",
        primary_key=("station_code", "monitor_time"))
    srng = rng_for("hbj-0001-stations")
    stations = []
    for code, name, kind, district, *_, since in AQ_STATIONS:
        where = place(srng, BY_CODE[district])
        address = where.address if name != "云雾山" else "云河市云山县云雾山景区气象观测场旁"
        stations.append([code, name, kind, where.district.name, address, where.lon_text,
                         where.lat_text, since, "PM2.5;PM10;O3;NO2;SO2;CO"])
    station_table = Table("aqi-stations", "空气质量监测站点", [
        fld("station_code", "string", "站点编码"),
        fld("station_name", "string", "站点名称"),
        fld("station_type", "string", "站点类型"),
        fld("district", "string", "所属区县"),
        fld("address", "string", "站点地址"),
        LON, LAT,
        fld("in_service_since", "date", "投入运行日期"),
        fld("parameters", "string", "监测项目", "以英文分号分隔"),
    ], stations, primary_key=("station_code",))
    return Spec(
        "hbj-0001", "空气质量小时监测数据",
        "全市 6 个环境空气质量自动监测站点近一年逐小时的 PM2.5、PM10、O3、NO2、SO2、CO 浓度，"
        "以及按《环境空气质量指数（AQI）技术规定（试行）》（HJ 633-2012）计算的空气质量指数、首要污染物和质量等级。"
        "数据为未经审核的实时监测数据，最终以年度环境质量公报为准；每日更新至前一日 23 时。",
        ("空气质量", "AQI", "PM2.5", "环境监测", "臭氧"), "environment", "unconditional", "daily",
        date(2026, 11, 23), date(2021, 6, 5), [readings, station_table], office="生态环境监测科",
        temporal=(start.date(), None))
