"""Datasets of 云河市大数据发展管理局 (dsj): water, power and gas use of enterprises.
"""

from __future__ import annotations

import math
from datetime import date

from sample.common import GUIZHOU_RULE, MONTHS_2026, rng_for
from sample.enterprises import active_enterprises
from sample.model import Spec, Table, fld


def ds_utilities() -> Spec:
    rng = rng_for("dsj-0001")
    rows = []
    heavy = ("食品", "机械制造", "新材料", "电子科技", "茶业")
    sample = rng.sample(active_enterprises(before=date(2025, 6, 1)), 150)
    for e in sorted(sample, key=lambda e: e.uscc):
        scale = math.exp(rng.gauss(9.5, 1.0)) * (6 if e.word in heavy else 1)
        for month in MONTHS_2026:
            factor = rng.uniform(0.85, 1.15) * (0.8 if month == "2026-02" else 1.0)
            power = round(scale * factor)
            rows.append([e.uscc, e.name, e.sector, month, power, round(power * rng.uniform(0.02, 0.08)),
                         round(power * rng.uniform(0.0, 0.05)) if e.word in heavy or "餐饮" in e.word
                         else 0])
    table = Table("enterprise-utilities", "企业水电气用量（样例：2026年1-10月）", [
        fld("credit_code", "string", "统一社会信用代码"),
        fld("name", "string", "企业名称"),
        fld("sector", "string", "行业门类"),
        fld("month", "string", "统计月份", "YYYY-MM"),
        fld("electricity_kwh", "integer", "用电量", unit="千瓦时"),
        fld("water_t", "integer", "用水量", unit="吨"),
        fld("gas_m3", "integer", "用气量", "管道天然气", "立方米"),
    ], rows, primary_key=("credit_code", "month"))
    return Spec(
        "dsj-0001", "企业水电气用量数据",
        "市大数据局归集的供电、供水、供气企业按户、按月的企业用电量、用水量和用气量。"
        "可反映企业生产经营活跃度，支持“信易贷”等普惠金融场景；涉及企业经营信息，按有条件开放管理。",
        ("水电气", "用电量", "企业经营", "信易贷", "普惠金融"), "economy", "conditional", "monthly",
        date(2026, 11, 15), date(2024, 10, 9), [table], provision=("api", "sandbox"),
        office="数据资源开放科",
        open_conditions=("仅向在本市开展普惠金融业务的持牌金融机构开放，每次调用须取得被查询企业的电子授权；"
                         "通过接口逐户查询或在数据沙箱中建模，模型结果可带出，原始明细不得带出；"
                         "申请人须通过数据安全能力评估并签订数据利用协议。"),
        legal_basis=("《中华人民共和国数据安全法》第二十一条；《中华人民共和国反不正当竞争法》第九条；"
                     "《贵州省政务数据资源管理办法》第二十八条；" + GUIZHOU_RULE))
