"""Statements compiled once per dialect and run straight on the driver's cursor.

For the few writes on every update's path. SQLAlchemy compiles the SQL and supplies the
type conversions (JSON, UTC datetimes); what is skipped is its per-call execution machinery,
which cost several times the driver's own time per statement (docs/BENCHMARKS.md). The
statements run inside the session's transaction, on its connection.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.sql.compiler import SQLCompiler
from sqlmodel import Session

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]
    processors: tuple[Processor, ...]
    positional: bool


class Prepared:
    def __init__(self, statement: sa.ClauseElement, *, parameters: Sequence[str]) -> None:
        self.statement = statement
        self.parameters = tuple(parameters)
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, dialect: sa.Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            result = cast(
                SQLCompiler,
                self.statement.compile(dialect=dialect, column_keys=list(self.parameters)),
            )
            binds = result.binds
            names = tuple(result.positiontup or ()) if result.positional else tuple(binds)
            processors = tuple(binds[name].type._cached_bind_processor(dialect) for name in names)
            compiled = _Compiled(str(result), names, processors, bool(result.positional))
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
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(compiled.sql, self._arguments(compiled, values))
            return list(cursor.fetchall()) if cursor.description else []
        finally:
            cursor.close()

    def execute_many(self, session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        connection = session.connection()
        compiled = self._for(connection.dialect)
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.executemany(compiled.sql, [self._arguments(compiled, row) for row in rows])
        finally:
            cursor.close()
