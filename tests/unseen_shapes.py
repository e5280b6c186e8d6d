"""Synthetic catalogues shaped like the exports of Chinese portals nobody
here has seen (issue 13): each function writes one file under a folder and
returns its path. The rows are invented (realistic Chinese values, no real
portal's data); every shape mixes unconditional, conditional and not-open
rows so the share of unconditional rows published can be measured with
``bench.real_catalogs``."""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import openpyxl

DEPARTMENTS = ("市发展和改革委员会", "市教育局", "市公安局", "市民政局", "市财政局",
               "市人力资源和社会保障局", "市自然资源和规划局", "市生态环境局",
               "市住房和城乡建设局", "市交通运输局", "市水务局", "市农业农村局",
               "市商务局", "市文化和旅游局", "市卫生健康委员会", "市市场监督管理局",
               "市统计局", "市医疗保障局", "市城市管理局", "市气象局")
THEMES = ("经济建设", "教育科技", "道路交通", "社会保障", "生态环境", "医疗卫生",
          "城建住房", "农业农村", "文化休闲", "市场监管", "公共安全", "财税金融")
SUBJECTS = ("企业登记信息", "学校名录", "公交线路", "养老机构名录", "空气质量监测",
            "医疗机构名录", "建设工程项目", "农产品价格", "旅游景区", "食品抽检结果",
            "停车场信息", "财政预算公开", "社会组织登记", "公共厕所分布", "充电桩分布",
            "体育场馆", "图书馆信息", "招投标公告", "水质监测", "药店名录")
FREQUENCIES = ("每年", "每月", "每季度", "每日", "实时", "不定期", "每周", "每半年")
FORMATS = (("xls", "csv"), ("json",), ("xlsx", "api"), ("csv", "json", "xml"), ("api",))
UNCONDITIONAL, CONDITIONAL, NOT_OPEN = "无条件开放", "有条件开放", "不予开放"


