"""Search benchmark: `python -m bench.search_bench [--sizes 10000 100000]`.

For each size N it generates N synthetic public records (``make_records``,
deterministic, not timed), then measures with the embedded engine, in process:

  build     index() into an empty SQLite file (segmentation, FTS, facets);
  noop      index() again with the same records (hash comparison only);
  one       index() after one record's title changed;
  queries   latency p50/p95/p99 of a realistic query mix, every query with
            all six facets (each query run once, after one warm-up pass),
            wall-clock and CPU time of this process (time.process_time,
            which other processes' load disturbs far less);

and side by side Datasette's own full-text search (its default FTS5 table on
title and summary, queried through its JSON API on 127.0.0.1) for the same
queries: latency over HTTP and how many rows each finds. Datasette's timings
include an HTTP round trip on loopback and return no facets, so they are a
reference for "what does an unsegmented FTS find", not a fair race.

``make_records(n, seed)`` is importable: the API's HTTP throughput benchmark
uses it. Work happens under bench/out/ (git-ignored).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out" / "search"

# Departments of a fictional city, each with the subjects its data is about.
# (code, name, theme, subjects)
DEPARTMENTS: list[tuple[str, str, str, list[str]]] = [
    ("jtj", "云河市交通运输局", "transport",
     ["公交站点", "公交线路", "地铁站点", "出租车", "网约车", "公共停车场", "道路运输企业", "客运站",
      "货运车辆", "驾驶员培训机构", "公路里程", "桥梁", "隧道", "充电桩", "共享单车停放点",
      "港口码头", "航道", "机动车维修企业", "交通流量", "公交刷卡"]),
    ("gaj", "云河市公安局", "safety",
     ["派出所", "交通违法", "户籍人口", "出入境办证点", "机动车保有量", "驾驶证", "交通事故",
      "治安案件", "电子警察点位", "车辆管理所", "居住证", "消防站"]),
    ("wjw", "云河市卫生健康委员会", "health",
     ["医院", "医疗机构", "社区卫生服务中心", "诊所", "卫生院", "疫苗接种点", "传染病疫情",
      "发热门诊", "核酸检测点", "妇幼保健机构", "献血点", "床位", "执业医师", "急救站点",
      "健康体检机构", "计划生育"]),
    ("jyj", "云河市教育局", "education",
     ["幼儿园", "中小学校", "高等学校", "职业学校", "培训机构", "学区划分", "招生计划",
      "教师资格", "校车", "学位", "特殊教育学校", "考点", "义务教育"]),
    ("sjj", "云河市市场监督管理局", "market",
     ["企业登记", "营业执照", "个体工商户", "食品经营许可", "药品零售企业", "药店", "特种设备",
      "产品质量抽检", "商标", "广告监测", "计量器具", "农贸市场", "企业年报", "经营异常名录",
      "餐饮服务单位", "医疗器械经营"]),
    ("xyb", "云河市发展和改革委员会", "credit",
     ["行政许可", "行政处罚", "信用承诺", "守信激励", "失信被执行人", "重点项目", "价格监测",
      "粮食储备", "政府投资项目", "招标投标", "信用评价"]),
    ("hbj", "云河市生态环境局", "environment",
     ["空气质量", "水质", "噪声", "重点排污单位", "环境影响评价", "饮用水水源地", "污染源",
      "土壤环境", "辐射安全许可", "机动车尾气", "河流断面", "扬尘监测", "危险废物"]),
    ("rsj", "云河市人力资源和社会保障局", "employment",
     ["招聘会", "就业岗位", "职业技能培训", "社会保险", "养老保险", "失业保险", "工伤认定",
      "劳动仲裁", "人才引进", "最低工资标准", "社保经办网点", "技能等级证书", "创业补贴"]),
    ("ybj", "云河市医疗保障局", "health",
     ["医保定点医疗机构", "医保定点药店", "医保目录", "医疗保险", "药品集中采购", "医保结算",
      "异地就医", "门诊慢特病"]),
    ("zjj", "云河市住房和城乡建设局", "urban",
     ["商品房预售许可", "保障性住房", "公租房", "建筑施工企业", "物业服务企业", "房屋租赁",
      "燃气供应", "供水管网", "老旧小区改造", "建设工程", "公共厕所", "城市道路", "路灯",
      "二手房交易", "住房公积金"]),
    ("mzj", "云河市民政局", "social",
     ["养老机构", "社区养老服务", "低保", "特困人员", "社会组织", "婚姻登记", "殡葬服务",
      "地名", "慈善组织", "儿童福利", "残疾人补贴", "社区服务中心", "救助站"]),
    ("tjj", "云河市统计局", "statistics",
     ["地区生产总值", "常住人口", "居民消费价格", "工业增加值", "社会消费品零售总额",
      "固定资产投资", "居民人均可支配收入", "统计年鉴", "规模以上工业", "城镇化率"]),
    ("yjj", "云河市应急管理局", "safety",
     ["应急避难场所", "应急物资储备", "安全生产许可", "危险化学品企业", "防汛", "自然灾害",
      "救援队伍", "烟花爆竹经营", "地震监测", "森林火险"]),
    ("wlj", "云河市文化广电旅游局", "culture",
     ["旅游景区", "星级酒店", "旅行社", "图书馆", "博物馆", "文化馆", "文物保护单位",
      "体育场馆", "演出场所", "网吧", "非物质文化遗产", "游客接待量", "影剧院"]),
    ("zrzyj", "云河市自然资源和规划局", "urban",
     ["不动产登记", "土地供应", "规划许可", "建设用地", "耕地保护", "地质灾害隐患点",
      "矿产资源", "测绘成果", "国土空间规划", "林地"]),
    ("swj", "云河市水务局", "environment",
     ["水库", "河道", "排水设施", "供水企业", "用水量", "水文监测", "取水许可", "节水",
      "雨量站", "污水处理厂"]),
    ("nyj", "云河市农业农村局", "economy",
     ["农产品质量", "农业合作社", "家庭农场", "种子经营", "农机", "动物防疫", "农药经营",
      "高标准农田", "渔业", "惠农补贴"]),
    ("swuj", "云河市商务局", "economy",
     ["外贸进出口", "外商投资企业", "商业网点", "成品油经营", "农贸市场", "二手车交易",
      "菜市场", "便利店", "报废机动车回收"]),
    ("czj", "云河市财政局", "economy",
     ["财政预算", "财政决算", "政府采购", "政府债务", "专项资金", "非税收入", "三公经费"]),
    ("swb", "云河市税务局", "economy",
     ["纳税信用", "税收收入", "办税服务厅", "发票", "重大税收违法案件"]),
    ("sfj", "云河市司法局", "law",
     ["律师事务所", "公证机构", "法律援助", "人民调解", "司法鉴定机构", "行政复议",
      "法律服务"]),
    ("kjj", "云河市科学技术局", "education",
     ["高新技术企业", "科技项目", "科技型中小企业", "专利", "研发机构", "技术合同",
      "众创空间", "孵化器"]),
    ("gxj", "云河市工业和信息化局", "economy",
     ["工业企业", "专精特新", "通信基站", "5G基站", "工业园区", "能耗", "软件企业"]),
    ("sjfb", "云河市大数据发展管理局", "economy",
     ["政务服务事项", "公共数据目录", "数据开放", "政务热线", "办件量", "电子证照"]),
    ("cgj", "云河市城市管理局", "urban",
     ["垃圾分类", "环卫设施", "户外广告", "城市绿地", "公园", "停车泊位", "渣土运输",
      "市容环境"]),
    ("tyj", "云河市体育局", "culture",
     ["全民健身", "健身路径", "体育赛事", "社会体育指导员", "体育彩票"]),
    ("qxj", "云河市气象局", "geo",
     ["天气预报", "气象站", "降水量", "气温", "台风", "灾害预警"]),
    ("dzj", "云河市档案馆", "culture", ["档案", "馆藏目录", "史志"]),
    ("lhj", "云河市林业和园林局", "environment", ["古树名木", "林业有害生物", "湿地", "绿道"]),
]
REGIONS = [("990100", "云河市"), ("990102", "新城区"), ("990103", "老城区"), ("990111", "江北区"),
           ("990112", "河东区"), ("990113", "南湖区"), ("990114", "西岭区"), ("990115", "高新区"),
           ("990116", "经开区"), ("990117", "临港新区"), ("990121", "云山县"), ("990122", "青石县"),
           ("990123", "白沙县"), ("990124", "北塘县")]
THEME_NAMES = {"transport": "交通出行", "safety": "公共安全", "health": "医疗卫生",
               "education": "教育科技", "market": "市场监管", "credit": "信用服务",
               "environment": "资源环境", "employment": "社保就业", "urban": "城市建设",
               "social": "民生服务", "statistics": "统计数据", "culture": "文化休闲",
               "economy": "经济建设", "law": "法律服务", "geo": "地理空间"}
FREQUENCIES = [("realtime", "实时"), ("daily", "每日"), ("weekly", "每周"), ("monthly", "每月"),
               ("quarterly", "每季度"), ("semiannual", "每半年"), ("yearly", "每年"),
               ("irregular", "不定期"), ("static", "静态数据")]
FORMATS = ["csv", "xlsx", "json", "xml", "rdf", "shp", "pdf", "api"]
SUFFIXES = ["信息", "名录", "统计", "分布", "公示", "监测数据", "基本情况", "年度报告", "明细",
            "清单", "目录", "汇总", "台账", "一览表", "实时数据", "备案信息", "变更记录", "点位",
            "情况", "数据", "信息公开", "服务网点", "查询", "月报", "季报", "年报", "指标",
            "评价结果", "检查结果", "办理情况"]
QUALIFIERS = ["", "", "", "", "全市", "新增", "在册", "注销", "历年", "重点", "城乡", "农村",
              "社区", "年度", "季度", "月度", "已备案", "撤销", "民营", "国有", "市属"]
FIELDS = ["名称", "地址", "经度", "纬度", "联系电话", "统一社会信用代码", "法定代表人", "许可证编号",
          "有效期", "发证机关", "床位数", "泊位数", "营业时间", "所属街道", "行政区划", "负责人",
          "成立日期", "注册资本", "经营范围", "登记状态", "监测时间", "监测值", "污染物浓度",
          "线路名称", "站点名称", "首班时间", "末班时间", "票价", "车辆数", "从业人数", "服务对象",
          "收费标准", "办理时限", "办理地点", "咨询电话", "开放时间", "面积", "建成年份", "等级",
          "类别", "处罚事由", "处罚依据", "处罚结果", "处罚决定日期", "许可内容", "许可决定日期",
          "项目名称", "建设单位", "投资额", "开工日期", "竣工日期", "岗位名称", "招聘人数",
          "学历要求", "薪资待遇", "学校名称", "办学性质", "招生范围", "在校生人数", "教职工人数",
          "医院等级", "科室设置", "门诊量", "住院人次", "药品名称", "价格", "规格", "生产企业",
          "产品名称", "抽检结果", "检验机构", "年份", "季度", "月份", "指标名称", "指标值",
          "计量单位", "同比增长", "环比增长", "人口数", "户数", "性别比例", "年龄结构"]
SENTENCES = [
    "数据由{dept}按{freq}更新，来源于业务系统。",
    "可用于{use}等场景。",
    "本数据集覆盖{region}范围，{year}年起持续归集。",
    "数据经过脱敏处理，不含个人隐私信息。",
    "为便于社会公众查询{subject}情况，现予以公开。",
    "依据相关规定对{subject}进行{action}，结果向社会公示。",
    "历史数据可追溯至{year}年，部分字段自{year2}年起采集。",
    "坐标采用CGCS2000国家大地坐标系。",
    "如发现数据有误，可通过政务热线反馈。",
    "与{other}数据关联使用效果更佳。",
]
USES = ["便民查询", "出行规划", "选址分析", "学术研究", "信用评价", "普惠金融", "城市治理",
        "应急处置", "产业分析", "导航地图", "政策评估", "社会监督", "商业决策"]
ACTIONS = ["监督检查", "年度考核", "备案登记", "动态管理", "抽样检测", "评估认定"]


# Big departments publish more: weight 1/sqrt(rank).
DEPARTMENT_WEIGHTS = [1 / (rank + 1) ** 0.5 for rank in range(len(DEPARTMENTS))]


def make_records(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` synthetic public records shaped like catalog.json's entries (``PublicRecord.to_json``).

    Titles and summaries combine about 330 subjects, 30 title suffixes, 26
    qualifiers, 14 regions, 80 field names and sentence templates, so that at
    100,000 records few are near-duplicates and common words (公交, 医院,
    信息) match hundreds to tens of thousands of records. Deterministic for a
    given ``seed``.
    """
    rng = random.Random(seed)
    all_subjects = [s for d in DEPARTMENTS for s in d[3]]
    records = []
    for i in range(n):
        code, dept_name, theme, subjects = rng.choices(DEPARTMENTS, DEPARTMENT_WEIGHTS)[0]
        subject = rng.choice(subjects)
        region_code, region_name = REGIONS[0] if rng.random() < 0.4 else rng.choice(REGIONS)
        qualifier = rng.choice(QUALIFIERS)
        suffix = rng.choice(SUFFIXES)
        year = rng.randint(2015, 2026)
        prefix = "" if region_code == "990100" and rng.random() < 0.5 else region_name
        title = f"{prefix}{qualifier}{subject}{suffix}"
        if rng.random() < 0.15:
            title = f"{year}年{title}"
        freq_code, freq_name = rng.choice(FREQUENCIES)
        fields = rng.sample(FIELDS, rng.randint(3, 6))
        short = dept_name.removeprefix("云河市")
        parts = [f"{short}发布的{region_name}{subject}{suffix}，包含{'、'.join(fields[:-1])}"
                 f"和{fields[-1]}等{len(fields) + rng.randint(0, 8)}项信息。"]
        for template in rng.sample(SENTENCES, rng.randint(1, 3)):
            parts.append(template.format(
                dept=short, freq=freq_name, use=rng.choice(USES), region=region_name,
                year=year, year2=min(2026, year + rng.randint(1, 5)), subject=subject,
                action=rng.choice(ACTIONS), other=rng.choice(all_subjects)))
        summary = "".join(parts)
        keywords = list(dict.fromkeys([subject, rng.choice(subjects), THEME_NAMES[theme]]
                                      + ([region_name] if prefix else [])))
        open_type = "conditional" if rng.random() < 0.2 else "unconditional"
        formats = sorted(set(rng.sample(FORMATS, rng.randint(1, 3)))
                         | ({"csv"} if rng.random() < 0.6 else set()))
        status = "active" if rng.random() < 0.95 else rng.choice(["withdrawn", "invalid"])
        last_updated = (None if rng.random() < 0.02 else
                        f"{rng.randint(max(year, 2019), 2026)}-{rng.randint(1, 12):02d}-"
                        f"{rng.randint(1, 28):02d}")
        freshness = (rng.choice(["current", "current", "current", "due", "overdue"])
                     if status == "active" else "retired")
        identifier = f"{code}-{i:06d}"
        records.append({
            "id": identifier, "title": title, "summary": summary, "keywords": keywords,
            "department": code, "department_name": dept_name,
            "theme": theme, "theme_name": THEME_NAMES[theme],
            "region": region_code, "region_name": region_name,
            "open_type": open_type,
            "open_type_name": "有条件开放" if open_type == "conditional" else "无条件开放",
            "formats": formats, "provision": ["download"],
            "update_frequency": freq_code, "update_frequency_name": freq_name,
            "last_updated": last_updated, "published": f"{year}-01-01", "freshness": freshness,
            "level": "L2" if open_type == "conditional" else "L1", "level_name": "",
            "open_conditions": "仅限科研用途，需签署数据使用承诺书。"
            if open_type == "conditional" else "",
            "legal_basis": "", "usage_requirements": "",
            "contact": {"name": short, "phone": "0990-12345678", "email": ""},
            "status": status, "emergency": None, "withdrawal": None, "invalidation": None,
            "licence": "", "licence_id": "", "licence_url": "", "not_in_source": [],
            "data_public": open_type == "unconditional", "files_held": True,
            "url": f"datasets/{identifier}/", "temporal": None,
            "quality": {"score": 60, "criteria": [
                {"key": "machine_readable", "label": "提供机器可读格式", "passed": True}]},
        })
    return records


