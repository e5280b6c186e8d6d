"""Datasets of 云河市市场监督管理局 (sjj): enterprises, licences, penalties,
pharmacies, annual reports.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

from sample.common import GUIZHOU_RULE, rand_date, rng_for
from sample.enterprises import (
    TRADE_FIRST,
    TRADE_SECOND,
    active_enterprises,
    agency_uscc,
    enterprises,
    market_bureau,
)
from sample.model import Spec, Table, fld
from sample.people import landline, make_uscc
from sample.places import BY_CODE, LAT, LON, District, place


def ds_pharmacies() -> Spec:
    rng = rng_for("sjj-0004")
    district = BY_CODE["990112"]
    chains = ("云河康源大药房连锁有限公司", "云河百姓仁和药房连锁有限公司", "云河济世堂医药连锁有限公司")
    scope = "中药饮片、中成药、化学药制剂、抗生素制剂、生化药品、生物制品（除疫苗）"
    rows = []
    names: set[str] = set()
    while len(rows) < 90:
        where = place(rng, district)
        if rng.random() < 0.55:
            name = f"{rng.choice(chains)}{where.road.name}店"
            mode, code = "零售（连锁）", make_uscc(rng, "91", district.code, "MA")
        else:
            name = f"云河市河东区{rng.choice(TRADE_FIRST)}{rng.choice(TRADE_SECOND)}大药房"
            mode, code = "零售", make_uscc(rng, "92", district.code, "L")
        if name in names:
            continue
        names.add(name)
        issued = rand_date(rng, date(2022, 1, 1), date(2026, 11, 6))
        rows.append([
            name, code, f"DA{district.code}{len(rows) + 1:04d}", mode,
            scope if rng.random() < 0.7 else scope.replace("、生物制品（除疫苗）", ""),
            rng.randint(1, 4), where.address, landline(rng), issued,
            issued.replace(year=issued.year + 5) - timedelta(days=1), rng.random() < 0.72,
            rng.choice(("08:00-21:00", "08:00-22:00", "00:00-24:00")), where.lon_text,
            where.lat_text])
    table = Table("pharmacies", "药品零售企业", [
        fld("name", "string", "企业名称"),
        fld("credit_code", "string", "统一社会信用代码"),
        fld("licence_no", "string", "药品经营许可证编号"),
        fld("business_mode", "string", "经营方式"),
        fld("scope", "string", "经营范围"),
        fld("pharmacists", "integer", "执业药师人数", unit="人"),
        fld("address", "string", "经营地址"),
        fld("phone", "string", "联系电话"),
        fld("licence_issued", "date", "发证日期"),
        fld("licence_expires", "date", "有效期至"),
        fld("insurance_designated", "boolean", "是否医保定点零售药店"),
        fld("open_hours", "string", "营业时间"),
        LON, LAT,
    ], rows, primary_key=("licence_no",))
    return Spec(
        "sjj-0004", "河东区药品零售企业名录",
        "河东区持有有效《药品经营许可证》的零售药店的名称、许可证编号、经营范围、执业药师人数、营业时间和位置。"
        "数据来源于药品经营许可审批系统，每月更新，可用于就近购药查询。",
        ("药店", "药品零售", "药品经营许可", "河东区"), "health", "unconditional", "monthly",
        date(2026, 11, 10), date(2023, 2, 14), [table], region=district.code, office="药品流通监管科")


def ds_enterprises() -> Spec:
    rows = [[e.uscc, e.name, e.kind, e.legal_rep, e.capital, e.founded, e.term, e.authority,
             e.status, e.place.district.name, e.place.address, e.sector, e.scope]
            for e in enterprises()]
    table = Table("enterprises", "企业登记信息", [
        fld("credit_code", "string", "统一社会信用代码"),
        fld("name", "string", "企业名称"),
        fld("enterprise_type", "string", "企业类型"),
        fld("legal_representative", "string", "法定代表人", "依《企业信息公示暂行条例》公示的登记事项"),
        fld("registered_capital", "number", "注册资本（出资额）", unit="万元"),
        fld("founded", "date", "成立日期"),
        fld("term_to", "string", "营业期限至", "“长期”或截止日期"),
        fld("authority", "string", "登记机关"),
        fld("status", "string", "登记状态", "存续、注销或吊销"),
        fld("district", "string", "所属区县"),
        fld("address", "string", "住所"),
        fld("sector", "string", "行业门类", "国民经济行业分类（GB/T 4754-2017）门类"),
        fld("scope", "string", "经营范围"),
    ], rows, primary_key=("credit_code",))
    return Spec(
        "sjj-0001", "企业登记信息",
        "在本市登记的企业和农民专业合作社的统一社会信用代码、名称、类型、法定代表人、注册资本、成立日期、"
        "登记状态、住所和经营范围。数据来源于市场主体登记系统，按《企业信息公示暂行条例》公示，每日更新。",
        ("企业", "市场主体", "工商登记", "统一社会信用代码", "营业执照"), "market", "unconditional",
        "daily", date(2026, 11, 22), date(2021, 3, 15), [table], office="登记注册科")


# 行政许可: (certificate, category, content, validity years or 0 for long-term, sector words)
PERMITS = (
    ("食品经营许可证", "普通", "食品销售经营者（预包装食品销售（含冷藏冷冻食品）、散装食品销售）", 5,
     ("商贸", "农产品")),
    ("食品经营许可证", "普通", "餐饮服务经营者（热食类食品制售、冷食类食品制售）", 5,
     ("餐饮管理", "酒店管理")),
    ("食品生产许可证", "普通", "糕点、饮料、茶叶及相关制品生产", 5, ("食品", "茶业")),
    ("工业产品生产许可证", "普通", "建筑用钢筋、水泥制品、电线电缆生产", 5, ("新材料", "电子科技", "机械制造")),
    ("特种设备使用登记证", "认可", "电梯使用登记", 0, ("物业管理", "房地产开发", "酒店管理")),
    ("特种设备使用登记证", "认可", "场（厂）内专用机动车辆使用登记", 0, ("物流", "供应链管理", "机械制造")),
)


def _doc_no(rng: random.Random, district: District, abbr: str, day: date) -> str:
    prefix = "云" if rng.random() < 0.3 else district.short
    return f"{prefix}市监{abbr}〔{day.year}〕{rng.randrange(1, 3000)}号"


def ds_licences() -> Spec:
    rng = rng_for("sjj-0002")
    rows = []
    new = [e for e in enterprises() if e.founded >= date(2025, 11, 1)]
    seen = {e.uscc for e in new}
    for e in new:  # 设立登记 of the last weeks
        rows.append([e.name, "法人及非法人组织", e.uscc, "准予设立登记通知书",
                     _doc_no(rng, e.place.district, "登字", e.founded), "登记", "营业执照", e.uscc,
                     f"准予设立登记（{e.kind}）", e.founded, e.founded,
                     None if e.term == "长期" else date.fromisoformat(e.term), e.authority,
                     agency_uscc(e.authority)])
    while len(rows) < 1100:
        certificate, category, content, years, words = rng.choice(PERMITS)
        candidates = active_enterprises(*words)
        e = rng.choice(candidates)
        day = rand_date(rng, max(e.founded, date(2024, 11, 25)), date(2026, 11, 21))
        authority = market_bureau(e.place.district) if certificate.startswith("食品经营") \
            else "云河市市场监督管理局"
        number = {"食品经营许可证": f"JY1{e.place.district.code}{rng.randrange(10**7):07d}",
                  "食品生产许可证": f"SC1{rng.randrange(10, 40)}{e.place.district.code}{rng.randrange(10**5):05d}",
                  "工业产品生产许可证": f"XK{rng.randrange(10, 30)}-{rng.randrange(1, 20):03d}-{rng.randrange(10**5):05d}",
                  }.get(certificate, f"梯11YH{rng.randrange(10**5):05d}({day:%y})")
        if number in seen:
            continue
        seen.add(number)
        rows.append([e.name, "法人及非法人组织", e.uscc, "准予行政许可决定书",
                     _doc_no(rng, e.place.district, "许", day), category, certificate, number,
                     content, day, day,
                     (day.replace(year=day.year + years) - timedelta(days=1)) if years else None,
                     authority, agency_uscc(authority)])
    rows.sort(key=lambda r: (r[9], r[2], r[7]), reverse=True)
    table = Table("administrative-licences", "行政许可信息", [
        fld("holder_name", "string", "行政相对人名称"),
        fld("holder_category", "string", "行政相对人类别"),
        fld("holder_credit_code", "string", "统一社会信用代码"),
        fld("decision_title", "string", "行政许可决定文书名称"),
        fld("decision_no", "string", "行政许可决定文书号"),
        fld("licence_category", "string", "许可类别", "普通、特许、认可、核准、登记或其他"),
        fld("certificate", "string", "许可证书名称"),
        fld("licence_no", "string", "许可编号"),
        fld("content", "string", "许可内容"),
        fld("decision_date", "date", "许可决定日期"),
        fld("valid_from", "date", "有效期自"),
        fld("valid_to", "date", "有效期至", "为空表示长期有效"),
        fld("authority", "string", "许可机关"),
        fld("authority_credit_code", "string", "许可机关统一社会信用代码"),
    ], rows, primary_key=("licence_no",))
    return Spec(
        "sjj-0002", "行政许可信息公示",
        "市、区（县）市场监督管理部门作出的行政许可决定，包括设立登记、食品经营许可、食品生产许可、"
        "工业产品生产许可和特种设备使用登记。按“双公示”要求在作出决定后 7 个工作日内公示，每日更新，"
        "数据项遵循全国信用信息共享平台行政许可信息数据标准。",
        ("行政许可", "双公示", "食品经营许可", "信用", "市场监管"), "credit", "unconditional", "daily",
        date(2026, 11, 22), date(2021, 3, 15), [table], office="信用监督管理科")


# 行政处罚: (type, fact, basis, penalty kinds, fine range in yuan, confiscation, sector words)
VIOLATIONS = (
    ("经营超过保质期的食品", "当事人在经营场所销售超过保质期的预包装食品{n}件，货值金额{v}元。",
     "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项", "没收违法所得;罚款", (50000, 100000),
     True, ("商贸", "农产品", "餐饮管理")),
    ("未取得食品经营许可从事食品经营", "当事人未取得食品经营许可，擅自在经营场所从事餐饮服务活动。",
     "《中华人民共和国食品安全法》第一百二十二条第一款", "没收违法所得;罚款", (50000, 80000), True,
     ("餐饮管理", "酒店管理")),
    ("发布虚假广告", "当事人在其微信公众号发布含有“最佳”“国家级”等内容且无法证实的广告。",
     "《中华人民共和国广告法》第五十五条第一款", "罚款", (20000, 200000), False,
     ("广告传媒", "健康管理", "教育咨询", "房地产开发")),
    ("不按规定明码标价", "当事人销售的商品未按规定标明价格，共计{n}种。", "《中华人民共和国价格法》第四十二条",
     "警告;罚款", (500, 5000), False, ("商贸", "五金建材", "汽车服务")),
    ("虚假宣传", "当事人在商品宣传页中对商品的功能、性能作虚假的商业宣传，欺骗、误导消费者。",
     "《中华人民共和国反不正当竞争法》第二十条第一款", "罚款", (100000, 300000), False,
     ("商贸", "健康管理", "电子科技", "网络科技")),
    ("使用未经定期检验的特种设备", "当事人使用的电梯{n}台超过检验有效期未申请定期检验，仍继续使用。",
     "《中华人民共和国特种设备安全法》第八十四条第（一）项", "罚款", (30000, 100000), False,
     ("物业管理", "酒店管理", "房地产开发")),
    ("生产销售不合格产品", "经抽样检验，当事人生产的产品{n}批次不合格，货值金额{v}元。",
     "《中华人民共和国产品质量法》第四十九条", "没收违法所得;罚款", (10000, 150000), True,
     ("新材料", "机械制造", "电子科技", "食品")),
    ("未在网店首页公示营业执照信息", "当事人从事网络销售，未在网店首页显著位置持续公示营业执照信息。",
     "《中华人民共和国电子商务法》第七十六条第一款第（一）项", "罚款", (2000, 10000), False,
     ("商贸", "农产品", "茶业")),
)


def ds_penalties() -> Spec:
    rng = rng_for("sjj-0003")
    rows = []
    numbers: set[str] = set()
    while len(rows) < 360:
        kind, fact, basis, penalty, (low, high), confiscate, words = rng.choice(VIOLATIONS)
        e = rng.choice(active_enterprises(*words, before=date(2024, 6, 1)))
        day = rand_date(rng, date(2025, 1, 6), date(2026, 11, 20))
        district = e.place.district
        authority = market_bureau(district) if rng.random() < 0.75 else "云河市市场监督管理局"
        number = f"{'云' if authority.startswith('云河市市场') else district.short}市监处罚〔{day.year}〕{rng.randrange(1, 900)}号"
        if number in numbers:
            continue
        numbers.add(number)
        fine = round(rng.uniform(low, high) / 500) * 500
        confiscated = rng.randrange(200, 20000) if confiscate else 0
        text = fact.format(n=rng.randint(2, 40), v=rng.randrange(300, 30000))
        content = f"罚款人民币{fine}元" + (f"，没收违法所得{confiscated}元" if confiscated else "")
        if penalty.startswith("警告"):
            content = "警告，" + content
        publicity_end = day + timedelta(days=365 if fine else 90)
        rows.append([e.name, e.uscc, e.legal_rep, number, kind, text, basis, penalty, content,
                     f"{fine / 10000:.4f}", f"{confiscated / 10000:.4f}", day, publicity_end,
                     authority, agency_uscc(authority)])
    rows.sort(key=lambda r: (r[11], r[3]), reverse=True)
    table = Table("administrative-penalties", "行政处罚信息", [
        fld("party_name", "string", "行政相对人名称"),
        fld("party_credit_code", "string", "统一社会信用代码"),
        fld("legal_representative", "string", "法定代表人"),
        fld("decision_no", "string", "行政处罚决定书文号"),
        fld("violation_type", "string", "违法行为类型"),
        fld("facts", "string", "违法事实"),
        fld("legal_basis", "string", "处罚依据"),
        fld("penalty_types", "string", "处罚类别", "多个类别以英文分号分隔"),
        fld("penalty_content", "string", "处罚内容"),
        fld("fine", "number", "罚款金额", unit="万元"),
        fld("confiscated", "number", "没收违法所得、没收非法财物的金额", unit="万元"),
        fld("decision_date", "date", "处罚决定日期"),
        fld("publicity_end", "date", "公示截止期", "罚款类最短公示期 1 年，警告类 3 个月"),
        fld("authority", "string", "处罚机关"),
        fld("authority_credit_code", "string", "处罚机关统一社会信用代码"),
    ], rows, primary_key=("decision_no",))
    return Spec(
        "sjj-0003", "行政处罚信息公示",
        "市、区（县）市场监督管理部门对企业作出的一般程序行政处罚决定，包括违法事实、处罚依据、处罚内容和罚没金额。"
        "按“双公示”要求在作出决定后 7 个工作日内公示，公示期满后不再展示；每日更新。",
        ("行政处罚", "双公示", "信用", "市场监管", "违法"), "credit", "unconditional", "daily",
        date(2026, 11, 22), date(2021, 3, 15), [table], office="执法稽查科")


def ds_annual_reports() -> Spec:
    rng = rng_for("sjj-0005")
    rows = []
    for e in active_enterprises(before=date(2025, 1, 1)):
        if e.kind == "有限责任公司分公司（自然人投资或控股）" or rng.random() < 0.55:
            continue
        capital = float(e.capital)
        assets = capital * math.exp(rng.gauss(0.6, 0.8))
        liabilities = assets * rng.uniform(0.15, 0.85)
        revenue = assets * math.exp(rng.gauss(0, 0.6))
        profit = revenue * rng.gauss(0.05, 0.08)
        tax = max(0.0, revenue * rng.uniform(0.01, 0.05))
        staff = max(1, round(math.exp(rng.gauss(2.3, 1.1))))
        rows.append([e.uscc, e.name, 2025, f"{assets:.4f}", f"{liabilities:.4f}", f"{revenue:.4f}",
                     f"{profit:.4f}", f"{profit * (0.75 if profit > 0 else 1):.4f}", f"{tax:.4f}",
                     staff, rng.random() < 0.3, rand_date(rng, date(2026, 1, 2), date(2026, 6, 30))])
    table = Table("annual-report-finance", "企业年度报告资产状况信息（2025年度）", [
        fld("credit_code", "string", "统一社会信用代码"),
        fld("name", "string", "企业名称"),
        fld("report_year", "integer", "年报年度"),
        fld("total_assets", "number", "资产总额", unit="万元"),
        fld("total_liabilities", "number", "负债总额", unit="万元"),
        fld("revenue", "number", "营业总收入", unit="万元"),
        fld("total_profit", "number", "利润总额", unit="万元"),
        fld("net_profit", "number", "净利润", unit="万元"),
        fld("tax_paid", "number", "纳税总额", unit="万元"),
        fld("employees", "integer", "从业人数", unit="人"),
        fld("publicly_disclosed", "boolean", "企业是否选择公示资产状况"),
        fld("submitted", "date", "报送日期"),
    ], rows, primary_key=("credit_code", "report_year"))
    return Spec(
        "sjj-0005", "企业年度报告资产状况信息",
        "企业通过国家企业信用信息公示系统报送的年度报告中的资产总额、负债总额、营业总收入、利润、纳税总额和从业人数。"
        "按《企业信息公示暂行条例》第九条，企业可自主选择是否公示这些信息，未选择公示的部分涉及商业秘密，"
        "按有条件开放管理。",
        ("企业年报", "资产状况", "营业收入", "企业信用", "市场监管"), "market", "conditional", "yearly",
        date(2026, 7, 15), date(2024, 8, 1), [table], provision=("api",), office="信用监督管理科",
        open_conditions=("仅向政府部门委托的经济运行研究机构和持牌金融机构开放；金融机构每次查询须取得企业授权，"
                         "研究机构只能获得按行业、区县汇总或脱敏的数据；不得公开单个企业未选择公示的财务信息。"),
        legal_basis=("《企业信息公示暂行条例》第九条；《中华人民共和国反不正当竞争法》第九条；" + GUIZHOU_RULE))