def base_rows(n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` invented datasets as plain values (open type as 无条件开放 etc.,
    dates as ``date``); shapes respell them."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        dept = DEPARTMENTS[i % len(DEPARTMENTS)]
        subject = SUBJECTS[rng.randrange(len(SUBJECTS))]
        published = date(2019, 1, 1) + timedelta(days=rng.randrange(1500))
        roll = rng.random()
        open_type = UNCONDITIONAL if roll < 0.65 else CONDITIONAL if roll < 0.92 else NOT_OPEN
        rows.append({
            "title": f"{dept.removeprefix('市')}{subject}{'' if i < len(SUBJECTS) else i}",
            "department": dept, "open_type": open_type,
            "theme": THEMES[rng.randrange(len(THEMES))],
            "frequency": FREQUENCIES[rng.randrange(len(FREQUENCIES))],
            "published": published,
            "updated": published + timedelta(days=rng.randrange(400)),
            "formats": FORMATS[rng.randrange(len(FORMATS))],
            "records": rng.randrange(10, 200000),
            "description": f"{dept}提供的{subject}，包括名称、地址、类别等字段。",
            "keywords": (subject[:2], subject[2:4]),
            "id": f"{rng.randrange(10**9, 10**10)}",
        })
    return rows


def _ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, 9, 30,
                        tzinfo=timezone(timedelta(hours=8))).timestamp() * 1000)


def _serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


def _csv(rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def beijing_csv_gbk(folder: Path) -> Path:
    """CSV in GBK: 数据名称 / 数据提供方 / 开放方式, dates 2023/6/12."""
    rows = base_rows(120, 1)
    head = ["序号", "数据名称", "数据提供方", "所属主题", "开放方式", "更新周期", "发布日期",
            "数据格式", "数据量", "摘要", "关键字"]
    body = [[i + 1, r["title"], r["department"], r["theme"], r["open_type"], r["frequency"],
             f"{r['published'].year}/{r['published'].month}/{r['published'].day}",
             ",".join(r["formats"]), r["records"], r["description"], ";".join(r["keywords"])]
            for i, r in enumerate(rows)]
    path = folder / "beijing.csv"
    path.write_bytes(_csv([head, *body]).encode("gbk"))
    return path


def guangdong_api_json(folder: Path) -> Path:
    """{"code":200,"data":{"list":[...]}} with pinyin/camelCase keys and
    epoch milliseconds."""
    rows = base_rows(150, 2)
    items = [{"resId": r["id"], "resTitle": r["title"], "officeName": r["department"],
              "openMode": r["open_type"], "subjectName": r["theme"],
              "updateCycle": r["frequency"], "releasedTime": _ms(r["published"]),
              "updateTime": _ms(r["updated"]), "resFormat": "/".join(r["formats"]),
              "dataCount": r["records"], "resAbstract": r["description"],
              "keyword": ",".join(r["keywords"])} for r in rows]
    path = folder / "guangdong.json"
    path.write_text(json.dumps({"code": 200, "msg": "操作成功",
                                "data": {"total": len(items), "list": items}},
                               ensure_ascii=False), encoding="utf-8")
    return path


def shandong_xlsx_merged(folder: Path) -> Path:
    """XLSX: a title row, a merged group-header row over two header rows,
    Excel dates, a footnote."""
    rows = base_rows(200, 3)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["山东省公共数据开放目录（2023年版）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=10)
    sheet.append(["基本信息", None, None, "开放信息", None, None, "更新信息", None, "资源信息",
                  None])
    for start, end in ((1, 3), (4, 6), (7, 8), (9, 10)):
        sheet.merge_cells(start_row=2, start_column=start, end_row=2, end_column=end)
    sheet.append(["目录名称", "提供单位", "数据领域", "开放类型", "开放条件", "共享方式",
                  "更新频率", "上线时间", "资源格式", "数据简介"])
    for r in rows:
        sheet.append([r["title"], r["department"], r["theme"], r["open_type"],
                      "" if r["open_type"] == UNCONDITIONAL else "需签订数据利用协议",
                      "文件下载", r["frequency"],
                      datetime(r["published"].year, r["published"].month, r["published"].day),
                      "、".join(r["formats"]), r["description"]])
    sheet.append(["注：本目录由省大数据局汇总。"])
    path = folder / "shandong.xlsx"
    book.save(path)
    return path


def shenzhen_records_coded(folder: Path) -> Path:
    """{"result":{"records":[...]}} with the open type as a numeric code and
    its legend in the header (开放类型（1-无条件开放，2-有条件开放，3-不予开放）)."""
    rows = base_rows(90, 4)
    code = {UNCONDITIONAL: 1, CONDITIONAL: 2, NOT_OPEN: 3}
    items = [{"目录名称": r["title"], "来源部门": r["department"],
              "开放类型（1-无条件开放，2-有条件开放，3-不予开放）": code[r["open_type"]],
              "主题分类": r["theme"], "更新频率": r["frequency"],
              "首次发布时间": r["published"].isoformat() + " 10:00:00",
              "数据更新时间": r["updated"].strftime("%Y%m%d"), "文件类型": list(r["formats"]),
              "记录数": r["records"], "描述": r["description"]} for r in rows]
    path = folder / "shenzhen.json"
    path.write_text(json.dumps({"result": {"total": len(items), "records": items}},
                               ensure_ascii=False), encoding="utf-8")
    return path


def coded_xlsx_legend_footnote(folder: Path) -> Path:
    """XLSX with open types as 1/2/3 and the legend as a footnote row."""
    rows = base_rows(80, 5)
    code = {UNCONDITIONAL: "1", CONDITIONAL: "2", NOT_OPEN: "3"}
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["数据集名称", "数源部门", "开放属性", "行业分类", "更新频度", "发布日期"])
    for r in rows:
        sheet.append([r["title"], r["department"], code[r["open_type"]], r["theme"],
                      r["frequency"], r["published"].isoformat()])
    sheet.append(["注：开放属性 1=无条件开放，2=有条件开放，3=不予开放"])
    path = folder / "coded_legend.xlsx"
    book.save(path)
    return path


def fujian_ndjson_english(folder: Path) -> Path:
    """One object per line, English keys, ISO dates with a zone."""
    rows = base_rows(100, 6)
    lines = [json.dumps({"identifier": r["id"], "title": r["title"], "publisher": r["department"],
                         "accessLevel": r["open_type"], "theme": r["theme"],
                         "accrualPeriodicity": r["frequency"],
                         "issued": r["published"].isoformat() + "T08:00:00+08:00",
                         "modified": r["updated"].isoformat() + "T08:00:00.000Z",
                         "distribution": [{"format": f.upper()} for f in r["formats"]],
                         "description": r["description"], "keyword": list(r["keywords"])},
                        ensure_ascii=False) for r in rows]
    path = folder / "fujian.ndjson"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def jiangsu_back_to_back(folder: Path) -> Path:
    """Objects back to back, Excel serial dates, full-width letters and
    zero-width characters in values."""
    rows = base_rows(110, 7)
    fw = str.maketrans("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
                       "ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ０１２３４５６７８９")
    items = [{"资源名称": r["title"] + "\u200b", "提供单位": "\ufeff" + r["department"],
              "开放属性": r["open_type"][:3] + "\u200b" + r["open_type"][3:],
              "所属领域": r["theme"], "更新频率": r["frequency"],
              "发布时间": _serial(r["published"]), "更新时间": _serial(r["updated"]),
              "数据格式": "，".join(r["formats"]).upper().translate(fw),
              "资源摘要": r["description"]} for r in rows]
    path = folder / "jiangsu.json"
    path.write_text("".join(json.dumps(i, ensure_ascii=False) for i in items), encoding="utf-8")
    return path


def hunan_csv_bom(folder: Path) -> Path:
    """CSV UTF-8 with BOM: 共享开放属性, dates 2023年6月12日."""
    rows = base_rows(140, 8)
    head = ["资源名称", "数源部门", "共享开放属性", "数据领域", "更新周期", "首次发布日期",
            "资源格式", "数据描述", "关键词"]
    body = [[r["title"], r["department"], r["open_type"], r["theme"], r["frequency"],
             f"{r['published'].year}年{r['published'].month}月{r['published'].day}日",
             "|".join(r["formats"]), r["description"], "、".join(r["keywords"])] for r in rows]
    path = folder / "hunan.csv"
    path.write_bytes(b"\xef\xbb\xbf" + _csv([head, *body]).encode("utf-8"))
    return path


def tianjin_xlsx_title(folder: Path) -> Path:
    """XLSX with two title lines, 上线时间 as 20230612 integers."""
    rows = base_rows(160, 9)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["天津市信息资源统一开放平台"])
    sheet.append(["数据集目录清单", None, None, "导出时间：2023-06-30"])
    sheet.append([])
    sheet.append(["数据集名称", "提供单位", "开放属性", "行业分类", "更新频度", "上线时间",
                  "文件类型", "记录数", "数据简介", "标签"])
    for r in rows:
        sheet.append([r["title"], r["department"], r["open_type"], r["theme"], r["frequency"],
                      int(r["published"].strftime("%Y%m%d")), ",".join(r["formats"]),
                      r["records"], r["description"], ",".join(r["keywords"])])
    path = folder / "tianjin.xlsx"
    book.save(path)
    return path


def wuhan_csv_spaces(folder: Path) -> Path:
    """CSV with stray (also full-width) spaces around headers and values,
    and one-character typos in some open types."""
    rows = base_rows(100, 10)
    head = [" 数据名称 ", "\u3000提供部门", "开放类型 ", " 所属主题", "更新频率", " 发布时间"]
    typos = {UNCONDITIONAL: ("无条件开放", "无条件开发", " 无条件开放\u3000"),
             CONDITIONAL: ("有条件开放",), NOT_OPEN: ("不予开放",)}
    body = [[f" {r['title']} ", f"\u3000{r['department']}",
             typos[r["open_type"]][i % len(typos[r["open_type"]])], f"{r['theme']} ",
             f" {r['frequency']}", f" {r['published'].isoformat()} "] for i, r in enumerate(rows)]
    path = folder / "wuhan.csv"
    path.write_text(_csv([head, *body]), encoding="utf-8")
    return path


def chengdu_nested_api(folder: Path) -> Path:
    """{"success":true,"data":{"records":[...]}} with nested objects (the
    department an object), English-ish keys, ISO date-times."""
    rows = base_rows(130, 11)
    items = [{"id": r["id"], "name": r["title"],
              "org": {"orgId": 100 + i % 20, "orgName": r["department"]},
              "openType": {"code": "01", "label": r["open_type"]},
              "topic": r["theme"], "updateFrequency": r["frequency"],
              "createTime": r["published"].isoformat() + "T10:11:12+08:00",
              "lastUpdateTime": r["updated"].isoformat() + " 10:11:12",
              "fileTypes": ",".join(r["formats"]), "summary": r["description"],
              "tags": [{"tagName": k} for k in r["keywords"]]} for i, r in enumerate(rows)]
    path = folder / "chengdu.json"
    path.write_text(json.dumps({"success": True, "data": {"records": items, "total": len(items),
                                                          "size": 10, "current": 1}},
                               ensure_ascii=False), encoding="utf-8")
    return path


def chongqing_gb18030_semicolon(folder: Path) -> Path:
    """CSV in GB18030 with ; as separator, 开放状态 as 普遍开放/依申请开放."""
    rows = base_rows(60, 12)
    spell = {UNCONDITIONAL: "普遍开放", CONDITIONAL: "依申请开放", NOT_OPEN: "不予开放"}
    head = ["数据集名称", "责任部门", "开放状态", "主题名称", "更新频率", "最后更新", "数据格式"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(head)
    for r in rows:
        writer.writerow([r["title"], r["department"], spell[r["open_type"]], r["theme"],
                         r["frequency"], r["updated"].strftime("%Y-%m-%d %H:%M:%S"),
                         ";".join(r["formats"])])
    path = folder / "chongqing.csv"
    path.write_bytes(buffer.getvalue().encode("gb18030"))
    return path


def national_english_csv(folder: Path) -> Path:
    """English headers (title, publisher, accessLevel, ...) in CSV."""
    rows = base_rows(70, 13)
    head = ["Title", "Publisher", "Access Level", "Category", "Update Frequency",
            "Release Date", "Last Modified", "Format", "Description", "Keywords"]
    body = [[r["title"], r["department"], r["open_type"], r["theme"], r["frequency"],
             r["published"].strftime("%Y/%m/%d"), r["updated"].isoformat(),
             ",".join(r["formats"]), r["description"], ",".join(r["keywords"])] for r in rows]
    path = folder / "national.csv"
    path.write_text(_csv([head, *body]), encoding="utf-8")
    return path


def guangzhou_pinyin_xlsx(folder: Path) -> Path:
    """XLSX whose headers are pinyin initials (sjmc, tgdw, kflx ...), as some
    database exports are: columns must be found by their values."""
    rows = base_rows(90, 14)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["sjmc", "tgdw", "kflx", "ssly", "gxpl", "fbsj", "sjgs"])
    for r in rows:
        sheet.append([r["title"], r["department"], r["open_type"], r["theme"], r["frequency"],
                      r["published"].isoformat(), ",".join(r["formats"])])
    path = folder / "guangzhou.xlsx"
    book.save(path)
    return path


def shared_open_combined(folder: Path) -> Path:
    """共享开放属性 stating sharing and opening in one cell (无条件共享/无条件开放)."""
    rows = base_rows(100, 25)
    both = {UNCONDITIONAL: "无条件共享/无条件开放", CONDITIONAL: "有条件共享；有条件开放",
            NOT_OPEN: "无条件共享 不予开放"}
    body = [[r["title"], r["department"], both[r["open_type"]], r["theme"], r["frequency"],
             r["published"].isoformat()] for r in rows]
    path = folder / "shared_open.csv"
    path.write_text(_csv([["信息资源名称", "信息资源提供方", "共享开放属性", "信息资源分类",
                           "更新周期", "发布日期"], *body]), encoding="utf-8")
    return path


def api_with_code_table(folder: Path) -> Path:
    """An API answer whose rows give the open type as a code and which
    carries the code table beside them ({"data": {"list": [...], "dict": ...}})."""
    rows = base_rows(90, 26)
    code = {UNCONDITIONAL: "1", CONDITIONAL: "2", NOT_OPEN: "3"}
    items = [{"catalogName": r["title"], "orgName": r["department"],
              "openType": code[r["open_type"]], "domainName": r["theme"],
              "updateCycle": r["frequency"], "publishDate": r["published"].isoformat()}
             for r in rows]
    path = folder / "code_table.json"
    path.write_text(json.dumps({"code": 200, "data": {"list": items, "dict": {
        "status": {"0": "停用", "1": "启用"},
        "openType": {"1": "无条件开放", "2": "有条件开放", "3": "不予开放"}}}},
        ensure_ascii=False), encoding="utf-8")
    return path


def instructions_sheet_first_xlsx(folder: Path) -> Path:
    """XLSX whose first sheet is the instructions (填表说明), the catalogue
    the second."""
    rows = base_rows(90, 32)
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "填表说明"
    for line in ("填表说明", "1. 开放属性填写无条件开放、有条件开放或不予开放",
                 "2. 日期格式为YYYY-MM-DD"):
        notes.append([line])
    sheet = book.create_sheet("数据目录")
    sheet.append(["数据名称", "数据提供方", "开放属性", "数据领域", "更新频率", "发布日期"])
    for r in rows:
        sheet.append([r["title"], r["department"], r["open_type"], r["theme"], r["frequency"],
                      r["published"].isoformat()])
    path = folder / "second_sheet.xlsx"
    book.save(path)
    return path


def fields_as_pairs_json(folder: Path) -> Path:
    """Each dataset a list of {"name": …, "value": …} fields."""
    rows = base_rows(60, 31)
    items = [{"id": r["id"], "fields": [
        {"name": name, "value": value} for name, value in (
            ("资源名称", r["title"]), ("提供部门", r["department"]),
            ("开放属性", r["open_type"]), ("所属领域", r["theme"]),
            ("更新周期", r["frequency"]), ("发布时间", r["published"].isoformat()))]}
        for r in rows]
    path = folder / "field_pairs.json"
    path.write_text(json.dumps({"data": items}, ensure_ascii=False), encoding="utf-8")
    return path


def keyed_by_id_json(folder: Path) -> Path:
    """The datasets keyed by their ids ({"data": {"1024": {...}, ...}}), not listed."""
    rows = base_rows(70, 33)
    items = {r["id"]: {"资源名称": r["title"], "提供单位": r["department"],
                       "开放属性": r["open_type"], "主题分类": r["theme"],
                       "更新频率": r["frequency"], "发布日期": r["published"].isoformat()}
             for r in rows}
    path = folder / "keyed.json"
    path.write_text(json.dumps({"code": 0, "data": items}, ensure_ascii=False), encoding="utf-8")
    return path


SHAPES: dict[str, Callable[[Path], Path]] = {
    f.__name__: f for f in (
        beijing_csv_gbk, guangdong_api_json, shandong_xlsx_merged, shenzhen_records_coded,
        coded_xlsx_legend_footnote, fujian_ndjson_english, jiangsu_back_to_back, hunan_csv_bom,
        tianjin_xlsx_title, wuhan_csv_spaces, chengdu_nested_api, chongqing_gb18030_semicolon,
        national_english_csv, guangzhou_pinyin_xlsx, shared_open_combined,
        api_with_code_table, instructions_sheet_first_xlsx, fields_as_pairs_json,
        keyed_by_id_json)}
# Rows each shape writes (its base_rows count).
SHAPE_ROWS = {"beijing_csv_gbk": 120, "guangdong_api_json": 150, "shandong_xlsx_merged": 200,
              "shenzhen_records_coded": 90, "coded_xlsx_legend_footnote": 80,
              "fujian_ndjson_english": 100, "jiangsu_back_to_back": 110, "hunan_csv_bom": 140,
              "tianjin_xlsx_title": 160, "wuhan_csv_spaces": 100, "chengdu_nested_api": 130,
              "chongqing_gb18030_semicolon": 60, "national_english_csv": 70,
              "guangzhou_pinyin_xlsx": 90, "shared_open_combined": 100,
              "api_with_code_table": 90, "instructions_sheet_first_xlsx": 90,
              "fields_as_pairs_json": 60, "keyed_by_id_json": 70}
