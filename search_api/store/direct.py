"""The hot statements of a filing and a status read executed on the DBAPI
cursor of the caller's SQLAlchemy connection (issue #17).

SQLAlchemy costs ≈ 50 µs of Python per statement even when the statement
comes from its compiled cache (execution context, parameter dictionaries,
result metadata); the driver's own call costs a few. Here a statement is
compiled by SQLAlchemy ONCE per database and set of parameter names, and
then sent as SQLAlchemy would send it: the same SQL text, each value
through its column type's bind processor (UTC timestamps, JSON documents),
each result value through its type's result processor, in the caller's
transaction on the same connection. A driver error is raised as SQLAlchemy
raises it (``sqlalchemy.exc.IntegrityError`` with ``.orig``; a lost
connection invalidated), through the connection's own error handling.

When anything listens to the connection's statements
(``before_cursor_execute`` / ``after_cursor_execute``: tracing, the
tests that count round trips), the statement goes through
``Connection.execute`` instead, so that every listener sees it as usual.

Statements with Python-side column defaults or expanding (``IN``)
parameters, which need SQLAlchemy's execution, go through
``Connection.execute`` too.

PostgreSQL (psycopg2): each statement is a server-side prepared statement
of the session, made the first time a pooled connection sends it
(``PREPARE``) and then run by name (``EXECUTE``, the values as psycopg2
quotes them): the server parses and plans it once per connection instead of
at every filing (issue #17). What a connection has prepared is kept in its
pool record's ``info``, which SQLAlchemy clears whenever the record gets a
new server connection (after a lost connection or a recycle), and prepared
statements outlive a rollback (they are not transactional). Inside a
transaction the ``PREPARE`` runs in a savepoint: a statement the server
cannot prepare (e.g. a parameter whose type it cannot infer) is then sent
as text, on that connection and on every later one, and the transaction
goes on. Not for a server behind a pooler that moves sessions between
transactions (PgBouncer's transaction mode): set :data:`PREPARE` to False.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Connection
from sqlalchemy.sql.base import Executable

_MISSING = object()
PREPARE = True
"""Whether statements are prepared on PostgreSQL (see the module)."""
_PREPARED = "portal_prepared"  # key of a pool record's info: names prepared on its session
_NAMES = itertools.count(1)  # a plan's statement name, unique in this process
_PLACEHOLDER = re.compile(r"%\(([^)]*)\)s|%%")  # psycopg2's named parameters, escaped %


class _Unplanned(Exception):
    """A statement that needs SQLAlchemy's execution (see the module)."""


