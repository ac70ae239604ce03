"""Schedules, their runs and the planning of a run: who gets a slot's prompt.

A run is claimed by inserting it, unique on (schedule, slot): of two processes (or a process
and its restart) only one inserts it, and its deliveries and outbox rows go in the same
transaction, so a slot reaches each contact at most once (R4), or not at all until the
transaction commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.repositories._dialect import is_postgresql
from storage.tables import (
    Client,
    Contact,
    Outbox,
    PromptDelivery,
    Schedule,
    ScheduleRun,
    new_public_id,
)

CHOSEN_CLIENTS = "clients"  # the audience of a schedule that names its clients
SENT, SKIPPED = "sent", "skipped"
TELEGRAM = "telegram"  # the channel whose prompts go through the outbox
WEB = "web"  # its due prompts are shown on the person's own check-in page

_run: sa.Table = ScheduleRun.__table__  # type: ignore[attr-defined]
_delivery: sa.Table = PromptDelivery.__table__  # type: ignore[attr-defined]
_outbox: sa.Table = Outbox.__table__  # type: ignore[attr-defined]


def add_schedule(session: Session, schedule: Schedule) -> Schedule:
    session.add(schedule)
    session.flush()
    return schedule


def schedule_by_id(session: Session, *, schedule_id: int) -> Schedule | None:
    return session.get(Schedule, schedule_id)


def schedules_of(session: Session, *, unit_ids: Iterable[int] | None) -> Sequence[Schedule]:
    """The schedules of some units (None: of all), oldest first."""
    statement = select(Schedule).order_by(col(Schedule.id))
    if unit_ids is not None:
        statement = statement.where(col(Schedule.unit_id).in_(list(unit_ids)))
    return session.exec(statement).all()


def clients_of_unit(session: Session, *, unit_id: int, client_ids: Sequence[int]) -> set[int]:
    """Which of these clients are the unit's."""
    if not client_ids:
        return set()
    rows = session.exec(
        select(Client.id).where(col(Client.id).in_(list(client_ids)), Client.unit_id == unit_id)
    ).all()
    return {int(row) for row in rows if row is not None}


def live_schedules(session: Session) -> Sequence[Schedule]:
    """The schedules the timer follows: not paused."""
    return session.exec(
        select(Schedule).where(col(Schedule.paused).is_(False)).order_by(col(Schedule.id))
    ).all()


def save(session: Session, schedule: Schedule) -> None:
    session.add(schedule)
    session.flush()


def last_slot(session: Session, *, schedule_id: int) -> dt.datetime | None:
    """The latest slot claimed (sent or skipped) of a schedule."""
    statement = select(sa.func.max(col(ScheduleRun.slot))).where(
        ScheduleRun.schedule_id == schedule_id
    )
    value = session.exec(statement).one()
    if value is None:
        return None
    assert isinstance(value, dt.datetime)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _insert_ignoring_conflict(session: Session) -> Any:
    if is_postgresql(session):
        return postgresql.insert(_run).on_conflict_do_nothing(
            index_elements=["schedule_id", "slot"]
        )
    return sqlite.insert(_run).on_conflict_do_nothing(index_elements=["schedule_id", "slot"])


def claim_run(
    session: Session,
    *,
    schedule_id: int,
    slot: dt.datetime,
    now: dt.datetime,
    status: str,
    expires_at: dt.datetime,
    remind_at: dt.datetime | None = None,
    reason: str | None = None,
) -> int | None:
    """Insert the run of a slot; None if it was claimed before (by any process).

    On PostgreSQL a claim under way in another transaction makes this one wait for it: it
    then finds the slot taken (that one committed) or takes it (that one rolled back or its
    process died).
    """
    statement = (
        _insert_ignoring_conflict(session)
        .values(
            schedule_id=schedule_id,
            slot=slot,
            fired_at=now,
            status=status,
            reason=reason,
            contacts=0,
            remind_at=remind_at,
            expires_at=expires_at,
        )
        .returning(_run.c.id)
    )
    found = session.connection().execute(statement).scalar_one_or_none()
    return None if found is None else int(found)


@dataclass(frozen=True, slots=True)
class Recipient:
    contact_id: int
    client_id: int
    channel: str
    address_hmac: str
    address_sealed: str | None  # None for a web contact
    language: str


