"""The enterprises registered in 云河市, shared by the datasets of the market
regulator, the social insurance bureau and the big data bureau.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta

from sample.common import TODAY, rand_date, rng_for, weighted
from sample.people import make_uscc, person_name
from sample.places import BY_CODE, COUNTY, DISTRICTS, District, Place, place, village_names

# -------------------------------------------------------------- enterprises

# Business words by national economic sector (国民经济行业门类), each with a
# business scope (经营范围) as registration authorities word it.
SECTORS: tuple[tuple[str, float, tuple[tuple[str, str], ...]], ...] = (
    ("批发和零售业", 22, (
        ("商贸", "日用百货、五金交电、服装鞋帽、文具用品的批发与零售；食品销售（仅销售预包装食品）"),
        ("贸易", "建筑材料、金属材料、化工产品（不含危险化学品）、机械设备的销售；货物进出口"),
        ("农产品", "农副产品、水果、蔬菜、粮油的批发与零售；食用农产品初加工"),
        ("五金建材", "五金产品、建筑材料、卫生洁具、灯具的批发与零售"),
    )),
    ("建筑业", 10, (
        ("建筑工程", "房屋建筑工程、市政公用工程施工；建筑劳务分包；土石方工程施工"),
        ("装饰工程", "建筑装饰装修工程设计与施工；住宅室内装饰装修；园林绿化工程施工"),
        ("市政工程", "市政道路工程、给排水工程、城市照明工程施工；工程管理服务"),
    )),
    ("信息传输、软件和信息技术服务业", 8, (
        ("信息技术", "软件开发；信息系统集成服务；信息技术咨询服务；计算机软硬件销售"),
        ("网络科技", "互联网信息服务；网络技术服务；数据处理和存储支持服务；广告制作"),
        ("数据科技", "大数据服务；数据处理服务；人工智能应用软件开发；信息系统运行维护服务"),
    )),
    ("住宿和餐饮业", 9, (
        ("餐饮管理", "餐饮服务；食品销售；餐饮管理；外卖递送服务"),
        ("酒店管理", "住宿服务；餐饮服务；酒店管理；会议及展览服务"),
    )),
    ("交通运输、仓储和邮政业", 6, (
        ("物流", "道路货物运输（不含危险货物）；普通货物仓储服务；国内货物运输代理；装卸搬运"),
        ("供应链管理", "供应链管理服务；国内货物运输代理；普通货物仓储服务；信息咨询服务"),
    )),
    ("制造业", 9, (
        ("食品", "食品生产；食品销售；农副食品加工；包装服务"),
        ("机械制造", "通用设备制造；机械零部件加工；金属结构制造；机械设备销售"),
        ("新材料", "新型建筑材料制造；塑料制品制造；合成材料销售；技术推广服务"),
        ("电子科技", "电子元器件制造；电子产品销售；电线电缆经营；技术开发与技术服务"),
        ("茶业", "茶叶种植、加工与销售；预包装食品销售；农业技术推广服务"),
    )),
    ("农、林、牧、渔业", 5, (
        ("农业开发", "蔬菜、水果种植；牲畜饲养；农产品初加工；农业技术推广服务"),
        ("生态农业", "中药材种植；林木育苗；休闲观光农业；农产品销售"),
    )),
    ("租赁和商务服务业", 10, (
        ("企业管理咨询", "企业管理咨询；财务咨询；商务信息咨询；市场调查"),
        ("广告传媒", "广告设计、制作、代理、发布；图文设计制作；企业形象策划；会议及展览服务"),
        ("人力资源服务", "职业中介活动；劳务派遣服务；人力资源外包服务；企业管理咨询"),
    )),
    ("房地产业", 4, (
        ("房地产开发", "房地产开发经营；房屋销售；物业管理；建筑材料销售"),
        ("物业管理", "物业管理；停车场服务；家政服务；园林绿化养护"),
    )),
    ("科学研究和技术服务业", 4, (
        ("检测技术", "检验检测服务；环境监测；计量技术服务；技术咨询"),
        ("工程设计", "建设工程设计；工程勘察；规划设计管理；工程技术服务"),
    )),
    ("居民服务、修理和其他服务业", 5, (
        ("家政服务", "家政服务；养老服务；保洁服务；病人陪护服务"),
        ("汽车服务", "机动车维修；汽车零配件零售；洗车服务；二手车经纪"),
    )),
    ("教育", 2, (("教育咨询", "教育咨询服务（不含涉许可审批的教育培训活动）；文化艺术交流活动"),)),
    ("文化、体育和娱乐业", 3, (
        ("文化传媒", "组织文化艺术交流活动；文艺创作；电影摄制服务；广告发布"),
        ("文化旅游", "旅游业务；游览景区管理；休闲观光活动；票务代理服务"),
    )),
    ("卫生和社会工作", 2, (
        ("健康管理", "健康咨询服务（不含诊疗服务）；养生保健服务（非医疗）；护理机构服务"),
        ("养老服务", "养老服务；居家养老服务；护理机构服务；餐饮服务"),
    )),
)
TRADE_FIRST = "鑫恒华瑞博锦嘉宏星启德万盛天金永兴众亿联达泰隆安和信诚睿卓佳"
TRADE_SECOND = "源达泰丰远程禾图辰航润祥通昌誉合邦辉宇茂晟创盈峰汇顺丰弘"
ENTERPRISE_TYPES = (
    ("有限责任公司（自然人投资或控股）", 52), ("有限责任公司（自然人独资）", 20),
    ("股份有限公司（非上市、自然人投资或控股）", 3), ("个人独资企业", 7), ("有限合伙企业", 2),
    ("普通合伙企业", 1), ("有限责任公司分公司（自然人投资或控股）", 5), ("农民专业合作社", 5),
)
STATE_OWNED = ("云河市城市建设投资集团有限公司", "云河市交通投资集团有限公司", "云河市水务投资有限公司",
               "云河市文化旅游投资集团有限公司", "云河市国有资本运营有限公司", "云河市农业投资发展有限公司")
COOPERATIVE_LINES = (("茶叶种植", "农业开发"), ("蔬菜种植", "农业开发"), ("生猪养殖", "生态农业"),
                     ("中药材种植", "生态农业"), ("水果种植", "农业开发"), ("肉牛养殖", "生态农业"))


@dataclass(frozen=True)
class Enterprise:
    uscc: str
    name: str
    kind: str
    legal_rep: str
    capital: str  # 万元
    founded: date
    term: str  # 营业期限至: 长期 or a date
    authority: str
    status: str
    place: Place
    sector: str
    word: str
    scope: str

    @property
    def active(self) -> bool:
        return self.status == "存续"


def market_bureau(district: District) -> str:
    if district.urban:
        return f"云河市{district.name}市场监督管理局"
    return f"{district.name}市场监督管理局"


@functools.cache
def enterprises() -> tuple[Enterprise, ...]:
    """The enterprise register of 云河市 shared by every dataset that names
    companies (licences, penalties, annual reports, social insurance...)."""
    rng = rng_for("enterprises")
    sectors = [(s, w) for s, w, _ in SECTORS]
    scopes = {name: words for name, _, words in SECTORS}
    district_weights = list(zip(DISTRICTS, (25, 24, 21, 18, 12), strict=True))
    names: set[str] = set()
    state_owned = list(STATE_OWNED)
    villages = village_names(rng_for("coop-villages"), 40)
    out = []
    while len(out) < 1800:
        kind = weighted(rng, ENTERPRISE_TYPES)
        sector = weighted(rng, sectors)
        word, scope = rng.choice(scopes[sector])
        trade = rng.choice(TRADE_FIRST) + rng.choice(TRADE_SECOND)
        district = weighted(rng, district_weights)
        code_kind = "91"
        if rng.random() < 0.012 and state_owned:
            kind, name = "有限责任公司（国有独资）", state_owned.pop(0)
            sector, word, scope = "租赁和商务服务业", "投资", "国有资本投资、运营与管理；城市基础设施建设；项目投资"
            district = BY_CODE["990102"]
        elif kind.startswith("股份"):
            name = f"云河{trade}{word}股份有限公司"
        elif kind == "个人独资企业":
            if sector in ("房地产业", "建筑业", "制造业", "教育"):
                continue
            name = f"云河市{district.name}{trade}{word}中心"
        elif kind.endswith("合伙企业"):
            sector, (word, scope) = "租赁和商务服务业", scopes["租赁和商务服务业"][0]
            name = f"云河{trade}{word}合伙企业（{kind[:2]}合伙）"
        elif kind.startswith("有限责任公司分公司"):
            name = f"{trade}{word}集团有限公司云河分公司"
        elif kind == "农民专业合作社":
            village, _ = rng.choice(villages)
            line, word = rng.choice(COOPERATIVE_LINES)
            sector, district, code_kind = "农、林、牧、渔业", COUNTY, "93"
            name = f"云山县{village}{line}专业合作社"
            scope = f"组织收购、销售成员生产的农产品；{line}及相关技术培训、信息服务"
        else:
            suffix = "有限责任公司" if rng.random() < 0.15 else "有限公司"
            name = f"云河{trade}{word}{suffix}"
        if name in names:
            continue
        names.add(name)
        year = weighted(rng, [(y, 1 + max(0, y - 2008) * 0.6) for y in range(1998, 2027)])
        founded = rand_date(rng, date(year, 1, 4), min(date(year, 12, 28), date(2026, 11, 20)))
        status = "存续"
        if founded < date(2024, 1, 1):
            status = weighted(rng, [("存续", 90), ("注销", 8), ("吊销", 2)])
        capital = weighted(rng, [(c, w) for c, w in zip(
            (3, 5, 10, 20, 30, 50, 100, 200, 300, 500, 1000, 2000, 5000),
            (3, 6, 14, 8, 8, 14, 16, 9, 6, 7, 5, 2, 1), strict=True)])
        if kind == "有限责任公司（国有独资）":
            capital = rng.choice((50000, 80000, 100000, 200000))
        term = "长期" if rng.random() < 0.72 else (founded.replace(year=founded.year + rng.choice(
            (20, 30, 50))) - timedelta(days=1)).isoformat()
        authority = "云河市市场监督管理局" if kind.startswith(("股份", "有限责任公司（国有")) \
            else market_bureau(district)
        out.append(Enterprise(
            uscc=make_uscc(rng, code_kind, district.code, "MA"), name=name, kind=kind,
            legal_rep=person_name(rng), capital=str(capital), founded=founded, term=term,
            authority=authority, status=status, place=place(rng, district), sector=sector,
            word=word, scope=scope + "（依法须经批准的项目，经相关部门批准后方可开展经营活动）"))
    out.sort(key=lambda e: (e.founded, e.uscc))
    return tuple(out)


def active_enterprises(*words: str, before: date = TODAY) -> list[Enterprise]:
    return [e for e in enterprises()
            if e.active and e.founded < before and (not words or e.word in words)]


@functools.cache
def agency_uscc(name: str) -> str:
    """Credit code of a state organ (机关, type 11)."""
    return make_uscc(rng_for(f"agency:{name}"), "11", "990100", "MB")
