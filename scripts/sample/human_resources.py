"""Datasets of 云河市人力资源和社会保障局 (rsj): job fairs, social insurance
contributions, medical insurance settlements.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from sample.common import GUIZHOU_RULE, MONTHS_2026, TODAY, f2, rng_for, weighted
from sample.enterprises import active_enterprises
from sample.facilities import health_facilities
from sample.model import Spec, Table, fld

SEASONAL_FAIRS = {1: "“就业援助月”专场招聘会", 2: "“春风行动”大型综合招聘会", 3: "女性就业专场招聘会",
                  4: "现代服务业专场招聘会", 5: "民营企业招聘月专场", 6: "高校毕业生专场招聘会",
                  7: "直播带岗线上招聘会", 8: "退役军人专场招聘会", 9: "金秋招聘月综合招聘会",
                  10: "零工市场专场对接会", 11: "制造业专场招聘会", 12: "残疾人专场招聘会"}
WEEKLY_FAIR = "人力资源市场周三常规招聘会"
JOBS = (("普工", "初中", 3800, 5200), ("操作工", "高中/中专", 4200, 6000), ("电工", "高中/中专", 5000, 7500),
        ("仓库管理员", "高中/中专", 4000, 5500), ("销售代表", "大专", 4000, 9000),
        ("客服专员", "大专", 3800, 5200), ("行政文员", "大专", 3600, 4800), ("会计", "本科", 4500, 7000),
        ("软件开发工程师", "本科", 7000, 13000), ("数据分析师", "本科", 6500, 11000),
        ("施工员", "大专", 5000, 8000), ("厨师", "不限", 4500, 7000), ("服务员", "不限", 3300, 4200),
        ("快递员", "不限", 5000, 8000), ("驾驶员（C1）", "初中", 4500, 6500), ("护工", "不限", 3800, 5500),
        ("幼儿教师", "大专", 3800, 5500), ("质检员", "高中/中专", 4200, 5800))


def ds_job_fairs() -> Spec:
    rng = rng_for("rsj-0001")
    venues = ("云河会展中心2号馆", "云河大学体育馆", "江北工业园就业服务站", "云山县人力资源市场")
    weekly_venue = "云河市人力资源市场（新城区政通路88号）"
    plan: list[tuple[date, str]] = []
    day = date(2025, 11, 26)  # a Wednesday: the market's weekly fair
    while day <= date(2026, 12, 16):
        plan.append((day, WEEKLY_FAIR))
        day += timedelta(days=7)
    for month in range(14):
        year, mon = 2025 + (10 + month) // 12, (10 + month) % 12 + 1
        saturday = date(year, mon, 1) + timedelta(days=(5 - date(year, mon, 1).weekday()) % 7
                                                  + 7 * rng.randrange(3))
        if date(2025, 11, 23) <= saturday <= date(2026, 12, 20):
            plan.append((saturday, SEASONAL_FAIRS[mon]))
    plan.sort()
    fairs, jobs = [], []
    for day, special in plan:
        weekly = special == WEEKLY_FAIR
        online = "线上" in special
        name = f"{day.year}年{day.month}月{day.day}日{special}" if weekly else f"{day.year}年{special}"
        if weekly:
            venue = weekly_venue
        elif online:
            venue = "线上（云河就业服务平台）"
        else:
            venue = rng.choice(venues)
        companies = rng.randrange(25, 70) if weekly else rng.randrange(60, 260)
        fair_id = f"ZP{day:%Y%m%d}"
        fair_jobs = []
        for e in rng.sample(active_enterprises(before=day), rng.randint(4, 10)):
            title, education, low, high = rng.choice(JOBS)
            pay = rng.choice((0, 200, 500))
            fair_jobs.append([f"{fair_id}-{len(fair_jobs) + 1:03d}", fair_id, e.name, e.uscc, title,
                              rng.randint(1, 20), education, low + pay, high + pay,
                              e.place.district.name])
        jobs.extend(fair_jobs)
        fairs.append([fair_id, name, "线上" if online else "现场", day,
                      "09:00-12:00" if weekly else "09:00-16:00", venue,
                      "云山县人力资源和社会保障局" if "云山" in venue else "云河市人力资源和社会保障局",
                      companies, companies * rng.randint(6, 14), "已举办" if day < TODAY else "待举办"])
    return Spec(
        "rsj-0001", "就业招聘会信息",
        "市、县人力资源和社会保障部门举办或指导的现场和线上招聘会的时间、地点、参会企业数和岗位数，"
        "以及参会企业登记的部分招聘岗位、学历要求和薪资范围。每周更新，含近期待举办场次。",
        ("招聘会", "就业", "岗位", "人才招聘", "社保就业"), "employment", "unconditional", "weekly",
        date(2026, 11, 20), date(2022, 2, 8), [
            Table("job-fairs", "招聘会", [
                fld("fair_id", "string", "招聘会编号"),
                fld("name", "string", "招聘会名称"),
                fld("mode", "string", "举办形式", "现场或线上"),
                fld("date", "date", "举办日期"),
                fld("hours", "string", "举办时间"),
                fld("venue", "string", "举办地点"),
                fld("organizer", "string", "主办单位"),
                fld("companies", "integer", "参会企业数", "待举办场次为已报名企业数", "家"),
                fld("positions", "integer", "提供岗位数", unit="个"),
                fld("state", "string", "状态", "已举办或待举办"),
            ], fairs, primary_key=("fair_id",)),
            Table("job-positions", "招聘岗位", [
                fld("position_id", "string", "岗位编号"),
                fld("fair_id", "string", "招聘会编号", "对应“招聘会”表的招聘会编号"),
                fld("employer", "string", "招聘单位"),
                fld("employer_credit_code", "string", "招聘单位统一社会信用代码"),
                fld("title", "string", "岗位名称"),
                fld("headcount", "integer", "招聘人数", unit="人"),
                fld("education", "string", "学历要求"),
                fld("salary_min", "integer", "月薪下限", unit="元"),
                fld("salary_max", "integer", "月薪上限", unit="元"),
                fld("work_district", "string", "工作地点"),
            ], jobs, description="参会企业在招聘会报名时登记的岗位（部分）",
                primary_key=("position_id",)),
        ], office="就业促进科")


def ds_social_insurance() -> Spec:
    rng = rng_for("rsj-0002")
    rows = []
    for e in sorted(rng.sample(active_enterprises(before=date(2025, 6, 1)), 120),
                    key=lambda e: e.uscc):
        staff = max(1, round(math.exp(rng.gauss(2.6, 1.1))))
        wage = rng.randrange(4200, 9800, 100)
        for month in MONTHS_2026:
            staff = max(1, staff + rng.choice((-1, 0, 0, 0, 1)))
            base = staff * max(wage, 4077)
            injury = rng.choice((0.002, 0.004, 0.008, 0.012))
            state = weighted(rng, [("正常", 95), ("欠缴", 4), ("缓缴", 1)])
            rows.append([e.uscc, e.name, month, staff, base, f2(base * 0.16), f2(base * 0.08),
                         f2(base * 0.075), f2(base * 0.02), f2(base * 0.007), f2(base * 0.003),
                         f2(base * injury), state])
    table = Table("social-insurance-payments", "企业社会保险缴费明细（样例：2026年1-10月）", [
        fld("credit_code", "string", "单位统一社会信用代码"),
        fld("employer", "string", "单位名称"),
        fld("period", "string", "费款所属期", "YYYY-MM"),
        fld("insured", "integer", "参保人数", unit="人"),
        fld("base_total", "integer", "缴费基数合计", unit="元"),
        fld("pension_employer", "number", "养老保险单位缴纳", unit="元"),
        fld("pension_employee", "number", "养老保险个人缴纳", unit="元"),
        fld("medical_employer", "number", "医疗保险单位缴纳", unit="元"),
        fld("medical_employee", "number", "医疗保险个人缴纳", unit="元"),
        fld("unemployment_employer", "number", "失业保险单位缴纳", unit="元"),
        fld("unemployment_employee", "number", "失业保险个人缴纳", unit="元"),
        fld("injury_employer", "number", "工伤保险单位缴纳", unit="元"),
        fld("payment_state", "string", "缴费状态", "正常、欠缴或缓缴"),
    ], rows, primary_key=("credit_code", "period"))
    return Spec(
        "rsj-0002", "企业社会保险缴纳明细",
        "按单位、按月汇总的养老、医疗、失业和工伤保险参保人数、缴费基数和缴费金额及缴费状态。"
        "可用于企业经营状况评估和普惠金融授信，但涉及企业经营信息，按有条件开放管理。",
        ("社保", "社会保险", "缴费", "企业", "普惠金融"), "employment", "conditional", "monthly",
        date(2026, 11, 12), date(2023, 9, 1), [table], provision=("api",), office="社会保险基金监督科",
        open_conditions=("仅向在本市开展业务的持牌金融机构和经认定的征信机构开放，用于普惠金融授信审查和贷后管理；"
                         "每次查询须取得被查询企业的书面或电子授权；只能按统一社会信用代码逐户通过接口查询，"
                         "不得批量下载；数据保存期限不超过授信业务结束后 5 年。"),
        legal_basis=("《中华人民共和国社会保险法》第八十一条；《中华人民共和国数据安全法》第二十一条；"
                     + GUIZHOU_RULE))


def ds_insurance_settlement() -> Spec:
    rng = rng_for("rsj-0003")
    rows = []
    designated = [f for f in health_facilities() if f.insured and f.category not in ("村卫生室", "诊所")]
    for n, f in enumerate(designated, start=1):
        code = f"H{f.place.district.code}{n:05d}"
        scale = {"综合医院": 60, "中医医院": 30, "妇幼保健院": 20, "专科医院": 10, "康复医院": 6
                 }.get(f.category, 1.5) * (2 if f.grade.startswith("三级") else 1)
        for month in MONTHS_2026:
            visits = max(20, round(scale * 800 * rng.uniform(0.85, 1.15)))
            per_visit = {"社区卫生服务中心": 110, "乡镇卫生院": 95, "门诊部": 180}.get(f.category, 620)
            total = visits * per_visit * rng.uniform(0.9, 1.1)
            fund = total * rng.uniform(0.55, 0.68)
            account = total * rng.uniform(0.08, 0.15)
            rows.append([code, f.name, f.category, f.place.district.name, month, visits, f2(total),
                         f2(fund), f2(account), f2(total - fund - account)])
    table = Table("insurance-settlements", "定点医疗机构医保结算月度统计（样例：2026年1-10月）", [
        fld("institution_code", "string", "定点机构编码"),
        fld("institution", "string", "机构名称"),
        fld("category", "string", "机构类别"),
        fld("district", "string", "所属区县"),
        fld("month", "string", "结算月份", "YYYY-MM"),
        fld("visits", "integer", "结算人次", unit="人次"),
        fld("total_cost", "number", "医疗总费用", unit="元"),
        fld("fund_paid", "number", "统筹基金支付", unit="元"),
        fld("account_paid", "number", "个人账户支付", unit="元"),
        fld("cash_paid", "number", "个人现金支付", unit="元"),
    ], rows, primary_key=("institution_code", "month"))
    return Spec(
        "rsj-0003", "医保定点医疗机构结算统计",
        "各医保定点医疗机构按月汇总的结算人次、医疗总费用、统筹基金支付、个人账户支付和个人现金支付。"
        "数据为机构级汇总，不含参保人明细；涉及定点机构经营信息和基金运行情况，按有条件开放管理。",
        ("医保", "医疗保障", "结算", "定点医疗机构", "医疗卫生"), "health", "conditional", "monthly",
        date(2026, 11, 10), date(2024, 6, 18), [table], provision=("download", "sandbox"),
        office="医疗保险科",
        open_conditions=("仅向高等院校、科研机构和卫生健康、医疗保障领域的政策研究机构开放，用于医保支付方式改革、"
                         "卫生经济和公共政策研究；申请人须提交研究方案和数据安全保护措施，成果发布时不得点名评价单个定点机构，"
                         "发布前须经数据提供部门审核。"),
        legal_basis=("《医疗保障基金使用监督管理条例》第二十一条；《中华人民共和国数据安全法》第二十一条；"
                     + GUIZHOU_RULE))