class _Plan:
    """One statement as compiled for one database and set of parameter names."""

    __slots__ = ("binds", "execute", "name", "positional", "prepare", "results",
                 "result_types", "sql")

    def __init__(self, statement: Executable, conn: Connection, keys: tuple[str, ...]) -> None:
        dialect = conn.dialect
        compiled: Any = cast(Any, statement).compile(dialect=dialect, column_keys=list(keys))
        if compiled.insert_prefetch or compiled.update_prefetch \
                or compiled.post_compile_params or compiled.literal_execute_params:
            raise _Unplanned
        self.sql: str = compiled.string
        processors = compiled._bind_processors
        escaped = compiled.escaped_bind_names or {}
        by_name = {name: bind for bind, name in compiled.bind_names.items()}
        names = list(compiled.positiontup) if compiled.positional else list(by_name)
        self.positional: bool = bool(compiled.positional)
        # (driver's name, key in the caller's parameters, compiled name, default, processor)
        self.binds: list[tuple[str, str, str, Any, Callable[[Any], Any] | None]] = []
        for name in names:
            bind = by_name[name]
            default = _MISSING if bind.required else (
                bind.effective_value if bind.callable else bind.value)
            self.binds.append((escaped.get(name, name), bind.key, name, default,
                               processors.get(name)))
        self.result_types = [entry[3] for entry in compiled._result_columns]
        # Result processors, known once the driver has described a result.
        self.results: list[Callable[[Any], Any] | None] | None = None
        # PostgreSQL: the statement's PREPARE and the EXECUTE that runs it
        # with the same parameters (None: sent as text).
        self.name = f"portal_{next(_NAMES)}"
        self.prepare: str | None = None
        self.execute = ""
        if dialect.name == "postgresql" and dialect.driver == "psycopg2" \
                and not self.positional:
            numbers: dict[str, int] = {}

            def number(match: re.Match[str]) -> str:
                if match.group(1) is None:
                    return "%"
                return f"${numbers.setdefault(match.group(1), len(numbers) + 1)}"

            body = _PLACEHOLDER.sub(number, self.sql)
            self.prepare = f"PREPARE {self.name} AS {body}"
            values = ", ".join(f"%({name})s" for name in numbers)
            self.execute = f"EXECUTE {self.name}({values})" if values \
                else f"EXECUTE {self.name}"

    def parameters(self, params: Mapping[str, Any]) -> Any:
        """The driver's parameters: each value bound as SQLAlchemy would."""
        values = []
        for _, key, name, default, processor in self.binds:
            value = params.get(key, _MISSING)
            if value is _MISSING:
                value = params.get(name, default)
                if value is _MISSING:
                    raise KeyError(f"a value is required for bind parameter {key!r}")
            values.append(processor(value) if processor is not None else value)
        if self.positional:
            return tuple(values)
        return {driver: value for (driver, *_), value in zip(self.binds, values, strict=True)}

    def processors(self, conn: Connection, description: Any) -> list[Callable[[Any], Any] | None]:
        if self.results is None:
            if len(description) != len(self.result_types):
                raise TypeError("the statement's result columns are not known to SQLAlchemy")
            self.results = [t._cached_result_processor(conn.dialect, d[1])
                            for t, d in zip(self.result_types, description, strict=True)]
        return self.results


_PLANS: dict[tuple[Any, ...], _Plan | None] = {}
_MOST_PLANS = 512  # a safety bound: the callers have a few dozen shapes


def _plan(conn: Connection, statement: Executable, keys: tuple[str, ...]) -> _Plan | None:
    """The statement's plan; None when it goes through ``Connection.execute``
    (something listens to the statements, or it needs SQLAlchemy's execution)."""
    if observed(conn):
        return None
    dialect = conn.dialect
    key = (statement, dialect.name, dialect.driver, dialect.server_version_info, keys)
    try:
        return _PLANS[key]
    except KeyError:
        pass
    try:
        plan: _Plan | None = _Plan(statement, conn, keys)
    except _Unplanned:
        plan = None
    if len(_PLANS) >= _MOST_PLANS:
        _PLANS.clear()
    _PLANS[key] = plan
    return plan


def observed(conn: Connection) -> bool:
    """Whether something listens to ``conn``'s statements (they then go
    through SQLAlchemy, for the listeners to see)."""
    dispatch: Any = conn.dispatch
    return bool(dispatch.before_cursor_execute) or bool(dispatch.after_cursor_execute)


