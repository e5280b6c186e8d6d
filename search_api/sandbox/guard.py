"""What a sandbox query may be, checked twice.

1. :func:`check_query` parses the text with sqlglot (SQLite dialect): one
   statement, a SELECT (or a UNION of them), reading approved tables only.
   Where raw rows may not leave (原始明细不得带出) it must be one aggregate
   SELECT over one table (no join, subquery, CTE, set operation or window
   function; every output column an aggregate of COUNT, SUM or AVG
   over a plain column, or a GROUP BY expression); the query is then
   rewritten to also count each group's rows, so that small groups can be
   suppressed. MIN and MAX are refused there (each returns one row's own
   value), and so is an aggregate of an expression
   (``SUM(IIF(name = '…', amount, 0))`` picks one row out of a big group).
   What no check of one query stops is differencing two queries whose groups
   differ by one row; the query log and the supervision of approved use are
   the control for that (docs/service.md says so).
2. :class:`Authorizer` is SQLite's authorizer callback on the connection
   that runs it: reads of approved tables and columns and a list of plain
   functions only, everything else denied (so a text sqlglot misreads still
   cannot write, attach, change a pragma or read another column).

Every refusal is a :class:`QueryRefused` with a Chinese message.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping

import sqlglot
from sqlglot import exp

GROUP_SIZE = "_sandbox_group_size_"
AGGREGATES = ("count", "sum", "avg", "min", "max", "total")
# Where raw rows may not leave: aggregates that never return one row's value.
SAFE_AGGREGATES = ("count", "sum", "avg")
FUNCTIONS = frozenset({
    *AGGREGATES, "abs", "round", "length", "lower", "upper", "substr", "substring", "trim",
    "ltrim", "rtrim", "replace", "instr", "coalesce", "ifnull", "nullif", "iif", "cast",
    "date", "time", "datetime", "strftime", "julianday", "min", "max", "typeof", "like",
    "glob", "printf", "format",
})
MAX_SQL = 10_000


class QueryRefused(ValueError):
    """The query is not allowed in this sandbox; the message (Chinese) says why."""


def _tables_of(tree: exp.Expression) -> set[str]:
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    return {t.name for t in tree.find_all(exp.Table)} - ctes


def check_query(sql: str, tables: Mapping[str, frozenset[str]], *, aggregate_only: bool) -> str:
    """The SQL to run for ``sql`` (rewritten to count group sizes when
    ``aggregate_only``).

    Raises:
        QueryRefused: see the module.
    """
    if not sql.strip():
        raise QueryRefused("请在请求体的 sql 中写一条 SELECT 查询语句。")
    if len(sql) > MAX_SQL:
        raise QueryRefused(f"查询语句过长（上限 {MAX_SQL} 个字符）。")
    try:
        statements = [s for s in sqlglot.parse(sql, read="sqlite") if s is not None]
    except sqlglot.errors.SqlglotError:
        raise QueryRefused("查询语句无法解析，请检查 SQL 语法（SQLite 方言）。") from None
    if len(statements) != 1:
        raise QueryRefused("每次只能执行一条查询语句。")
    tree = statements[0]
    if not isinstance(tree, exp.Select | exp.SetOperation):
        raise QueryRefused("数据沙箱只允许只读的 SELECT 查询，不能修改、删除或新建数据。")
    unknown = sorted(_tables_of(tree) - set(tables))
    if unknown:
        raise QueryRefused(f"没有获准查询的表“{unknown[0][:60]}”。获准的表：{'、'.join(tables)}。")
    if not aggregate_only:
        return tree.sql(dialect="sqlite")
    return _aggregate(tree, tables).sql(dialect="sqlite")


RAW_ONLY = ("获批条件为原始明细不得带出：只能对一张表做汇总查询（COUNT、SUM、AVG），"
            "汇总函数里只能写列名，每个输出列须为汇总值或 GROUP BY 的分组项；")


def _aggregate(tree: exp.Expression, tables: Mapping[str, frozenset[str]]) -> exp.Select:
    if not isinstance(tree, exp.Select):
        raise QueryRefused(RAW_ONLY + "不能使用 UNION 等集合运算。")
    if tree.find(exp.Join) or tree.find(exp.With) or tree.find(exp.Window) \
            or any(s is not tree for s in tree.find_all(exp.Select)):
        raise QueryRefused(RAW_ONLY + "不能使用连接、子查询、WITH 或窗口函数。")
    if len(_tables_of(tree)) != 1:
        raise QueryRefused(RAW_ONLY + "请在 FROM 中写一张获准的表。")
    for agg in tree.find_all(exp.AggFunc):
        _check_aggregate(agg)
    group = tree.args.get("group")
    grouped = [g.sql(dialect="sqlite") for g in (group.expressions if group else [])]
    for position, projection in enumerate(tree.expressions, start=1):
        if projection.alias_or_name == GROUP_SIZE:
            raise QueryRefused(f"列名 {GROUP_SIZE} 保留给平台使用。")
        inner = projection.unalias()
        if isinstance(inner, exp.Star) or inner.find(exp.Star) and not inner.find(exp.AggFunc):
            raise QueryRefused(RAW_ONLY + "不能使用 SELECT *。")
        # An output counts as grouped by its own expression or its position,
        # never by its alias: SQLite reads a GROUP BY name as the table's
        # column first, so `name AS region ... GROUP BY region` would let
        # raw names out under the alias of a grouped column.
        names = (inner.sql(dialect="sqlite"), str(position))
        if any(n in grouped for n in names):
            continue
        loose = [c for c in inner.find_all(exp.Column) if not c.find_ancestor(exp.AggFunc)]
        if loose or not inner.find(exp.AggFunc):
            raise QueryRefused(RAW_ONLY + f"第 {position} 个输出列不是汇总值或分组项。")
    if tree.args.get("distinct"):
        raise QueryRefused(RAW_ONLY + "不能使用 SELECT DISTINCT。")
    return tree.select(exp.alias_(exp.Count(this=exp.Star()), GROUP_SIZE), copy=True)


def _check_aggregate(agg: exp.AggFunc) -> None:
    """One aggregate of an aggregate-only query: a safe function over a plain
    column, ``*``, a constant or ``DISTINCT column``."""
    if agg.key in ("min", "max"):
        raise QueryRefused(RAW_ONLY + f"不能使用 {agg.key.upper()} 函数：最大值、最小值就是某一行的原始数值。")
    if agg.key not in SAFE_AGGREGATES:
        raise QueryRefused(RAW_ONLY + f"不能使用 {agg.key.upper()} 函数。")
    argument = agg.this
    if isinstance(argument, exp.Distinct):
        plain = all(isinstance(e, exp.Column) for e in argument.expressions)
    else:
        plain = argument is None or isinstance(argument, exp.Column | exp.Star | exp.Literal)
    if not plain:
        raise QueryRefused(RAW_ONLY + f"{agg.key.upper()}(…) 里只能写一个列名，不能写表达式或条件。")


class Authorizer:
    """SQLite authorizer: reads of ``tables`` (table → allowed columns) and
    :data:`FUNCTIONS` only. ``denied`` keeps what was refused, for the message."""

    def __init__(self, tables: Mapping[str, frozenset[str]]) -> None:
        self.tables = tables
        self.denied = ""

    def __call__(self, action: int, arg1: str | None, arg2: str | None, _db: str | None,
                 _trigger: str | None) -> int:
        if action == sqlite3.SQLITE_SELECT:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_READ:
            allowed = self.tables.get(arg1 or "", frozenset())
            if arg1 in self.tables and (arg2 in allowed or arg2 == ""):
                return sqlite3.SQLITE_OK
            self.denied = f"{arg1}.{arg2}"
            return sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in FUNCTIONS:
            return sqlite3.SQLITE_OK
        self.denied = f"function {arg2}" if action == sqlite3.SQLITE_FUNCTION else str(action)
        return sqlite3.SQLITE_DENY
