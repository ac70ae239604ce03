"""Units: the services that clients belong to and that feedback is given to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage.repositories._rows import first, where
from storage.tables import Unit

_UNIT_BY_CODE = where(Unit, "code")
_UNIT_BY_ID = where(Unit, "id")


class DuplicateError(ValueError):
    pass


def add_unit(session: Session, *, code: str, name: str, now: dt.datetime) -> Unit:
    if unit_by_code(session, code=code) is not None:
        raise DuplicateError(f"a unit with the code {code!r} exists already")
    unit = Unit(code=code, name=name, created_at=now)
    session.add(unit)
    session.flush()
    return unit


def unit_by_code(session: Session, *, code: str) -> Unit | None:
    return first(session, Unit, _UNIT_BY_CODE, {"code": code})


def unit_by_id(session: Session, *, unit_id: int) -> Unit | None:
    return first(session, Unit, _UNIT_BY_ID, {"id": unit_id})


def list_units(session: Session) -> Sequence[Unit]:
    result = session.exec(select(Unit).order_by(col(Unit.code)))
    return result.all()


def units_by_ids(session: Session, *, unit_ids: frozenset[int] | None) -> Sequence[Unit]:
    """The units with these ids (None: every unit), by code."""
    statement = select(Unit).order_by(col(Unit.code))
    if unit_ids is not None:
        statement = statement.where(col(Unit.id).in_(unit_ids))
    return session.exec(statement).all()


def rename_unit(session: Session, *, unit_id: int, name: str) -> None:
    session.connection().execute(sa.update(Unit).where(col(Unit.id) == unit_id).values(name=name))


def set_on_call(session: Session, *, unit_id: int, email: str | None) -> None:
    """The address that gets the unit's anonymous and unassigned alerts (None: none)."""
    session.connection().execute(
        sa.update(Unit).where(col(Unit.id) == unit_id).values(on_call_email=email)
    )
