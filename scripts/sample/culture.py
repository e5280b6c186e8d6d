"""Datasets of 云河市文化广电旅游局 (wlj): scenic spots, libraries.
"""

from __future__ import annotations

from datetime import date

from sample.common import f1, rng_for
from sample.model import Spec, Table, fld
from sample.people import landline
from sample.places import BY_CODE, LAT, LON, URBAN, place, roads_in

SCENIC = (
    ("云雾山景区", "5A", "990121", "成人票120元", 2019, "国家级风景名胜区，以云海、瀑布和原始森林著称，主峰海拔2136米。"),
    ("云河国家湿地公园", "4A", "990111", "免费", 2017, "城市河流湿地，建有观鸟长廊和湿地科普馆。"),
    ("老城历史文化街区", "4A", "990103", "免费", 2018, "保存明清至民国时期街巷格局，有会馆、老字号和非遗工坊。"),
    ("凤凰山森林公园", "4A", "990112", "免费", 2016, "城市近郊森林公园，有登山步道和凤凰塔。"),
    ("白沙古镇", "4A", "990121", "免费", 2020, "千年古镇，沿白沙河分布吊脚楼群和古码头。"),
    ("青石岭溶洞", "4A", "990121", "成人票80元", 2015, "喀斯特溶洞群，洞内钟乳石景观丰富。"),
    ("云河博物馆", "4A", "990102", "免费（需预约）", 2021, "综合性地方历史博物馆，馆藏文物三万余件。"),
    ("龙溪峡谷", "3A", "990121", "成人票60元", 2018, "峡谷溪流景观，夏季开放漂流项目。"),
    ("大坪高山草场", "3A", "990121", "成人票30元", 2022, "高山草甸，适合露营和观星。"),
    ("茶园生态茶旅小镇", "3A", "990121", "免费", 2021, "万亩生态茶园，可体验采茶、制茶。"),
    ("滨江公园", "3A", "990103", "免费", 2014, "沿云河带状公园，有音乐喷泉和滨江步道。"),
    ("江北工业遗址公园", "3A", "990111", "免费", 2023, "由老机械厂改造的工业遗产公园和文创园区。"),
    ("云河科技馆", "3A", "990102", "免费（需预约）", 2020, "青少年科普教育基地。"),
    ("河东非遗文化园", "3A", "990112", "免费", 2024, "集中展示本地传统技艺和民俗表演。"),
    ("桃坪村乡村旅游区", "3A", "990121", "免费", 2022, "以春季桃花和农家乐为特色的乡村旅游点。"),
    ("凤凰塔", "2A", "990112", "成人票10元", 2012, "清代砖塔，市级文物保护单位。"),
    ("云河动物园", "3A", "990111", "成人票40元", 2013, "城市动物园，饲养动物百余种。"),
    ("松林寨民族村寨", "3A", "990121", "免费", 2019, "保存完好的少数民族传统村落。"),
)


def ds_scenic_spots() -> Spec:
    rng = rng_for("wlj-0001")
    rows = []
    for n, (name, grade, code, ticket, year, intro) in enumerate(SCENIC, start=1):
        where = place(rng, BY_CODE[code])
        rows.append([f"JQ{n:03d}", name, grade, where.district.name, where.address,
                     rng.choice(("08:00-18:00", "08:30-17:30", "09:00-17:00（周一闭馆）")) if "馆" in name
                     else rng.choice(("全天开放", "08:00-18:00", "07:30-18:30")), ticket,
                     landline(rng), year, intro, where.lon_text, where.lat_text])
    table = Table("scenic-spots", "A级旅游景区", [
        fld("spot_id", "string", "景区编号"),
        fld("name", "string", "景区名称"),
        fld("grade", "string", "等级", "国家 A 级旅游景区等级"),
        fld("district", "string", "所属区县"),
        fld("address", "string", "地址"),
        fld("open_hours", "string", "开放时间"),
        fld("ticket", "string", "门票价格"),
        fld("phone", "string", "咨询电话"),
        fld("rated_year", "integer", "评定年份"),
        fld("introduction", "string", "景区简介"),
        LON, LAT,
    ], rows, primary_key=("spot_id",))
    return Spec(
        "wlj-0001", "A级旅游景区名录",
        "全市国家 A 级旅游景区的名称、等级、地址、开放时间、门票价格、咨询电话和简介。"
        "景区等级评定或复核后随年度数据更新。",
        ("旅游", "景区", "A级景区", "文化旅游"), "culture", "unconditional", "yearly",
        date(2026, 4, 28), date(2021, 10, 1), [table], office="资源开发科")


def ds_libraries() -> Spec:
    rng = rng_for("wlj-0002")
    plan = [("云河市图书馆", "公共图书馆", "一级馆", "990102", 210.0),
            ("云河市少年儿童图书馆", "少儿图书馆", "一级馆", "990103", 68.0),
            ("新城区图书馆", "公共图书馆", "二级馆", "990102", 42.0),
            ("老城区图书馆", "公共图书馆", "一级馆", "990103", 55.0),
            ("江北区图书馆", "公共图书馆", "二级馆", "990111", 38.0),
            ("河东区图书馆", "公共图书馆", "三级馆", "990112", 26.0),
            ("云山县图书馆", "公共图书馆", "二级馆", "990121", 31.0)]
    for road in rng.sample(roads_in(*URBAN), 9):
        plan.append((f"云河城市书房·{road.name}店", "城市书房", "未评级", road.district.code,
                     round(rng.uniform(0.8, 2.5), 1)))
    rows = []
    for n, (name, kind, grade, code, books) in enumerate(plan, start=1):
        where = place(rng, BY_CODE[code])
        branch = kind == "城市书房"
        rows.append([f"TS{n:03d}", name, kind, grade, where.district.name, where.address,
                     "00:00-24:00（自助）" if branch else "09:00-21:00（周一 14:00 开馆）", f1(books),
                     rng.randrange(40, 120) if branch else max(200, int(books * rng.uniform(7, 10)) // 10 * 10),
                     branch,
                     True, landline(rng), where.lon_text, where.lat_text])
    table = Table("public-libraries", "公共图书馆", [
        fld("library_id", "string", "编号"),
        fld("name", "string", "名称"),
        fld("library_type", "string", "类型", "公共图书馆、少儿图书馆或城市书房"),
        fld("grade", "string", "评估定级", "全国公共图书馆评估定级结果"),
        fld("district", "string", "所属区县"),
        fld("address", "string", "地址"),
        fld("open_hours", "string", "开放时间"),
        fld("collection", "number", "纸质藏书量", unit="万册"),
        fld("seats", "integer", "阅览座位数", unit="个"),
        fld("self_service", "boolean", "是否 24 小时自助"),
        fld("interlibrary", "boolean", "是否通借通还"),
        fld("phone", "string", "咨询电话"),
        LON, LAT,
    ], rows, primary_key=("library_id",))
    return Spec(
        "wlj-0002", "公共图书馆及城市书房",
        "全市公共图书馆、少儿图书馆和 24 小时城市书房的地址、开放时间、藏书量、座位数和服务方式。"
        "全市实行一卡通借通还，数据每年更新。",
        ("图书馆", "城市书房", "阅读", "公共文化"), "culture", "unconditional", "yearly",
        date(2026, 3, 18), date(2022, 4, 23), [table], office="公共服务科")
