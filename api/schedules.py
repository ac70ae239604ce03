"""Scheduled check-ins: coordinators plan them for their units' clients (and one-off
prompts to chosen clients), preview the next send times, pause and resume them, and read
how each run was answered; a worker sees which of their clients have a check-in open.

A schedule may name its clients, so every answer that shows one is audited (P4), and so is
the list of who is due.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, Field, StringConstraints
from sqlmodel import Session

from api import audit
from api.auth import COORDINATOR, manages_unit, own_clients_only, sees_unit, visible_units
from api.context import ApiContext
from api.deps import MAX_ID, PERSON_LINKED, ContextDep, CurrentStaff, purpose
from api.fields import Alias, DialogId
from api.problems import Problem, forbidden, not_found
from bot.schedule_times import ScheduleError
from bot.scheduler import next_send, recurrence_of
from dialogs.loader import load_directory
from storage import tables
from storage.repositories import prompt_deliveries, schedules
from storage.repositories.staff import Member

router = APIRouter(tags=["schedules"])

HHMM = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
# The zones of the Nordic and Baltic services Kerro serves; the schema lists them.
ZoneName = Literal[
    "Europe/Helsinki",
    "Europe/Mariehamn",
    "Europe/Stockholm",
    "Europe/Oslo",
    "Europe/Copenhagen",
    "Europe/Tallinn",
    "UTC",
]
# A five-field crontab (minute hour day month weekday): numbers, ranges, steps, lists, and
# weekday names; the schema says the shape, the scheduler the rest (409 with the reason).
_STEP = r"(/[1-9][0-9]?)?"


def _cron_field(number: str) -> str:
    item = rf"(\*{_STEP}|({number})(-({number}){_STEP})?)"
    return rf"{item}(,{item})*"


_DAY = r"[0-7]|mon|tue|wed|thu|fri|sat|sun"
CRON_PATTERN = (
    "^"
    + " ".join(
        _cron_field(number)
        for number in (
            r"[0-5]?[0-9]",
            r"[01]?[0-9]|2[0-3]",
            r"0?[1-9]|[12][0-9]|3[01]",
            r"0?[1-9]|1[0-2]",
            _DAY,
        )
    )
    + "$"
)
Cron = Annotated[str, StringConstraints(max_length=120, pattern=CRON_PATTERN)]
ScheduleId = Annotated[int, Field(ge=1, le=MAX_ID)]
PREVIEW = 5
ONE_OFF_PAST = dt.timedelta(minutes=10)  # how far back a one-off prompt's time may be


@functools.cache
def shipped_dialogs() -> frozenset[str]:
    """The dialogs a schedule may prompt: the shipped ones, read once."""
    return frozenset(load_directory())


class RecurrenceIn(BaseModel):
    kind: Literal["weekly", "cron", "once"] = Field(
        description="weekly: every N weeks on a weekday at a time; cron: a crontab; once: "
        "a one-off prompt"
    )
    every_weeks: int = Field(default=1, ge=1, le=52)
    weekday: int = Field(default=0, ge=0, le=6, description="0 Monday ... 6 Sunday")
    at: HHMM = Field(default="15:00", description="the wall-clock time, in the time zone")
    cron: Cron | None = Field(default=None, description='five fields, e.g. "0 15 * * 1-5"')
    once_at: AwareDatetime | None = Field(default=None, description="a one-off prompt's time")


class ScheduleIn(BaseModel):
    unit_id: int = Field(ge=1, le=MAX_ID)
    name: Alias
    dialog_id: DialogId
    audience: Literal["youth", "child", "parent", "clients"] = Field(
        description="a unit's youths, children or parents, or the chosen `client_ids`"
    )
    client_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        default_factory=list, max_length=1000
    )
    recurrence: RecurrenceIn
    timezone: ZoneName = "Europe/Helsinki"
    quiet_start: HHMM | None = "21:00"
    quiet_end: HHMM | None = "08:00"
    starts_on: dt.date | None = Field(default=None, description="default: today")
    ends_on: dt.date | None = None
    remind_after_hours: float | None = Field(default=None, gt=0, le=24 * 30)
    expire_after_days: float = Field(default=7.0, gt=0, le=90)


class SchedulePatch(BaseModel):
    name: Alias | None = None
    paused: bool | None = None
    ends_on: dt.date | None = None
    quiet_start: HHMM | None = None
    quiet_end: HHMM | None = None
    remind_after_hours: float | None = Field(default=None, gt=0, le=24 * 30)
    expire_after_days: float | None = Field(default=None, gt=0, le=90)


class ScheduleOut(BaseModel):
    id: int
    unit_id: int
    name: str
    dialog_id: str
    audience: str
    client_ids: list[int]
    recurrence: RecurrenceIn
    timezone: ZoneName
    quiet_start: str | None
    quiet_end: str | None
    starts_on: dt.date
    ends_on: dt.date | None
    remind_after_hours: float | None
    expire_after_days: float
    paused: bool
    next_send_at: dt.datetime | None
    created_at: dt.datetime

    @classmethod
    def of(cls, schedule: tables.Schedule, *, now: dt.datetime) -> ScheduleOut:
        assert schedule.id is not None
        return cls(
            id=schedule.id,
            unit_id=schedule.unit_id,
            name=schedule.name,
            dialog_id=schedule.dialog_id,
            audience=schedule.audience,
            client_ids=list(schedule.client_ids or []),
            recurrence=RecurrenceIn(
                kind=schedule.kind,
                every_weeks=schedule.every_weeks,
                weekday=schedule.weekday,
                at=schedule.at_time,
                cron=schedule.cron,
                once_at=schedule.once_at,
            ),
            timezone=schedule.timezone,
            quiet_start=schedule.quiet_start,
            quiet_end=schedule.quiet_end,
            starts_on=schedule.starts_on,
            ends_on=schedule.ends_on,
            remind_after_hours=schedule.remind_after_hours,
            expire_after_days=schedule.expire_after_days,
            paused=schedule.paused,
            next_send_at=None if schedule.paused else next_send(schedule, now=now),
            created_at=schedule.created_at,
        )


class SendTime(BaseModel):
    slot: dt.datetime = Field(description="the planned time, UTC")
    send_at: dt.datetime = Field(description="when it goes out (after quiet hours), UTC")
    local: str = Field(description="when it goes out, in the schedule's time zone")


class Preview(BaseModel):
    times: list[SendTime]


class Counts(BaseModel):
    counts: dict[str, int] = Field(description="deliveries by state")
    total: int
    started_or_completed: float | None = Field(description="share of all that were opened")
    completed: float | None = Field(description="share of all that were answered")

    @classmethod
    def of(cls, counts: dict[str, int]) -> Counts:
        total = sum(counts.values())
        full = {state: counts.get(state, 0) for state in prompt_deliveries.STATES}
        done = full[prompt_deliveries.COMPLETED]
        opened = done + full[prompt_deliveries.STARTED]
        return cls(
            counts=full,
            total=total,
            started_or_completed=round(opened / total, 3) if total else None,
            completed=round(done / total, 3) if total else None,
        )


class RunOut(BaseModel):
    id: int
    slot: dt.datetime
    fired_at: dt.datetime
    status: str
    reason: str | None
    contacts: int
    deliveries: Counts


class DueOut(BaseModel):
    delivery_id: str = Field(description="opaque")
    client_id: int
    alias: str
    schedule_id: int
    schedule_name: str
    dialog_id: str
    status: str
    expires_at: dt.datetime


def _changed(context: ApiContext) -> None:
    if context.on_schedule_change is not None:
        context.on_schedule_change()


def _managed(session: Session, member: Member, schedule_id: int) -> tables.Schedule:
    """A schedule of a unit the caller sees (else 404) and manages (else 403)."""
    schedule = schedules.schedule_by_id(session, schedule_id=schedule_id)
    if schedule is None or not sees_unit(member, schedule.unit_id):
        raise not_found("schedule")
    if not manages_unit(member, schedule.unit_id):
        raise forbidden("only a coordinator of the unit or an admin may do this")
    return schedule


CANNOT = 409  # input of the right shape that cannot be: it says why (as api.clients does)


def _checked(schedule: tables.Schedule) -> None:
    """A schedule row that the timer can follow, or 409 saying why not."""
    try:
        recurrence_of(schedule)
    except ScheduleError as error:
        raise Problem(CANNOT, str(error)) from None


def _audit(
    session: Session,
    member: Member,
    context: ApiContext,
    *,
    action: str,
    target: str,
    why: str,
    found: list[tables.Schedule],
) -> None:
    audit.record(
        session,
        member,
        action=action,
        target=target,
        purpose=why,
        client_ids=sorted({c for s in found for c in (s.client_ids or [])}),
        now=context.clock(),
    )


@router.post("/schedules", status_code=201, openapi_extra=PERSON_LINKED)
async def create_schedule(
    body: ScheduleIn,
    member: CurrentStaff,
    context: ContextDep,
    why: str = purpose("plan a check-in"),
) -> ScheduleOut:
    """Plan a check-in for a unit's youths, children or parents, or a prompt to chosen
    clients (coordinators of the unit, admins). Slots inside the quiet hours wait until
    they end. A schedule that cannot be (an unknown dialog, another unit's client, an end
    before the start, a one-off time that has passed) is a 409 that says why."""
    if not sees_unit(member, body.unit_id):
        raise not_found("unit")
    if not manages_unit(member, body.unit_id):
        raise forbidden("only a coordinator of the unit or an admin may do this")
    if body.dialog_id not in shipped_dialogs():
        raise Problem(CANNOT, f"dialog_id: unknown dialog {body.dialog_id!r}")
    chosen = sorted(set(body.client_ids))
    if (body.audience == schedules.CHOSEN_CLIENTS) != bool(chosen):
        raise Problem(CANNOT, 'client_ids are given exactly when the audience is "clients"')
    now = context.clock()
    recurrence = body.recurrence
    if recurrence.kind == "once" and (
        recurrence.once_at is None or recurrence.once_at < now - ONE_OFF_PAST
    ):
        raise Problem(CANNOT, "a one-off prompt needs once_at, not in the past")

    def work(session: Session) -> ScheduleOut:
        inside = schedules.clients_of_unit(session, unit_id=body.unit_id, client_ids=chosen)
        outside = set(chosen) - inside
        if outside:
            raise Problem(CANNOT, f"not clients of unit {body.unit_id}: {sorted(outside)}")
        once_at = recurrence.once_at.astimezone(dt.UTC) if recurrence.once_at else None
        schedule = tables.Schedule(
            unit_id=body.unit_id,
            name=body.name,
            dialog_id=body.dialog_id,
            audience=body.audience,
            client_ids=chosen or None,
            kind=recurrence.kind,
            every_weeks=recurrence.every_weeks,
            weekday=recurrence.weekday,
            at_time=recurrence.at,
            cron=recurrence.cron if recurrence.kind == "cron" else None,
            once_at=once_at if recurrence.kind == "once" else None,
            timezone=body.timezone,
            quiet_start=body.quiet_start,
            quiet_end=body.quiet_end,
            starts_on=body.starts_on or now.date(),
            ends_on=body.ends_on,
            remind_after_hours=body.remind_after_hours,
            expire_after_days=body.expire_after_days,
            armed_from=min(now, once_at) if once_at and recurrence.kind == "once" else now,
            created_by=member.id,
            created_at=now,
        )
        _checked(schedule)
        schedules.add_schedule(session, schedule)
        _audit(
            session,
            member,
            context,
            action="schedule.create",
            target=f"schedule/{schedule.id}",
            why=why,
            found=[schedule],
        )
        return ScheduleOut.of(schedule, now=now)

    out = await context.database.run(work)
    _changed(context)
    return out


@router.get("/schedules", openapi_extra=PERSON_LINKED)
async def list_schedules(
    member: CurrentStaff,
    context: ContextDep,
    unit_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    why: str = purpose("review check-in plans"),
) -> list[ScheduleOut]:
    """The schedules of the units the caller coordinates (an admin: every unit)."""
    if member.role not in (COORDINATOR, "admin"):
        raise forbidden("only coordinators and admins plan check-ins")
    units = visible_units(member)
    if unit_id is not None:
        if not sees_unit(member, unit_id):
            raise not_found("unit")
        units = frozenset({unit_id})
    now = context.clock()

    def work(session: Session) -> list[ScheduleOut]:
        found = list(schedules.schedules_of(session, unit_ids=units))
        _audit(
            session,
            member,
            context,
            action="schedule.list",
            target="schedules" if unit_id is None else f"unit/{unit_id}/schedules",
            why=why,
            found=found,
        )
        return [ScheduleOut.of(schedule, now=now) for schedule in found]

    return await context.database.run(work)


@router.get("/schedules/due", openapi_extra=PERSON_LINKED)
async def who_is_due(
    member: CurrentStaff,
    context: ContextDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    why: str = purpose("see whose check-in is open"),
) -> list[DueOut]:
    """The open scheduled check-ins (not answered, not expired) of the caller's clients (a
    caseworker: their own; a coordinator: their units'), soonest to close first."""
    now = context.clock()

    def work(session: Session) -> list[DueOut]:
        found = prompt_deliveries.due_for_staff(
            session,
            now=now,
            unit_ids=visible_units(member),
            caseworker_id=own_clients_only(member),
            limit=limit,
        )
        audit.record(
            session,
            member,
            action="schedule.due",
            target="schedules/due",
            purpose=why,
            client_ids=sorted({due.client_id for due in found}),
            now=now,
        )
        return [
            DueOut(
                delivery_id=due.public_id,
                client_id=due.client_id,
                alias=due.alias,
                schedule_id=due.schedule_id,
                schedule_name=due.schedule_name,
                dialog_id=due.dialog_id,
                status=due.status,
                expires_at=due.expires_at,
            )
            for due in found
        ]

    return await context.database.run(work)


