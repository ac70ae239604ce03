"""Statements compiled once per dialect and run straight on the driver's cursor.

For the few statements on every update's path. SQLAlchemy compiles the SQL and supplies the
type conversions (JSON, UTC datetimes); what is skipped is its per-call execution machinery,
which cost several times the driver's own time per statement (docs/BENCHMARKS.md). The
statements run inside the session's transaction, on its connection, and the driver's errors
reach the caller as SQLAlchemy's (IntegrityError, OperationalError), as from any statement.

A write whose result nobody reads can be deferred (`defer`, `defer_many`): it is sent with
the transaction's other deferred writes just before the next statement or the commit, on
PostgreSQL in one round trip (storage.db.send_deferred).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.sql.compiler import SQLCompiler
from sqlmodel import Session

from storage.db import defer_write, send_deferred

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]
    processors: tuple[Processor, ...]
    positional: bool
    returns_rows: bool


class Prepared:
    def __init__(self, statement: sa.ClauseElement, *, parameters: Sequence[str]) -> None:
        self.statement = statement
        self.parameters = tuple(parameters)
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, dialect: sa.Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            # As for an executemany: no implicit RETURNING of the primary key, which nothing
            # here reads (an explicit RETURNING stays).
            result = cast(
                SQLCompiler,
                self.statement.compile(
                    dialect=dialect, column_keys=list(self.parameters), for_executemany=True
                ),
            )
            binds = result.binds
            names = tuple(result.positiontup or ()) if result.positional else tuple(binds)
            processors = tuple(binds[name].type._cached_bind_processor(dialect) for name in names)
            is_dml = result.isinsert or result.isupdate or result.isdelete
            compiled = _Compiled(
                str(result),
                names,
                processors,
                bool(result.positional),
                returns_rows=not is_dml or bool(result.returning),
            )
            self._compiled[dialect.name] = compiled
        return compiled

    def _arguments(self, compiled: _Compiled, values: Mapping[str, Any]) -> Any:
        converted = [
            value if processor is None else processor(value)
            for processor, value in zip(
                compiled.processors, (values.get(name) for name in compiled.names), strict=True
            )
        ]
        if compiled.positional:
            return tuple(converted)
        return dict(zip(compiled.names, converted, strict=True))

    def execute(self, session: Session, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run once; returns the rows of a RETURNING clause (empty otherwise)."""
        connection = session.connection()
        compiled = self._for(connection.dialect)
        arguments = self._arguments(compiled, values)
        send_deferred(connection)
        with _cursor(connection, compiled.sql, arguments) as cursor:
            cursor.execute(compiled.sql, arguments)
            return list(cursor.fetchall()) if compiled.returns_rows else []

    def execute_many(self, session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        connection = session.connection()
        compiled = self._for(connection.dialect)
        arguments = [self._arguments(compiled, row) for row in rows]
        send_deferred(connection)
        with _cursor(connection, compiled.sql, arguments) as cursor:
            cursor.executemany(compiled.sql, arguments)

    def defer(self, session: Session, values: Mapping[str, Any]) -> None:
        """Run once, later in this transaction: before its next statement or its commit."""
        connection = session.connection()
        compiled = self._for(connection.dialect)
        if compiled.returns_rows:
            raise ValueError("a statement that returns rows cannot be deferred")
        defer_write(connection, compiled.sql, self._arguments(compiled, values), many=False)

    def defer_many(self, session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        connection = session.connection()
        compiled = self._for(connection.dialect)
        if compiled.returns_rows:
            raise ValueError("a statement that returns rows cannot be deferred")
        arguments = [self._arguments(compiled, row) for row in rows]
        defer_write(connection, compiled.sql, arguments, many=True)


@contextmanager
def _cursor(connection: sa.Connection, sql: str, arguments: Any) -> Iterator[Any]:
    """The driver's cursor; its errors are raised as SQLAlchemy's."""
    dbapi_connection = connection.connection.dbapi_connection
    assert dbapi_connection is not None
    cursor = dbapi_connection.cursor()
    try:
        yield cursor
    except connection.dialect.loaded_dbapi.Error as error:
        raise sa.exc.DBAPIError.instance(
            sql, arguments, error, connection.dialect.loaded_dbapi.Error, dialect=connection.dialect
        ) from error
    finally:
        cursor.close()
