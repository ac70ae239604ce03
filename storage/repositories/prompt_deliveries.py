"""Prompt deliveries: how far each person got with a run's prompt.

queued → sent (its outbox row was delivered) or failed (the chat blocked the bot, or the
message could not be delivered) → started (the person pressed the prompt's button) →
completed (the dialog ended with identified answers); queued, sent and started → expired
after the schedule's expiry. An anonymous answer is never marked as a delivery's (P1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from storage.repositories._dialect import is_postgresql
from storage.tables import Client, Contact, Outbox, PromptDelivery, Schedule, ScheduleRun

QUEUED, SENT, FAILED, STARTED, COMPLETED, EXPIRED = (
    "queued",
    "sent",
    "failed",
    "started",
    "completed",
    "expired",
)
STATES = (QUEUED, SENT, FAILED, STARTED, COMPLETED, EXPIRED)
OPEN = (QUEUED, SENT, STARTED)
NOT_STARTED = (QUEUED, SENT)
TELEGRAM = "telegram"

_d: sa.Table = PromptDelivery.__table__  # type: ignore[attr-defined]
_run: sa.Table = ScheduleRun.__table__  # type: ignore[attr-defined]
_schedule: sa.Table = Schedule.__table__  # type: ignore[attr-defined]
_contact: sa.Table = Contact.__table__  # type: ignore[attr-defined]
_client: sa.Table = Client.__table__  # type: ignore[attr-defined]
_outbox: sa.Table = Outbox.__table__  # type: ignore[attr-defined]


def _earlier_in_outbox(*, dead: bool) -> sa.Exists:
    """An outbox row of the delivery's chat, queued with the prompt or before it."""
    return sa.exists(
        sa.select(1)
        .select_from(_outbox.join(_contact, _contact.c.address_hmac == _outbox.c.address_hmac))
        .where(
            _contact.c.id == _d.c.contact_id,
            _outbox.c.channel == _d.c.channel,
            _outbox.c.created_at <= _d.c.queued_at,
            _outbox.c.dead_reason.is_not(None) if dead else sa.true(),
        )
    )


def refresh_sent(session: Session) -> int:
    """Queued Telegram prompts whose outbox rows are gone: sent, or failed when the chat
    blocked the bot (its rows were dropped) or a row was given up on. The outbox keeps a
    chat's order, so the prompt is out once nothing queued with or before it is left."""
    connection = session.connection()
    queued = (_d.c.status == QUEUED) & (_d.c.channel == TELEGRAM)
    inactive = sa.exists(
        sa.select(1).where(_contact.c.id == _d.c.contact_id, _contact.c.active.is_(False))
    )
    changed = connection.execute(
        sa.update(_d)
        .where(queued, _earlier_in_outbox(dead=True))
        .values(status=FAILED, reason="the message could not be delivered")
    ).rowcount
    changed += connection.execute(
        sa.update(_d)
        .where(queued, ~_earlier_in_outbox(dead=False), inactive)
        .values(status=FAILED, reason="the person has blocked the bot")
    ).rowcount
    changed += connection.execute(
        sa.update(_d).where(queued, ~_earlier_in_outbox(dead=False)).values(status=SENT)
    ).rowcount
    return int(changed)


def expire(session: Session, *, now: dt.datetime) -> int:
    result = session.connection().execute(
        sa.update(_d).where(_d.c.status.in_(OPEN), _d.c.expires_at <= now).values(status=EXPIRED)
    )
    return int(result.rowcount)


@dataclass(frozen=True, slots=True)
class Reminder:
    public_id: str
    channel: str
    address_hmac: str
    address_sealed: str
    language: str


def take_reminders(session: Session, *, now: dt.datetime, limit: int) -> list[Reminder]:
    """Deliveries due for their one reminder (not started, not reminded, not expired, the
    contact still wanting prompts), marked reminded in the caller's transaction. On
    PostgreSQL the rows are locked, and rows another process holds are left to it."""
    statement = (
        sa.select(
            _d.c.id,
            _d.c.public_id,
            _contact.c.channel,
            _contact.c.address_hmac,
            _contact.c.address_sealed,
            _contact.c.language,
        )
        .select_from(
            _d.join(_run, _run.c.id == _d.c.run_id).join(_contact, _contact.c.id == _d.c.contact_id)
        )
        .where(
            _d.c.status.in_(NOT_STARTED),
            _d.c.channel == TELEGRAM,  # other channels show open prompts themselves
            _d.c.reminded_at.is_(None),
            _d.c.expires_at > now,
            _run.c.remind_at <= now,
            _contact.c.active.is_(True),
            _contact.c.prompts.is_(True),
            _contact.c.address_sealed.is_not(None),
        )
        .order_by(_d.c.id)
        .limit(limit)
    )
    if is_postgresql(session):
        statement = statement.with_for_update(of=_d, skip_locked=True)
    rows = list(session.connection().execute(statement))
    if not rows:
        return []
    session.connection().execute(
        sa.update(_d)
        .where(_d.c.id.in_([row[0] for row in rows]), _d.c.reminded_at.is_(None))
        .values(reminded_at=now)
    )
    return [Reminder(*row[1:]) for row in rows]