# A realistic mix: what citizens type (common two-character words matching
# thousands of records at 100k, longer names, two-word queries, a synonym, a
# pinyin query, a question), with and without filters and sorts, and listings.
MIX: list[tuple[str, dict[str, tuple[str, ...]], str, int]] = [
    *((q, {}, "relevance", 1) for q in [
        "公交", "医院", "交通", "学校", "企业", "养老", "停车", "招聘", "环境", "许可", "处罚",
        "教育", "旅游", "社保", "住房", "医保", "药店", "公园", "水质", "税务", "幼儿园",
        "充电桩", "营业执照", "空气质量", "行政处罚", "图书馆", "体育场馆", "应急避难场所",
        "垃圾分类", "不动产登记", "高新技术企业", "失信被执行人", "食品经营许可", "公共厕所",
        "公交 线路", "江北区 幼儿园", "医院 床位", "企业 信用", "停车场 收费标准",
        "新城区 养老机构", "2024年 统计", "学校 招生", "公共交通", "巴士", "gongjiao", "地铁",
        "江北区有哪些幼儿园", "数据"]),
    ("公交", {"department": ("jtj",)}, "relevance", 1),
    ("医院", {"open_type": ("unconditional",), "format": ("csv",)}, "relevance", 1),
    ("企业", {"theme": ("market", "credit")}, "relevance", 2),
    ("许可", {}, "name", 1),
    ("企业", {}, "updated", 3),
    ("交通", {"region": ("990111",)}, "updated", 1),
    ("", {}, "relevance", 1),
    ("", {"department": ("wjw",)}, "relevance", 1),
    ("", {"theme": ("health",), "format": ("xlsx", "json")}, "relevance", 1),
    ("", {"region": ("990111",)}, "name", 1),
    ("", {"update_frequency": ("daily",), "open_type": ("conditional",)}, "updated", 5),
    ("", {}, "name", 20),
]


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def fmt_load(load: Sequence[float]) -> str:
    """A load average triple as /proc/loadavg prints it."""
    return " ".join(f"{x:.2f}" for x in load)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def datasette_db(path: Path, records: Sequence[dict[str, Any]]) -> Path:
    """An SQLite file the way sqlite-utils ``enable-fts`` makes it: a
    ``datasets`` table and an FTS5 table ``datasets_fts`` (content=datasets)
    on title and summary, with FTS5's default tokenizer (unicode61)."""
    if path.exists():
        path.unlink()
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE datasets (id TEXT PRIMARY KEY, title TEXT, summary TEXT, "
                 "department TEXT, theme TEXT, last_updated TEXT)")
    conn.executemany("INSERT INTO datasets VALUES (?, ?, ?, ?, ?, ?)",
                     [(r["id"], r["title"], r["summary"], r.get("department"), r.get("theme"),
                       r.get("last_updated")) for r in records])
    conn.execute("CREATE VIRTUAL TABLE datasets_fts USING FTS5 (title, summary, "
                 "content=[datasets])")
    conn.execute("INSERT INTO datasets_fts (rowid, title, summary) "
                 "SELECT rowid, title, summary FROM datasets")
    conn.commit()
    conn.close()
    return path


