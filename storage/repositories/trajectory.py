"""The wellbeing scores of a client's earlier check-ins, for the trajectory signal."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session, col

from storage.tables import Answer, Response, Unit


def earlier_scores(
    session: Session,
    *,
    client_id: int,
    measures: Sequence[str],
    before_response_id: int | None,
    limit: int,
) -> list[list[float]]:
    """The answered scores of `measures` in the client's last `limit` completed responses
    that have any, each response's scores in a list, oldest response first; never the
    response `before_response_id` (the one being answered). Identified responses only: an
    anonymous one has no client."""
    answered = sa.and_(
        col(Answer.measure).in_(measures),
        col(Answer.number).is_not(None),
        col(Answer.skipped).is_(False),
    )
    latest = (
        sa.select(col(Response.id), col(Response.started_at))
        .where(
            col(Response.client_id) == client_id,
            col(Response.completed).is_(True),
            sa.exists().where(col(Answer.response_id) == col(Response.id), answered),
        )
        .order_by(col(Response.started_at).desc(), col(Response.id).desc())
        .limit(limit)
    )
    if before_response_id is not None:
        latest = latest.where(col(Response.id) != before_response_id)
    recent = latest.subquery()
    rows = session.connection().execute(
        sa.select(recent.c.id, col(Answer.number))
        .join(Answer, col(Answer.response_id) == recent.c.id)
        .where(answered)
        .order_by(recent.c.started_at, recent.c.id, col(Answer.id))
    )
    by_response: dict[int, list[float]] = {}
    for response_id, number in rows:
        by_response.setdefault(int(response_id), []).append(float(number))
    return list(by_response.values())


def stored_scores(session: Session, *, response_id: int, measures: Sequence[str]) -> list[float]:
    """The answered scores of `measures` stored so far on one response."""
    rows = session.connection().execute(
        sa.select(col(Answer.number)).where(
            col(Answer.response_id) == response_id,
            col(Answer.measure).in_(measures),
            col(Answer.number).is_not(None),
            col(Answer.skipped).is_(False),
        )
    )
    return [float(number) for (number,) in rows if number is not None]


def watch_of(session: Session, *, unit_id: int) -> tuple[bool, int, float] | None:
    """A unit's trajectory settings: on or off, falls in a row, a single drop."""
    row = (
        session.connection()
        .execute(
            sa.select(
                col(Unit.trajectory), col(Unit.trajectory_falls), col(Unit.trajectory_drop)
            ).where(col(Unit.id) == unit_id)
        )
        .first()
    )
    return None if row is None else (bool(row[0]), int(row[1]), float(row[2]))


def set_watch(session: Session, *, unit_id: int, enabled: bool, falls: int, drop: float) -> None:
    session.connection().execute(
        sa.update(Unit)
        .where(col(Unit.id) == unit_id)
        .values(trajectory=enabled, trajectory_falls=falls, trajectory_drop=drop)
    )
