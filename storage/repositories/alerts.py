"""Alerts to staff: a round of alerts per flag, one delivery per recipient and channel.

The flag row is what starts an alert: `unalerted_flags` finds committed flags that have no
round 1 yet. Deliveries are leased while they are sent (like the outbox), kept once sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.repositories._dialect import is_postgresql
from storage.tables import Alert, AlertDelivery, Client, Flag, Staff, StaffUnit, Unit

FIRST = 1
ESCALATION = 2

_alerts: sa.Table = Alert.__table__  # type: ignore[attr-defined]
_deliveries: sa.Table = AlertDelivery.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Due:
    """A delivery to send now, with what its notice is made of (no text, no name)."""

    delivery: AlertDelivery
    round: int
    alert_public_id: str
    flag: Flag
    unit: Unit


def _without_round(round_: int) -> sa.ColumnElement[bool]:
    return ~sa.exists().where(col(Alert.flag_id) == col(Flag.id), col(Alert.round) == round_)


def unalerted_flags(session: Session, *, since: dt.datetime, limit: int) -> Sequence[Flag]:
    """Flags raised since `since` that have no first round of alerts yet, oldest first."""
    statement = (
        select(Flag)
        .where(col(Flag.created_at) >= since, _without_round(FIRST))
        .order_by(col(Flag.id))
        .limit(limit)
    )
    if is_postgresql(session):  # another sender's flags: it makes their alerts
        statement = statement.with_for_update(skip_locked=True)
    return session.exec(statement).all()


def escalation_due(
    session: Session, *, raised_before: dt.datetime, since: dt.datetime, limit: int
) -> Sequence[Flag]:
    """Open (unacknowledged) crisis flags raised before `raised_before`, alerted once and
    not escalated yet."""
    first = sa.exists().where(col(Alert.flag_id) == col(Flag.id), col(Alert.round) == FIRST)
    return session.exec(
        select(Flag)
        .where(
            col(Flag.level) == "crisis",
            col(Flag.status) == "open",
            col(Flag.created_at) < raised_before,
            col(Flag.created_at) >= since,
            first,
            _without_round(ESCALATION),
        )
        .order_by(col(Flag.id))
        .limit(limit)
    ).all()


def add_round(
    session: Session,
    *,
    flag_id: int,
    round_: int,
    recipients: Sequence[tuple[str, str]],
    now: dt.datetime,
) -> int | None:
    """A round of alerts for a flag and its deliveries, as (channel, recipient) pairs.

    None when the round exists already (another sender made it first): then nothing is added.
    """
    connection = session.connection()
    insert = postgresql.insert(_alerts) if is_postgresql(session) else sqlite.insert(_alerts)
    alert_id = connection.execute(
        insert.values(flag_id=flag_id, round=round_, created_at=now)
        .on_conflict_do_nothing(index_elements=["flag_id", "round"])
        .returning(_alerts.c.id)
    ).scalar()
    if alert_id is None:
        return None
    rows = [
        {"alert_id": alert_id, "channel": channel, "recipient": recipient, "not_before": now}
        for channel, recipient in dict.fromkeys(recipients)
    ]
    if rows:
        connection.execute(sa.insert(_deliveries).values(attempts=0), rows)
    return int(alert_id)


def due(session: Session, *, now: dt.datetime, limit: int) -> Sequence[Due]:
    """Deliveries not yet sent, not dead, and due (not leased, not waiting for a retry)."""
    statement = (
        select(AlertDelivery, Alert, Flag, Unit)
        .join(Alert, col(Alert.id) == col(AlertDelivery.alert_id))
        .join(Flag, col(Flag.id) == col(Alert.flag_id))
        .join(Unit, col(Unit.id) == col(Flag.unit_id))
        .where(
            col(AlertDelivery.sent_at).is_(None),
            col(AlertDelivery.dead_reason).is_(None),
            col(AlertDelivery.not_before) <= now,
        )
        .order_by(col(AlertDelivery.id))
        .limit(limit)
    )
    if is_postgresql(session):
        statement = statement.with_for_update(of=AlertDelivery, skip_locked=True)
    return [
        Due(
            delivery=delivery,
            round=alert.round,
            alert_public_id=alert.public_id,
            flag=flag,
            unit=unit,
        )
        for delivery, alert, flag, unit in session.exec(statement).all()
    ]


def lease(session: Session, *, ids: Sequence[int], until: dt.datetime) -> None:
    """Hold deliveries while they are sent: nobody takes them again before `until`."""
    if ids:
        session.connection().execute(
            sa.update(_deliveries)
            .where(_deliveries.c.id.in_(ids))
            .values(not_before=until, attempts=_deliveries.c.attempts + 1)
        )


def delivered(session: Session, *, delivery_id: int, now: dt.datetime) -> None:
    session.connection().execute(
        sa.update(_deliveries).where(_deliveries.c.id == delivery_id).values(sent_at=now)
    )


def retry_later(session: Session, *, delivery_id: int, at: dt.datetime) -> None:
    session.connection().execute(
        sa.update(_deliveries).where(_deliveries.c.id == delivery_id).values(not_before=at)
    )


def dead_letter(session: Session, *, delivery_id: int, reason: str) -> None:
    """Give up on a delivery: it stays, with the reason, for an operator to look at."""
    session.connection().execute(
        sa.update(_deliveries)
        .where(_deliveries.c.id == delivery_id)
        .values(dead_reason=reason[:200])
    )


def caseworker_of(session: Session, *, client_id: int) -> Staff | None:
    """The client's caseworker, if they have one who is active."""
    return session.exec(
        select(Staff)
        .join(Client, col(Client.caseworker_id) == col(Staff.id))
        .where(col(Client.id) == client_id, col(Staff.active).is_(True))
    ).first()


def coordinators_of(session: Session, *, unit_id: int) -> Sequence[Staff]:
    """The unit's active coordinators."""
    return session.exec(
        select(Staff)
        .join(StaffUnit, col(StaffUnit.staff_id) == col(Staff.id))
        .where(
            col(StaffUnit.unit_id) == unit_id,
            col(Staff.role) == "coordinator",
            col(Staff.active).is_(True),
        )
        .order_by(col(Staff.id))
    ).all()


def deliveries_of(session: Session, *, flag_id: int) -> Sequence[tuple[int, AlertDelivery]]:
    """A flag's deliveries with their round, in order."""
    rows = session.exec(
        select(Alert.round, AlertDelivery)
        .join(Alert, col(Alert.id) == col(AlertDelivery.alert_id))
        .where(col(Alert.flag_id) == flag_id)
        .order_by(col(AlertDelivery.id))
    ).all()
    return [(int(round_), delivery) for round_, delivery in rows]