def eligible(session: Session, *, schedule: Schedule) -> list[Recipient]:
    """The contacts a schedule's prompt goes to: linked to a client of the audience (in the
    schedule's unit), active (not blocked), and wanting prompts (not stopped, consent not
    withdrawn). A Telegram contact needs its sealed address to be sent the prompt; a web
    contact (a personal check-in link, kept only as a keyed hash) has none: its page shows
    its due check-ins."""
    contact: sa.Table = Contact.__table__  # type: ignore[attr-defined]
    client: sa.Table = Client.__table__  # type: ignore[attr-defined]
    statement = (
        sa.select(
            contact.c.id,
            contact.c.client_id,
            contact.c.channel,
            contact.c.address_hmac,
            contact.c.address_sealed,
            contact.c.language,
        )
        .select_from(contact.join(client, client.c.id == contact.c.client_id))
        .where(
            client.c.unit_id == schedule.unit_id,
            contact.c.active.is_(True),
            contact.c.prompts.is_(True),
            contact.c.address_sealed.is_not(None) | (contact.c.channel == WEB),
        )
        .order_by(contact.c.id)
    )
    if schedule.audience == CHOSEN_CLIENTS:
        statement = statement.where(client.c.id.in_(list(schedule.client_ids or [])))
    else:
        statement = statement.where(client.c.audience == schedule.audience)
    return [Recipient(*row) for row in session.connection().execute(statement)]


Payload = Callable[[str, str], dict[str, Any]]
"""A prompt's outbox payload for (language, the delivery's public id)."""


def plan_run(
    session: Session,
    *,
    schedule: Schedule,
    slot: dt.datetime,
    now: dt.datetime,
    remind_at: dt.datetime | None,
    expires_at: dt.datetime,
    payload: Payload,
) -> int | None:
    """Claim a slot and queue its prompts, in the caller's transaction: the number of
    contacts, or None when the slot was claimed before."""
    assert schedule.id is not None
    run_id = claim_run(
        session,
        schedule_id=schedule.id,
        slot=slot,
        now=now,
        status=SENT,
        remind_at=remind_at,
        expires_at=expires_at,
    )
    if run_id is None:
        return None
    recipients = eligible(session, schedule=schedule)
    queue(
        session,
        run_id=run_id,
        dialog_id=schedule.dialog_id,
        recipients=recipients,
        now=now,
        expires_at=expires_at,
        payload=payload,
    )
    session.connection().execute(
        sa.update(_run).where(_run.c.id == run_id).values(contacts=len(recipients))
    )
    return len(recipients)


def queue(
    session: Session,
    *,
    run_id: int,
    dialog_id: str,
    recipients: Sequence[Recipient],
    now: dt.datetime,
    expires_at: dt.datetime,
    payload: Payload,
) -> None:
    """One delivery per recipient, and for Telegram its prompt in the outbox (its sender
    delivers it within Telegram's limits). Other channels show due prompts themselves."""
    if not recipients:
        return
    deliveries: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    for recipient in recipients:
        public_id = new_public_id()
        deliveries.append(
            {
                "public_id": public_id,
                "run_id": run_id,
                "contact_id": recipient.contact_id,
                "client_id": recipient.client_id,
                "dialog_id": dialog_id,
                "channel": recipient.channel,
                # Shown on a web contact's page at once; a Telegram prompt waits for its sender.
                "status": "queued" if recipient.channel == TELEGRAM else "sent",
                "queued_at": now,
                "expires_at": expires_at,
            }
        )
        if recipient.channel == TELEGRAM:
            messages.append(_outbox_row(recipient, payload(recipient.language, public_id), now))
    connection = session.connection()
    connection.execute(sa.insert(_delivery), deliveries)
    if messages:
        connection.execute(sa.insert(_outbox), messages)


def _outbox_row(recipient: Recipient, payload: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    return {
        "channel": recipient.channel,
        "address_hmac": recipient.address_hmac,
        "address_sealed": recipient.address_sealed,
        "payload": payload,
        "attempts": 0,
        "not_before": now,
        "created_at": now,
    }


@dataclass(frozen=True, slots=True)
class RunCounts:
    run: ScheduleRun
    counts: dict[str, int]


def runs_of(session: Session, *, schedule_id: int, limit: int) -> list[RunCounts]:
    """A schedule's runs, newest first, with their deliveries counted by state."""
    runs = session.exec(
        select(ScheduleRun)
        .where(ScheduleRun.schedule_id == schedule_id)
        .order_by(col(ScheduleRun.slot).desc())
        .limit(limit)
    ).all()
    ids = [run.id for run in runs]
    counts: dict[int, dict[str, int]] = {run_id: {} for run_id in ids if run_id is not None}
    if ids:
        rows = session.connection().execute(
            sa.select(_delivery.c.run_id, _delivery.c.status, sa.func.count())
            .where(_delivery.c.run_id.in_(ids))
            .group_by(_delivery.c.run_id, _delivery.c.status)
        )
        for run_id, status, count in rows:
            counts[int(run_id)][str(status)] = int(count)
    return [RunCounts(run, counts.get(run.id or 0, {})) for run in runs]


def counts_of(session: Session, *, schedule_id: int) -> dict[str, int]:
    """All of a schedule's deliveries counted by state."""
    rows = session.connection().execute(
        sa.select(_delivery.c.status, sa.func.count())
        .select_from(_delivery.join(_run, _run.c.id == _delivery.c.run_id))
        .where(_run.c.schedule_id == schedule_id)
        .group_by(_delivery.c.status)
    )
    return {str(status): int(count) for status, count in rows}
