"""Datasets of 云河市公安局 (gaj), none of them open: household register,
criminal cases, key persons.
"""

from __future__ import annotations

from datetime import date, timedelta

from sample.common import GUIZHOU_RULE, rand_date, rng_for, weighted
from sample.model import Spec, Table, fld
from sample.people import make_id_number, person_name
from sample.places import DISTRICTS, place


def ds_household_register() -> Spec:
    rng = rng_for("gaj-0001")
    nations = (("汉族", 90), ("苗族", 4), ("侗族", 3), ("土家族", 2), ("布依族", 1))
    rows = []
    for n in range(1, 121):
        district = weighted(rng, [(d, 1) for d in DISTRICTS])
        where = place(rng, district)
        household = f"{district.code}{n:06d}"
        head_male = rng.random() < 0.7
        head_birth = rand_date(rng, date(1948, 1, 1), date(1996, 12, 31))
        surname = person_name(rng)[0]
        members = [("户主", head_male, head_birth, True)]
        if rng.random() < 0.8:
            spouse_birth = head_birth + timedelta(days=rng.randrange(-1800, 1800))
            members.append(("配偶", not head_male, spouse_birth, False))
        for _ in range(weighted(rng, [(0, 2), (1, 4), (2, 3), (3, 1)])):
            child_birth = head_birth + timedelta(days=rng.randrange(22 * 365, 38 * 365))
            if child_birth <= date(2025, 12, 31):
                male = rng.random() < 0.5
                members.append(("子" if male else "女", male, child_birth, True))
        for relation, male, birth, same_surname in members:
            name = person_name(rng, male)
            if same_surname:
                name = surname + name[1:]
            rows.append([make_id_number(rng, district.code, birth, male), name, "男" if male else "女",
                         weighted(rng, nations), birth, where.address, household, "家庭户", relation,
                         rand_date(rng, max(birth, date(1992, 1, 1)), date(2026, 11, 20))])
    table = Table("household-register", "户籍人口明细（样例）", [
        fld("id_number", "string", "公民身份号码"),
        fld("name", "string", "姓名"),
        fld("sex", "string", "性别"),
        fld("ethnicity", "string", "民族"),
        fld("birth_date", "date", "出生日期"),
        fld("address", "string", "户籍地址"),
        fld("household_no", "string", "户号"),
        fld("household_type", "string", "户别"),
        fld("relation", "string", "与户主关系"),
        fld("registered", "date", "登记日期"),
    ], rows, description="虚构样例，用于测试不予开放数据不进入公开站点", primary_key=("id_number",))
    return Spec(
        "gaj-0001", "户籍人口明细",
        "全市常住户口登记的公民身份号码、姓名、性别、民族、出生日期、户籍地址和户成员关系。"
        "属于个人敏感信息，不予开放，仅通过数据共享交换平台向依法履职的政务部门共享。",
        ("户籍", "人口", "户口", "身份证"), "safety", "not_open", "daily",
        date(2026, 11, 22), date(2024, 1, 1), [table], office="治安管理支队（户政）",
        legal_basis=("《中华人民共和国个人信息保护法》第二十八条、第三十四条；《中华人民共和国居民身份证法》第六条；"
                     + GUIZHOU_RULE))


def ds_criminal_cases() -> Spec:
    rng = rng_for("gaj-0002")
    kinds = (("盗窃案", 40), ("电信网络诈骗案", 25), ("故意伤害案", 6), ("抢夺案", 2), ("危险驾驶案", 15),
             ("寻衅滋事案", 5), ("开设赌场案", 3), ("非法吸收公众存款案", 2), ("毒品犯罪案", 2))
    rows = []
    for n in range(1, 241):
        district = weighted(rng, list(zip(DISTRICTS, (3, 4, 3, 3, 2), strict=True)))
        where = place(rng, district)
        day = rand_date(rng, date(2026, 1, 1), date(2026, 11, 20))
        state = weighted(rng, [("侦查中", 4), ("已破案", 3), ("移送审查起诉", 3)])
        rows.append([f"A{district.code}{day:%Y%m}{n:04d}", weighted(rng, kinds), day, district.name,
                     f"{where.road.name}附近", state, rng.randrange(0, 200000, 100)])
    table = Table("criminal-cases", "刑事案件立案信息（样例）", [
        fld("case_no", "string", "案件编号"),
        fld("case_type", "string", "案件类别"),
        fld("filed", "date", "立案日期"),
        fld("district", "string", "发案区县"),
        fld("place", "string", "发案地点"),
        fld("state", "string", "办理状态"),
        fld("loss", "integer", "涉案损失金额", unit="元"),
    ], rows, description="虚构样例，用于测试不予开放数据不进入公开站点", primary_key=("case_no",))
    return Spec(
        "gaj-0002", "刑事案件立案信息",
        "公安机关刑事案件的立案编号、案件类别、立案日期、发案地点、办理状态和损失金额。"
        "涉及侦查工作秘密和当事人隐私，公开后可能危及公共安全，不予开放；"
        "全市治安形势和主要刑事案件类别的统计分析另行通过新闻发布会公布。",
        ("刑事案件", "立案", "侦查", "公共安全"), "safety", "not_open", "daily",
        date(2026, 11, 22), date(2024, 1, 1), [table], office="刑事侦查支队",
        legal_basis=("《中华人民共和国政府信息公开条例》第十四条；《中华人民共和国个人信息保护法》第二十八条；"
                     + GUIZHOU_RULE))


def ds_key_persons() -> Spec:
    return Spec(
        "gaj-0003", "重点人员管控信息",
        "公安机关依法列管的重点人员基本信息、列管类别、管控措施和动态轨迹。"
        "涉及国家秘密、侦查工作秘密和个人隐私，不予开放；目录只登记数据项，数据文件不含任何记录。",
        ("重点人员", "社会治安", "公共安全"), "safety", "not_open", "realtime", date(2026, 11, 23),
        date(2024, 1, 1), [Table("key-persons", "重点人员管控信息（仅数据项）", [
            fld("person_ref", "string", "人员编号", "内部编号，不含身份证件号码"),
            fld("category", "string", "列管类别"),
            fld("control_level", "string", "管控级别"),
            fld("listed", "date", "列管日期"),
            fld("responsible_unit", "string", "责任单位"),
        ], [], description="只有表头、没有数据行：目录只登记数据项")],
        office="情报指挥中心",
        legal_basis=("《中华人民共和国保守国家秘密法》；《中华人民共和国政府信息公开条例》第十四条；"
                     + GUIZHOU_RULE))