@router.get("/schedules/{schedule_id}", openapi_extra=PERSON_LINKED)
async def read_schedule(
    schedule_id: ScheduleId,
    member: CurrentStaff,
    context: ContextDep,
    why: str = purpose("review a check-in plan"),
) -> ScheduleOut:
    def work(session: Session) -> ScheduleOut:
        schedule = _managed(session, member, schedule_id)
        _audit(
            session,
            member,
            context,
            action="schedule.read",
            target=f"schedule/{schedule_id}",
            why=why,
            found=[schedule],
        )
        return ScheduleOut.of(schedule, now=context.clock())

    return await context.database.run(work)


@router.patch("/schedules/{schedule_id}", openapi_extra=PERSON_LINKED)
async def change_schedule(
    schedule_id: ScheduleId,
    body: SchedulePatch,
    member: CurrentStaff,
    context: ContextDep,
    why: str = purpose("change a check-in plan"),
) -> ScheduleOut:
    """Rename, pause or resume (slots missed while paused are not sent), end, or change the
    quiet hours, reminder or expiry."""
    now = context.clock()

    def work(session: Session) -> ScheduleOut:
        schedule = _managed(session, member, schedule_id)
        given = body.model_fields_set
        if body.paused is not None:
            if schedule.paused and not body.paused:
                schedule.armed_from = now
            schedule.paused = body.paused
        for name in ("name", "ends_on", "quiet_start", "quiet_end", "remind_after_hours"):
            if name in given:
                setattr(schedule, name, getattr(body, name))
        if body.expire_after_days is not None:
            schedule.expire_after_days = body.expire_after_days
        if bool(schedule.quiet_start) != bool(schedule.quiet_end):
            raise Problem(CANNOT, "quiet hours need both their start and their end")
        _checked(schedule)
        schedules.save(session, schedule)
        _audit(
            session,
            member,
            context,
            action="schedule.change",
            target=f"schedule/{schedule_id}",
            why=why,
            found=[schedule],
        )
        return ScheduleOut.of(schedule, now=now)

    out = await context.database.run(work)
    _changed(context)
    return out


