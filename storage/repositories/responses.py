"""Responses, their answers and flags."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage.repositories._prepared import Prepared
from storage.tables import Answer, Flag, Response

_responses: sa.Table = Response.__table__  # type: ignore[attr-defined]
_answers: sa.Table = Answer.__table__  # type: ignore[attr-defined]
_flags: sa.Table = Flag.__table__  # type: ignore[attr-defined]
_INSERT_RESPONSE = sa.insert(_responses).returning(_responses.c.id)
_INSERT_ANSWERS = Prepared(
    sa.insert(_answers), parameters=[c.name for c in _answers.columns if c.name != "id"]
)
_INSERT_FLAGS = Prepared(
    sa.insert(_flags), parameters=[c.name for c in _flags.columns if c.name != "id"]
)
_COMPLETE = Prepared(
    sa.update(_responses)
    .where(_responses.c.id == sa.bindparam("response_id"))
    .values(completed=sa.true(), updated_at=sa.bindparam("updated_at")),
    parameters=(),
)
_CLIENT_OF = sa.select(_responses.c.client_id).where(_responses.c.id == sa.bindparam("response_id"))


def insert(session: Session, response: Response) -> int:
    result = session.connection().execute(_INSERT_RESPONSE, response.model_dump(exclude={"id"}))
    response.id = int(result.scalar_one())
    return response.id


def complete(session: Session, *, response_id: int, updated_at: dt.datetime) -> None:
    _COMPLETE.defer(session, {"response_id": response_id, "updated_at": updated_at})


def client_of(session: Session, *, response_id: int) -> int | None:
    value = session.connection().execute(_CLIENT_OF, {"response_id": response_id}).scalar_one()
    return None if value is None else int(value)


def add_answers(session: Session, answers: Sequence[dict[str, Any]]) -> None:
    """Insert answers (column values); deferred, sent with the transaction's other writes."""
    _INSERT_ANSWERS.defer_many(session, answers)


def add_flags(session: Session, flags: Sequence[dict[str, Any]]) -> None:
    """Insert flags (column values); deferred like answers."""
    _INSERT_FLAGS.defer_many(session, flags)


def response_by_id(session: Session, *, response_id: int) -> Response | None:
    return session.get(Response, response_id)


def answers_of(session: Session, *, response_id: int) -> Sequence[Answer]:
    result = session.exec(
        select(Answer).where(Answer.response_id == response_id).order_by(col(Answer.id))
    )
    return result.all()


def flags_of(session: Session, *, response_id: int) -> Sequence[Flag]:
    result = session.exec(
        select(Flag).where(Flag.response_id == response_id).order_by(col(Flag.id))
    )
    return result.all()
