"""The flag inbox: open flags by severity, then age; acknowledge, assign, resolve.

An anonymous flag (no client) is ordered against the others by its date only: within a day
the anonymous flags come first, by their random public id, then the identified ones by
time, so that its place in a listing tells nothing of when it was raised (P1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col, select

from storage.tables import Client, Flag, FlagEvent, Response

STATUSES = ("open", "acknowledged", "resolved")
ERASE = "erase"  # the event left on a flag kept after the client erased their data
_SEVERITY = sa.case((col(Flag.level) == "crisis", 0), else_=1)


class utc_day(FunctionElement[Any]):
    """The UTC date of a stored time, comparable within one dialect."""

    inherit_cache = True


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC') AS DATE)"


@compiles(utc_day)
def _utc_day_sqlite(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"  # stored as UTC text


_flags: sa.Table = Flag.__table__  # type: ignore[attr-defined]
_ANONYMOUS = col(Flag.client_id).is_(None)
_ORDER = (
    _SEVERITY,
    utc_day(col(Flag.created_at)),
    sa.case((_ANONYMOUS, 0), else_=1),
    sa.case((_ANONYMOUS, None), else_=col(Flag.created_at)),
    col(Flag.public_id),
)


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
    """Flags the caller may see: crisis before concern, then the oldest first (anonymous
    flags by their date only, see above)."""
    statement = (
        select(Flag)
        .where(col(Flag.status).in_(statuses))
        .where(*_visible(unit_ids=unit_ids, caseworker_id=caseworker_id))
        .order_by(*_ORDER)
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
    public_id: str,
    unit_ids: frozenset[int] | None,
    caseworker_id: int | None,
    lock: bool = False,
) -> Flag | None:
    statement = (
        select(Flag)
        .where(Flag.public_id == public_id)
        .where(*_visible(unit_ids=unit_ids, caseworker_id=caseworker_id))
    )
    if lock and session.connection().dialect.name == "postgresql":
        statement = statement.with_for_update(of=Flag)
    return session.exec(statement).first()


def change(
    session: Session,
    *,
    flag: Flag,
    staff_id: int | None,
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


def keep_unresolved_on_erasure(session: Session, *, client_id: int, now: dt.datetime) -> int:
    """Before a client's responses are erased (P6): their flags that are not resolved stay,
    detached from the response (so without any text, its decisive words or its course), each
    with an `erase` event, so that
    an alerted crisis does not vanish from the worker's inbox. Returns how many stayed."""
    connection = session.connection()
    response_ids = sa.select(col(Response.id)).where(col(Response.client_id) == client_id)
    kept = [
        int(flag_id)
        for (flag_id,) in connection.execute(
            sa.select(_flags.c.id).where(
                col(Flag.response_id).in_(response_ids), col(Flag.status) != "resolved"
            )
        )
    ]
    if kept:
        connection.execute(  # the flag stays, with nothing of what the client wrote or scored
            sa.update(Flag)
            .where(col(Flag.id).in_(kept))
            .values(response_id=None, reason=None, words_sealed=None)
        )
        connection.execute(
            sa.insert(FlagEvent),
            [
                {"flag_id": flag_id, "staff_id": None, "action": ERASE, "at": now}
                for flag_id in kept
            ],
        )
    return len(kept)
