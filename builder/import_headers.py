"""Headers nobody listed: which field a column name means by the words in it.

``COLUMN_ALIASES`` (builder.import_columns) lists spellings seen on real
portals, but every platform invents more: 资源标题, 信息资源名称, 上架日期,
资源发布/更新时间, 更新时限, 数源单位/数据提供单位, or the English keys of a
platform's JSON export (resourceName, orgName, releaseTime, dataUpdatePeriod).
This module reads such a header by its words — Chinese key words, and English
words split out of camelCase, snake_case or spaces — and names the field they
point to, or None. It is a fallback: an exact spelling always wins over a
guess (see ``plan_columns``), and the open type, themes, departments,
frequencies and formats are still checked against the column's values
(builder.import_detect), which win over any header.

The rules are ordered: the first that matches decides. Order matters where
words overlap — 部门电话 is a contact, not a department; 行业名称 a theme, not
a title; 主题标签 a theme, not keywords; 更新周期 a frequency, not a date.
"""

from __future__ import annotations

import re

_NOTHING = ""  # a rule that says: no field by the header
# (field, Chinese words any of which in the header means it, English words)
_RULES: tuple[tuple[str, tuple[str, ...], frozenset[str]], ...] = (
    ("source_url", ("网址", "链接"), frozenset({"url", "link", "href", "uri", "homepage"})),
    ("contact", ("电话", "邮箱", "联系", "邮件", "手机"),
     frozenset({"tel", "telephone", "phone", "mobile", "email", "mail", "contact"})),
    ("description", ("摘要", "描述", "简介", "内容介绍", "内容说明", "资源说明"),
     frozenset({"description", "desc", "remark", "remarks", "summary", "abstract", "intro",
                "introduction", "notes"})),
    ("update_frequency", ("频度", "频率", "周期", "时限", "频次"),
     frozenset({"frequency", "period", "cycle", "periodicity", "accrual"})),
    ("open_conditions", ("开放条件说明", "使用条件", "申请条件"), frozenset()),
    ("legal_basis", ("依据",), frozenset({"basis"})),
    ("last_updated", ("更新时间", "更新日期", "最近更新", "最后更新", "修改时间", "修改日期",
                      "更新于"),
     frozenset({"update", "updated", "modified", "modify", "changed"})),
    ("published", ("发布时间", "发布日期", "上线", "上架", "创建时间", "创建日期", "上传时间",
                   "上传日期", "出版日期", "公开日期", "开放日期", "开放时间", "挂接时间"),
     frozenset({"release", "released", "publish", "published", "issued", "create", "created",
                "online"})),
    ("formats", ("格式", "文件类型", "资源类型", "数据类型"),
     frozenset({"format", "formats", "filetype", "filetypes", "resourcetype", "datatype",
                "suffix", "extension"})),
    ("department", ("部门", "单位", "提供方", "机构", "数源", "来源", "委办局", "发布方", "责任方"),
     frozenset({"org", "organ", "organization", "organisation", "department", "dept",
                "source", "provider", "publisher", "agency", "owner"})),
    # An industry (行业, the national GB/T 4754 classes) is not a theme of the
    # catalogue: left to its values, which take it as the theme if they fit.
    (_NOTHING, ("行业",), frozenset({"industry", "sector"})),
    ("theme", ("主题", "领域", "分类", "专题", "类目"),
     frozenset({"theme", "topic", "category", "field", "domain", "group", "groups"})),
    ("keywords", ("标签", "关键字", "关键词"),
     frozenset({"label", "labels", "tag", "tags", "keyword", "keywords"})),
    ("open_type", ("开放属性", "开放状态", "开放等级", "开放类型", "公开属性", "开放方式", "是否开放",
                   "是否向社会开放"),
     frozenset({"open", "openness", "access"})),
    ("title", ("名称", "标题", "题名"), frozenset({"name", "title"})),
)

_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def english_words(header: str) -> list[str]:
    """The lower-case words of an English header: ``resourceName`` →
    ``["resource", "name"]``, ``update_time`` → ``["update", "time"]``."""
    return [w.casefold() for w in _CAMEL.findall(header)]


def guessed_field(header: str) -> str | None:
    """The import field the words of ``header`` point to, or None.

    >>> guessed_field("资源标题"), guessed_field("部门电话"), guessed_field("orgName")
    ('title', 'contact', 'department')
    """
    text = "".join(header.split()).strip("*＊:：")
    if not text:
        return None
    split = english_words(text)
    words = {*split, "".join(split)}  # resourceType is one word to its writer
    for name, chinese, english in _RULES:
        if any(word in text for word in chinese) or words & english:
            return name or None
    return None
