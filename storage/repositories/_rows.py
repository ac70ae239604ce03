"""Plain rows on a conversation's path: Core statements built once, rows as detached models.

Without the ORM's identity map and loading machinery. What they return is for reading;
changes go through the repositories' update functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

Row = TypeVar("Row", bound=SQLModel)


def table_of(model: type[SQLModel]) -> sa.Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, sa.Table)
    return table


def where(model: type[SQLModel], *columns: str) -> sa.Select[Any]:
    """A select of a whole row by columns, with a bind parameter of each column's name."""
    table = table_of(model)
    return sa.select(table).where(*(table.c[name] == sa.bindparam(name) for name in columns))


def first(
    session: Session, model: type[Row], statement: sa.Select[Any], values: Mapping[str, Any]
) -> Row | None:
    row = session.connection().execute(statement, values).mappings().first()
    return None if row is None else model.model_construct(**row)  # type: ignore[return-value]