@contextmanager
def datasette(db: Path) -> Iterator[str]:
    """Run ``datasette serve db`` on a free loopback port; yield its base URL.
    Stops the server (only the process started here) on exit."""
    port = free_port()
    exe = Path(sys.executable).with_name("datasette")
    proc = subprocess.Popen(
        [str(exe), "serve", str(db), "--host", "127.0.0.1", "--port", str(port),
         "--setting", "sql_time_limit_ms", "10000", "--setting", "facet_time_limit_ms", "10"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=10).read()
                break
            except (urllib.error.URLError, OSError):  # refused, or slow to answer
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("datasette did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def datasette_search(base: str, db_name: str, q: str, size: int = 10) -> tuple[list[str], int]:
    """Ids of Datasette's first ``size`` full-text hits for ``q`` (its
    default search mode, ranked) and its count of matching rows."""
    url = (f"{base}/{db_name}/datasets.json?" +
           urllib.parse.urlencode({"_search": q, "_size": size, "_shape": "objects"}))
    import json

    with urllib.request.urlopen(url, timeout=30) as response:
        data = json.loads(response.read())
    rows = data.get("rows") or []
    return [str(r["id"]) for r in rows], int(data.get("filtered_table_rows_count") or 0)


def timed(engine: Any, queries: Sequence[Any], passes: int,
          terms: bool) -> tuple[list[float], list[float], list[list[float]]]:
    """Run every query ``passes`` times with the engine's caches cleared
    before each (``terms``: the common terms' record sets too): wall-clock
    ms, CPU ms of this process (time.process_time, less sensitive to other
    processes' load) and the wall-clock ms per query."""
    wall: list[float] = []
    cpu: list[float] = []
    per_query: list[list[float]] = [[] for _ in queries]
    for _ in range(passes):
        for i, query in enumerate(queries):
            engine.clear_caches(terms=terms)
            started, cpu_started = time.perf_counter(), time.process_time()
            engine.search(query)
            cpu.append((time.process_time() - cpu_started) * 1000)
            elapsed = (time.perf_counter() - started) * 1000
            wall.append(elapsed)
            per_query[i].append(elapsed)
    return wall, cpu, per_query


def bench_size(n: int, passes: int = 3) -> dict[str, Any]:
    """Measure one catalogue size; returns the figures printed by ``main``."""
    from search_api.engine import SearchQuery, load_synonyms
    from search_api.engine.embedded import EmbeddedEngine

    folder = OUT / str(n)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    records = make_records(n)
    engine = EmbeddedEngine(folder / "search.sqlite3", synonyms=load_synonyms({}))
    out: dict[str, Any] = {"n": n}
    started = time.perf_counter()
    engine.index(records)
    out["build"] = time.perf_counter() - started
    out["db_mb"] = (folder / "search.sqlite3").stat().st_size / 1e6
    out["noop"] = engine.index(records).seconds
    records[n // 2] = dict(records[n // 2], title=records[n // 2]["title"] + "（修订）")
    one = engine.index(records)
    assert one.updated == 1, one
    out["one"] = one.seconds

    queries = [SearchQuery(q=q, filters=f, sort=s, page=p) for q, f, s, p in MIX]
    totals = [engine.search(query).total for query in queries]  # warm-up
    out["load_before"] = os.getloadavg()
    # "cold": answers, match sets and facet counts cleared before each query;
    # the record sets of common terms (terms.py) are kept, as a serving
    # process keeps them for the index generation. "first touch": those too.
    cold, cold_cpu, per_query = timed(engine, queries, passes, terms=False)
    first, first_cpu, _ = timed(engine, queries, passes, terms=True)
    warm = []
    for query in queries:
        started = time.perf_counter()
        engine.search(query)
        warm.append((time.perf_counter() - started) * 1000)
    out["load_after"] = os.getloadavg()
    out["cold"], out["cold_cpu"] = cold, cold_cpu
    out["first"], out["first_cpu"] = first, first_cpu
    out["warm"] = warm
    out["slowest"] = sorted(((max(v), q.q or "(all)", t)
                             for q, v, t in zip(queries, per_query, totals, strict=True)),
                            reverse=True)[:5]
    out["matches"] = sorted(t for q, t in zip(queries, totals, strict=True) if q.q)
    engine.close()

    # Datasette: the same free-text queries, its own FTS over title and summary.
    db = datasette_db(folder / "datasette.db", records)
    text_queries = [q for q in dict.fromkeys(q.q for q in queries) if q]
    ds_times: list[float] = []
    ds_found: int = 0
    ds_hits = []
    with datasette(db) as base:
        for q in text_queries:  # warm-up
            datasette_search(base, db.stem, q)
        for q in text_queries:
            started = time.perf_counter()
            _, count = datasette_search(base, db.stem, q)
            ds_times.append((time.perf_counter() - started) * 1000)
            ds_found += int(count > 0)
            ds_hits.append(count)
    out["ds_times"] = ds_times
    out["ds_nonempty"] = (ds_found, len(text_queries))
    out["ds_hits_median"] = sorted(ds_hits)[len(ds_hits) // 2]
    first_total: dict[str, int] = {}
    for query, total in zip(queries, totals, strict=True):
        first_total.setdefault(query.q, total)
    out["our_nonempty"] = (sum(1 for q in text_queries if first_total[q] > 0), len(text_queries))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--passes", type=int, default=3,
                        help="timed passes over the query mix (default 3)")
    args = parser.parse_args(argv)
    print(f"query mix: {len(MIX)} queries × {args.passes} passes, each with all six facets; "
          "'cold' clears the engine's caches (matches, facet counts, answers) before every "
          "query but keeps the record sets of common terms; 'first touch' clears those too; "
          f"CPU ms = time.process_time per query; cpus={os.cpu_count()}")
    print(f"load average at start: {fmt_load(os.getloadavg())}")
    for n in args.sizes:
        r = bench_size(n, args.passes)
        print(f"\nN = {n:,}   index: build {r['build']:.1f} s, no-op {r['noop']:.2f} s, "
              f"one changed {r['one']:.2f} s; database {r['db_mb']:.0f} MB")
        print(f"  {'engine':<28} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}  found")
        print(f"  load average before {fmt_load(r['load_before'])}, "
              f"after {fmt_load(r['load_after'])}")
        for name, times in (("embedded, cold", r["cold"]), ("  CPU ms", r["cold_cpu"]),
                            ("embedded, first touch", r["first"]),
                            ("  CPU ms", r["first_cpu"]), ("embedded, warm cache", r["warm"]),
                            ("datasette FTS (HTTP)", r["ds_times"])):
            found = (f"{r['ds_nonempty'][0]}/{r['ds_nonempty'][1]} queries found anything"
                     if name.startswith("datasette") else "" if name.strip() == "CPU ms"
                     else f"{r['our_nonempty'][0]}/{r['our_nonempty'][1]} queries found anything")
            print(f"  {name:<28} {percentile(times, 50):8.2f} {percentile(times, 95):8.2f} "
                  f"{percentile(times, 99):8.2f} {max(times):8.2f}  {found}")
        m = r["matches"]
        print(f"  matches per text query (embedded): median {m[len(m) // 2]:,}, max {m[-1]:,}; "
              f"datasette median {r['ds_hits_median']:,}")
        print("  slowest (cold, ms / query / matches): " + "; ".join(
            f"{t:.1f} {q} {n:,}" for t, q, n in r["slowest"]))
    print(f"\nload average at end: {fmt_load(os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
