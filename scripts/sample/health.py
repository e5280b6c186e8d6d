"""Datasets of 云河市卫生健康委员会 (wjw): medical institutions, weekly
notifiable infectious diseases.
"""

from __future__ import annotations

import math
from datetime import date

from sample.common import GUIZHOU_RULE, rng_for
from sample.facilities import health_facilities
from sample.model import Spec, Table, fld
from sample.places import DISTRICTS, LAT, LON


def ds_medical_institutions() -> Spec:
    rows = [[f.name, f.uscc, f.category, f.grade, f.owner, f.place.district.name, f.place.address,
             f.phone, f.beds, f.departments, f.insured, f.place.lon_text, f.place.lat_text]
            for f in health_facilities()]
    table = Table("medical-institutions", "医疗机构名录", [
        fld("name", "string", "机构名称"),
        fld("credit_code", "string", "统一社会信用代码"),
        fld("category", "string", "机构类别"),
        fld("grade", "string", "医院等级", "未评审的机构为“未定级”"),
        fld("ownership", "string", "所有制形式", "公立或民营"),
        fld("district", "string", "所属区县"),
        fld("address", "string", "地址"),
        fld("phone", "string", "联系电话", "机构咨询电话"),
        fld("beds", "integer", "核定床位数", unit="张"),
        fld("departments", "string", "诊疗科目", "以英文分号分隔"),
        fld("insurance_designated", "boolean", "是否医保定点"),
        LON, LAT,
    ], rows, primary_key=("credit_code",))
    return Spec(
        "wjw-0001", "医疗机构名录",
        "全市依法执业的医院、社区卫生服务中心、乡镇卫生院、村卫生室、门诊部和诊所的名称、类别、等级、地址、"
        "联系电话、床位数和诊疗科目。数据来源于医疗机构执业登记系统，每季度更新。",
        ("医院", "医疗机构", "诊所", "卫生院", "医疗卫生"), "health", "unconditional", "quarterly",
        date(2026, 10, 15), date(2021, 9, 10), [table], office="规划发展与信息化科")


DISEASES = (("流行性感冒", 60, "winter"), ("其他感染性腹泻病", 18, "summer"), ("手足口病", 14, "early-summer"),
            ("肺结核", 6, "flat"), ("病毒性肝炎", 5, "flat"), ("梅毒", 4, "flat"),
            ("猩红热", 1.5, "winter"), ("流行性腮腺炎", 1.5, "spring"), ("新型冠状病毒感染", 8, "flat"))


def ds_infectious_diseases() -> Spec:
    rng = rng_for("wjw-0002")
    rows = []
    weight = {"990102": 1.1, "990103": 1.3, "990111": 1.0, "990112": 0.9, "990121": 1.0}
    for week in range(1, 47):
        angle = 2 * math.pi * (week - 2) / 52
        season = {"winter": 1 + 2.2 * max(0.0, math.cos(angle)) ** 3,
                  "summer": 1 + 0.8 * max(0.0, -math.cos(angle)),
                  "early-summer": 1 + 2.5 * max(0.0, math.cos(2 * math.pi * (week - 22) / 52)) ** 6,
                  "spring": 1 + 0.8 * max(0.0, math.cos(2 * math.pi * (week - 16) / 52)) ** 4,
                  "flat": 1.0}
        for district in DISTRICTS:
            for disease, base, pattern in DISEASES:
                mean = base * season[pattern] * weight[district.code] * rng.uniform(0.75, 1.25)
                cases = max(0, round(rng.gauss(mean, math.sqrt(mean))))
                deaths = 1 if disease in ("肺结核", "流行性感冒") and rng.random() < 0.01 else 0
                rows.append([2026, week, district.code, district.name, disease, cases, deaths])
    table = Table("notifiable-diseases-weekly", "法定传染病分区县周报（2026年第1-46周）", [
        fld("year", "integer", "年份"),
        fld("week", "integer", "周次", "ISO 周次"),
        fld("region_code", "string", "行政区划代码"),
        fld("district", "string", "区县"),
        fld("disease", "string", "病种"),
        fld("cases", "integer", "报告发病数", unit="例"),
        fld("deaths", "integer", "报告死亡数", unit="例"),
    ], rows, primary_key=("year", "week", "region_code", "disease"))
    return Spec(
        "wjw-0002", "法定传染病疫情分区县周报",
        "按区县、按周统计的法定传染病报告发病数和死亡数，数据来源于传染病报告信息管理系统。"
        "全市月度疫情概况由卫生健康部门另行向社会公布；分区县周数据用于科研和防控评估，按有条件开放管理。",
        ("传染病", "疫情", "流感", "手足口病", "公共卫生"), "health", "conditional", "weekly",
        date(2026, 11, 18), date(2024, 3, 1), [table], provision=("download",), office="疾病预防控制科",
        open_conditions=("仅向从事传染病防控、公共卫生研究的医疗卫生机构、高等院校和科研机构开放；"
                         "申请人须提交研究方案并承诺不以任何形式对外发布疫情信息，研究成果涉及疫情数据的，"
                         "发布前须经市卫生健康委审核。"),
        legal_basis=("《中华人民共和国传染病防治法》第三十八条（传染病疫情信息由卫生健康主管部门依法公布）；"
                     + GUIZHOU_RULE))