@router.get("/schedules/{schedule_id}/preview")
async def preview(schedule_id: ScheduleId, member: CurrentStaff, context: ContextDep) -> Preview:
    """The next five send times (after the quiet hours), in UTC and in the schedule's zone."""
    now = context.clock()

    def work(session: Session) -> Preview:
        schedule = _managed(session, member, schedule_id)
        recurrence = recurrence_of(schedule)
        times = recurrence.upcoming(max(now, schedule.armed_from), PREVIEW)
        return Preview(
            times=[
                SendTime(slot=slot, send_at=send, local=send.astimezone(recurrence.tz).isoformat())
                for slot, send in times
            ]
        )

    return await context.database.run(work)


@router.get("/schedules/{schedule_id}/runs")
async def list_runs(
    schedule_id: ScheduleId,
    member: CurrentStaff,
    context: ContextDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[RunOut]:
    """The schedule's runs, newest first: sent or skipped (and why), and how their prompts
    were answered (deliveries by state)."""

    def work(session: Session) -> list[RunOut]:
        _managed(session, member, schedule_id)
        return [
            RunOut(
                id=item.run.id or 0,
                slot=item.run.slot,
                fired_at=item.run.fired_at,
                status=item.run.status,
                reason=item.run.reason,
                contacts=item.run.contacts,
                deliveries=Counts.of(item.counts),
            )
            for item in schedules.runs_of(session, schedule_id=schedule_id, limit=limit)
        ]

    return await context.database.run(work)


@router.get("/schedules/{schedule_id}/responses")
async def response_rate(
    schedule_id: ScheduleId, member: CurrentStaff, context: ContextDep
) -> Counts:
    """How the schedule's prompts were answered, over all its runs (deliveries by state)."""

    def work(session: Session) -> Counts:
        _managed(session, member, schedule_id)
        return Counts.of(schedules.counts_of(session, schedule_id=schedule_id))

    return await context.database.run(work)
