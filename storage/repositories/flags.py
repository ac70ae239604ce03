"""The flag inbox: open flags by severity, then age; acknowledge, assign, resolve."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage.tables import Client, Flag, FlagEvent

STATUSES = ("open", "acknowledged", "resolved")
_SEVERITY = sa.case((col(Flag.level) == "crisis", 0), else_=1)


def _visible(
    *, unit_ids: frozenset[int] | None, caseworker_id: int | None
) -> list[sa.ColumnElement[bool]]:
    """Flags in the units (None: all); for a caseworker, only their clients', the unit's
    anonymous ones, and those assigned to them."""
    conditions: list[sa.ColumnElement[bool]] = []
    if unit_ids is not None:
        conditions.append(col(Flag.unit_id).in_(unit_ids))
    if caseworker_id is not None:
        mine = sa.select(col(Client.id)).where(col(Client.caseworker_id) == caseworker_id)
        conditions.append(
            sa.or_(
                col(Flag.client_id).in_(mine),
                col(Flag.client_id).is_(None),
                col(Flag.assignee_id) == caseworker_id,
            )
        )
    return conditions


def inbox(
    session: Session,
    *,
    unit_ids: frozenset[int] | None,
    caseworker_id: int | None,
    statuses: Sequence[str],
    unit_id: int | None,
    client_id: int | None,
    limit: int,
) -> Sequence[Flag]:
    """Flags the caller may see: crisis before concern, then the oldest first."""
    statement = (
        select(Flag)
        .where(col(Flag.status).in_(statuses))
        .where(*_visible(unit_ids=unit_ids, caseworker_id=caseworker_id))
        .order_by(_SEVERITY, col(Flag.created_at), col(Flag.id))
        .limit(limit)
    )
    if unit_id is not None:
        statement = statement.where(Flag.unit_id == unit_id)
    if client_id is not None:
        statement = statement.where(Flag.client_id == client_id)
    return session.exec(statement).all()


def visible_flag(
    session: Session,
    *,
    flag_id: int,
    unit_ids: frozenset[int] | None,
    caseworker_id: int | None,
    lock: bool = False,
) -> Flag | None:
    statement = (
        select(Flag)
        .where(Flag.id == flag_id)
        .where(*_visible(unit_ids=unit_ids, caseworker_id=caseworker_id))
    )
    if lock and session.connection().dialect.name == "postgresql":
        statement = statement.with_for_update(of=Flag)
    return session.exec(statement).first()


def change(
    session: Session,
    *,
    flag: Flag,
    staff_id: int,
    action: str,
    status: str,
    assignee_id: int | None,
    note_sealed: str | None,
    now: dt.datetime,
) -> FlagEvent:
    """Change a flag and record the change as an event, in the caller's transaction."""
    flag.status = status
    if action == "assign":
        flag.assignee_id = assignee_id
    session.add(flag)
    event = FlagEvent(
        flag_id=flag.id,  # type: ignore[arg-type]
        staff_id=staff_id,
        action=action,
        assignee_id=assignee_id,
        note_sealed=note_sealed,
        at=now,
    )
    session.add(event)
    session.flush()
    return event


def events_of(session: Session, *, flag_id: int) -> Sequence[FlagEvent]:
    return session.exec(
        select(FlagEvent).where(FlagEvent.flag_id == flag_id).order_by(col(FlagEvent.id))
    ).all()
