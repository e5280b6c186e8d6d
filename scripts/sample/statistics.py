"""Datasets of 云河市统计局 (tjj): population, quarterly GDP.
"""

from __future__ import annotations

from datetime import date

from sample.common import f1, f2, rng_for
from sample.model import Spec, Table, fld
from sample.places import DISTRICTS


def ds_population() -> Spec:
    # 常住人口 (万人) in 2016 and 2025, by district; years between follow a smooth path.
    resident = {"990102": (45.2, 68.9), "990103": (82.6, 76.1), "990111": (55.3, 63.8),
                "990112": (48.1, 55.2), "990121": (81.7, 66.4)}
    registered_ratio = {"990102": 0.86, "990103": 1.03, "990111": 0.95, "990112": 0.97,
                        "990121": 1.24}
    rng = rng_for("tjj-0001")
    rows = []
    for year in range(2016, 2026):
        k = (year - 2016) / 9
        birth = 13.1 - 6.6 * k ** 0.8 + rng.uniform(-0.2, 0.2)
        death = 6.7 + 0.9 * k + rng.uniform(-0.15, 0.15)
        totals = [0.0, 0.0]
        district_rows = []
        for district in DISTRICTS:
            start, end = resident[district.code]
            people = start + (end - start) * (k ** 0.9) + rng.uniform(-0.2, 0.2)
            registered = people * registered_ratio[district.code] * (1 + 0.01 * k)
            urban = {"990121": 31.0 + 12 * k}.get(district.code, 84.0 + 8 * k) + rng.uniform(-0.5, 0.5)
            d_birth = birth + (1.2 if not district.urban else 0) + rng.uniform(-0.4, 0.4)
            d_death = death + (1.0 if not district.urban else -0.2) + rng.uniform(-0.3, 0.3)
            totals[0] += people
            totals[1] += registered
            district_rows.append([year, district.code, district.name, f2(people), f2(registered),
                                  f2(d_birth), f2(d_death), f2(d_birth - d_death), f2(min(urban, 99.5))])
        city_urban = sum(float(r[3]) * float(r[8]) for r in district_rows) / totals[0]
        rows.append([year, "990100", "云河市", f2(totals[0]), f2(totals[1]), f2(birth), f2(death),
                     f2(birth - death), f2(city_urban)])
        rows.extend(district_rows)
    table = Table("population", "人口主要指标", [
        fld("year", "integer", "年份"),
        fld("region_code", "string", "行政区划代码"),
        fld("region", "string", "地区"),
        fld("resident_population", "number", "年末常住人口", unit="万人"),
        fld("registered_population", "number", "年末户籍人口", unit="万人"),
        fld("birth_rate", "number", "人口出生率", unit="‰"),
        fld("death_rate", "number", "人口死亡率", unit="‰"),
        fld("natural_growth_rate", "number", "人口自然增长率", unit="‰"),
        fld("urbanization_rate", "number", "常住人口城镇化率", unit="%"),
    ], rows, primary_key=("year", "region_code"))
    return Spec(
        "tjj-0001", "人口统计年报",
        "2016年以来全市及各区县年末常住人口、户籍人口、出生率、死亡率、自然增长率和城镇化率。"
        "常住人口为人口变动抽样调查推算数，户籍人口来自公安户籍统计；每年随统计年鉴更新。",
        ("人口", "常住人口", "出生率", "城镇化率", "统计年鉴"), "statistics", "unconditional", "yearly",
        date(2026, 4, 10), date(2021, 5, 20), [table], office="人口和就业统计科",
        temporal=(date(2016, 1, 1), date(2025, 12, 31)))


# Real GDP growth (可比价, %) for Q1, H1, Q1-3 and the year.
GDP_GROWTH = {2016: (8.3, 8.4, 8.5, 8.5), 2017: (8.1, 8.2, 8.2, 8.2), 2018: (7.5, 7.6, 7.5, 7.6),
              2019: (7.2, 7.0, 6.9, 7.0), 2020: (-6.2, -1.5, 0.8, 2.6), 2021: (17.5, 12.1, 9.3, 8.1),
              2022: (4.6, 3.0, 3.5, 3.2), 2023: (4.8, 5.5, 5.3, 5.4), 2024: (5.2, 5.0, 4.8, 5.1),
              2025: (5.4, 5.3, 5.2, 5.3), 2026: (5.1, 5.0, 4.9)}
GDP_YEAR = {2016: 1418.6, 2017: 1552.3, 2018: 1687.9, 2019: 1846.2, 2020: 1881.5, 2021: 2079.8,
            2022: 2166.4, 2023: 2281.7, 2024: 2392.5, 2025: 2506.9, 2026: 2633.0}


def ds_gdp() -> Spec:
    rng = rng_for("tjj-0002")
    rows = []
    shares = (0.218, 0.468, 0.724, 1.0)
    for year, growths in GDP_GROWTH.items():
        k = (year - 2016) / 10
        for quarter, growth in enumerate(growths, start=1):
            total = GDP_YEAR[year] * shares[quarter - 1] * rng.uniform(0.995, 1.005)
            if year == 2020 and quarter == 1:
                total *= 0.93
            primary_share = (0.092 - 0.022 * k) * (0.7 if quarter == 1 else 1.0)
            secondary = total * (0.405 - 0.045 * k)
            primary = total * primary_share
            label = ("一季度", "上半年", "前三季度", "全年")[quarter - 1]
            rows.append([year, quarter, f"{year}年{label}", f2(total), f2(primary), f2(secondary),
                         f2(total - primary - secondary), f1(growth)])
    table = Table("gdp-quarterly", "地区生产总值（季度累计）", [
        fld("year", "integer", "年份"),
        fld("quarter", "integer", "季度", "累计至该季度末：1 为一季度，4 为全年"),
        fld("period", "string", "统计期"),
        fld("gdp", "number", "地区生产总值", "现价，季度累计值", "亿元"),
        fld("primary_industry", "number", "第一产业增加值", unit="亿元"),
        fld("secondary_industry", "number", "第二产业增加值", unit="亿元"),
        fld("tertiary_industry", "number", "第三产业增加值", unit="亿元"),
        fld("growth", "number", "同比增长", "按可比价格计算", "%"),
    ], rows, primary_key=("year", "quarter"))
    return Spec(
        "tjj-0002", "地区生产总值（季度）",
        "2016年以来云河市地区生产总值及三次产业增加值的季度累计数据和按可比价格计算的同比增速。"
        "季度数据为初步核算数，年度数据以统计年鉴最终核实数为准；每季度结束后次月下旬更新。",
        ("GDP", "地区生产总值", "经济运行", "统计数据", "三次产业"), "economy", "unconditional",
        "quarterly", date(2026, 10, 28), date(2021, 5, 20), [table], office="国民经济核算科",
        temporal=(date(2016, 1, 1), date(2026, 9, 30)))