def queue_message(
    session: Session, *, reminder: Reminder, payload: dict[str, Any], now: dt.datetime
) -> None:
    session.connection().execute(
        sa.insert(_outbox).values(
            channel=reminder.channel,
            address_hmac=reminder.address_hmac,
            address_sealed=reminder.address_sealed,
            payload=payload,
            attempts=0,
            not_before=now,
            created_at=now,
        )
    )


@dataclass(frozen=True, slots=True)
class Opened:
    dialog_id: str
    unit_id: int
    status: str  # what it was before


def start(session: Session, *, public_id: str, contact_id: int, now: dt.datetime) -> Opened | None:
    """The person pressed a prompt's button: its delivery is started (again, to resume);
    None when it is not theirs, or has expired."""
    row = (
        session.connection()
        .execute(
            sa.select(_d.c.id, _d.c.dialog_id, _d.c.status, _d.c.expires_at, _schedule.c.unit_id)
            .select_from(
                _d.join(_run, _run.c.id == _d.c.run_id).join(
                    _schedule, _schedule.c.id == _run.c.schedule_id
                )
            )
            .where(_d.c.public_id == public_id, _d.c.contact_id == contact_id)
        )
        .first()
    )
    if row is None:
        return None
    delivery_id, dialog_id, status, expires_at, unit_id = row
    if status in (EXPIRED,) or _utc(expires_at) <= now:
        return None
    if status in (QUEUED, SENT, FAILED):
        session.connection().execute(
            sa.update(_d).where(_d.c.id == delivery_id).values(status=STARTED)
        )
    return Opened(str(dialog_id), int(unit_id), str(status))


def complete(session: Session, *, contact_id: int, dialog_id: str, now: dt.datetime) -> int:
    """A contact finished a dialog with identified answers: their open prompts of that
    dialog are completed (also when they started it with /checkin, not the button)."""
    result = session.connection().execute(
        sa.update(_d)
        .where(
            _d.c.contact_id == contact_id,
            _d.c.dialog_id == dialog_id,
            _d.c.status.in_((*OPEN, FAILED)),
            _d.c.expires_at > now,
        )
        .values(status=COMPLETED)
    )
    return int(result.rowcount)


@dataclass(frozen=True, slots=True)
class Due:
    public_id: str
    client_id: int
    alias: str
    schedule_id: int
    schedule_name: str
    dialog_id: str
    status: str
    expires_at: dt.datetime


def _due_statement(now: dt.datetime) -> sa.Select[Any]:
    return (
        sa.select(
            _d.c.public_id,
            _d.c.client_id,
            _client.c.alias,
            _schedule.c.id,
            _schedule.c.name,
            _d.c.dialog_id,
            _d.c.status,
            _d.c.expires_at,
        )
        .select_from(
            _d.join(_run, _run.c.id == _d.c.run_id)
            .join(_schedule, _schedule.c.id == _run.c.schedule_id)
            .join(_client, _client.c.id == _d.c.client_id)
        )
        .where(_d.c.status.in_(OPEN), _d.c.expires_at > now)
        .order_by(_d.c.expires_at, _d.c.id)
    )


def _dues(session: Session, statement: sa.Select[Any]) -> list[Due]:
    return [
        Due(str(p), int(c), str(a), int(s), str(n), str(d), str(st), _utc(e))
        for p, c, a, s, n, d, st, e in session.connection().execute(statement)
    ]


def due_for_client(session: Session, client_id: int, now: dt.datetime) -> list[Due]:
    """The prompts a client has open (not completed, not expired), soonest to close first:
    what the client's personal check-in link shows."""
    return _dues(session, _due_statement(now).where(_d.c.client_id == client_id))


def due_for_staff(
    session: Session,
    *,
    now: dt.datetime,
    unit_ids: Iterable[int] | None,
    caseworker_id: int | None,
    limit: int,
) -> list[Due]:
    """Open prompts of the clients a member of staff may see: of some units (None: all),
    and only their own clients when `caseworker_id` is given."""
    statement = _due_statement(now).limit(limit)
    if unit_ids is not None:
        statement = statement.where(_client.c.unit_id.in_(list(unit_ids)))
    if caseworker_id is not None:
        statement = statement.where(_client.c.caseworker_id == caseworker_id)
    return _dues(session, statement)


def of_run(session: Session, *, run_id: int) -> Sequence[PromptDelivery]:
    return list(
        session.exec(  # type: ignore[call-overload]
            sa.select(PromptDelivery).where(_d.c.run_id == run_id).order_by(_d.c.id)
        ).scalars()
    )


def _utc(value: Any) -> dt.datetime:
    assert isinstance(value, dt.datetime)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