def rows(conn: Connection, statement: Executable,
         params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """Execute ``statement`` with ``params`` (one set) in ``conn``'s
    transaction; its result rows (none for a statement without a result),
    each value as SQLAlchemy would return it.

    Raises:
        sqlalchemy.exc.DBAPIError: as ``conn.execute`` raises it (e.g.
            ``IntegrityError``); the connection is invalidated when lost.
        TypeError: SQLAlchemy does not describe the statement's result columns.
        KeyError: a required parameter is missing.
    """
    plan = _plan(conn, statement, tuple(params))
    if plan is None:
        result = conn.execute(statement, dict(params))
        return [tuple(row) for row in result] if result.returns_rows else []
    description, fetched = _on_cursor(conn, plan, plan.parameters(params), many=False)
    if not fetched:
        return []
    processors = plan.processors(conn, description)
    if not any(processors):
        return [tuple(row) for row in fetched]
    return [tuple(value if p is None else p(value) for p, value in zip(processors, row,
                                                                      strict=True))
            for row in fetched]


def _on_cursor(conn: Connection, plan: _Plan, parameters: Any, *, many: bool,
               ) -> tuple[Any, list[Any]]:
    """Run ``plan``'s statement on a cursor of ``conn``'s DBAPI connection
    (``executemany`` when ``many``), prepared on PostgreSQL; the cursor's
    description and fetched rows (none for ``many`` or a statement without
    a result).

    Raises:
        sqlalchemy.exc.DBAPIError: SQLAlchemy's wrapper of the driver's
            error, the connection invalidated when it was lost.
    """
    dbapi_connection: Any = conn.connection.dbapi_connection
    sql = plan.sql
    if plan.prepare is not None and PREPARE and _prepared(conn, dbapi_connection, plan):
        sql = plan.execute
    cursor = dbapi_connection.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
            return None, []
        cursor.execute(sql, parameters)
        description = cursor.description
        return description, cursor.fetchall() if description is not None else []
    except conn.dialect.loaded_dbapi.Error as error:
        conn._handle_dbapi_exception(error, plan.sql, parameters, cursor, None)
        raise  # not reached: the call above raises
    finally:
        cursor.close()


def _prepared(conn: Connection, dbapi_connection: Any, plan: _Plan) -> bool:
    """Whether ``plan``'s statement is prepared on ``conn``'s session (it is
    prepared now if it was not); False when the server cannot prepare it
    (``plan`` then stays unprepared) or the transaction has failed already
    (the statement, sent as text, fails as it would have).

    Raises:
        sqlalchemy.exc.DBAPIError: the connection was lost (invalidated).
    """
    done: set[str] = conn.connection.info.setdefault(_PREPARED, set())
    if plan.name in done:
        return True
    from psycopg2.extensions import TRANSACTION_STATUS_INERROR

    if dbapi_connection.get_transaction_status() == TRANSACTION_STATUS_INERROR:
        return False
    assert plan.prepare is not None
    in_transaction = not dbapi_connection.autocommit
    cursor = dbapi_connection.cursor()
    try:
        # In a transaction, a savepoint: a PREPARE that fails must not fail it.
        cursor.execute(f"SAVEPOINT portal_prepare; {plan.prepare}; "
                       "RELEASE SAVEPOINT portal_prepare" if in_transaction else plan.prepare)
    except conn.dialect.loaded_dbapi.Error as error:
        if dbapi_connection.closed or isinstance(
                error, conn.dialect.loaded_dbapi.OperationalError):
            conn._handle_dbapi_exception(error, plan.prepare, None, cursor, None)
            raise  # not reached: the call above raises
        if in_transaction:
            undo = "ROLLBACK TO SAVEPOINT portal_prepare; RELEASE SAVEPOINT portal_prepare"
            try:
                cursor.execute(undo)
            except conn.dialect.loaded_dbapi.Error as lost:
                conn._handle_dbapi_exception(lost, undo, None, cursor, None)
                raise  # not reached: the call above raises
        plan.prepare = None  # the server cannot prepare it: sent as text from now on
        return False
    finally:
        cursor.close()
    done.add(plan.name)
    return True


def many(conn: Connection, statement: Executable,
         params: Sequence[Mapping[str, Any]]) -> None:
    """Execute ``statement`` (without a result) once per item of ``params``
    (each with the same names) in ``conn``'s transaction, as
    ``conn.execute(statement, params)`` does (the driver's ``executemany``).

    Raises:
        as :func:`rows`.
    """
    if not params:
        return
    if len(params) == 1:
        rows(conn, statement, params[0])
        return
    plan = _plan(conn, statement, tuple(params[0]))
    if plan is None:
        conn.execute(statement, [dict(p) for p in params])
        return
    _on_cursor(conn, plan, [plan.parameters(p) for p in params], many=True)


def one(conn: Connection, statement: Executable,
        params: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """The first row of :func:`rows` (None: no row)."""
    found = rows(conn, statement, params)
    return found[0] if found else None
