"""The flag inbox: my clients' and units' open flags, crisis first, then the oldest.

Acknowledge, assign, resolve with a note; each change is a flag event. Reading flags is a
person-linked read (audited).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from api import audit
from api.auth import (
    ADMIN,
    CASEWORKER,
    COORDINATOR,
    own_clients_only,
    require_manager,
    visible_units,
)
from api.context import ApiContext
from api.deps import MAX_ID, PERSON_LINKED, ContextDep, CurrentStaff, FlagId, purpose
from api.fields import Note
from api.problems import Problem, not_found
from api.texts import open_text, opened_texts
from storage import tables
from storage.crypto import Purpose
from storage.repositories import flags, staff
from storage.repositories.staff import Member

router = APIRouter(tags=["flags"])
Status = Literal["open", "acknowledged", "resolved"]


class FlagOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    level: str
    rule: str
    status: str
    unit_id: int
    client_id: int | None
    response_id: int
    assignee_id: int | None
    created_at: dt.datetime


class FlagEventOut(BaseModel):
    id: int
    staff_id: int
    action: str
    assignee_id: int | None
    note: str | None
    at: dt.datetime


class TextOut(BaseModel):
    step_id: str
    text: str


class FlagDetail(FlagOut):
    texts: list[TextOut] = Field(description="the flagged response's free texts")
    events: list[FlagEventOut]


class AssignIn(BaseModel):
    staff_id: int = Field(ge=1, le=MAX_ID)


class ResolveIn(BaseModel):
    note: Note


def _visible(session: Session, member: Member, flag_id: int, *, lock: bool = False) -> tables.Flag:
    flag = flags.visible_flag(
        session,
        flag_id=flag_id,
        unit_ids=visible_units(member),
        caseworker_id=own_clients_only(member),
        lock=lock,
    )
    if flag is None:
        raise not_found("flag")
    return flag


@router.get("/flags", openapi_extra=PERSON_LINKED)
async def inbox(
    member: CurrentStaff,
    context: ContextDep,
    why: Annotated[str, purpose("flag inbox")],
    status: Annotated[list[Status] | None, Query(description="default: open, acknowledged")] = None,
    unit_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    client_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[FlagOut]:
    """Flags of my clients and units: crisis before concern, then the oldest first."""
    statuses = status or ["open", "acknowledged"]

    def work(session: Session) -> list[FlagOut]:
        found = flags.inbox(
            session,
            unit_ids=visible_units(member),
            caseworker_id=own_clients_only(member),
            statuses=statuses,
            unit_id=unit_id,
            client_id=client_id,
            limit=limit,
        )
        items = [FlagOut.model_validate(flag) for flag in found]
        audit.record(
            session,
            member,
            action="flag.list",
            target=f"flags?status={','.join(statuses)}&unit_id={unit_id or ''}"
            f"&client_id={client_id or ''}",
            purpose=why,
            client_ids=[item.client_id for item in items],
            now=context.clock(),
        )
        return items

    return await context.database.run(work)


@router.get("/flags/{flag_id}", openapi_extra=PERSON_LINKED)
async def read_flag(
    flag_id: FlagId,
    member: CurrentStaff,
    context: ContextDep,
    why: Annotated[str, purpose("flag follow-up")],
) -> FlagDetail:
    """A flag with the flagged response's free texts (opened) and its history."""

    def work(session: Session) -> FlagDetail:
        flag = _visible(session, member, flag_id)
        texts = [
            TextOut(step_id=step_id, text=text)
            for step_id, text in opened_texts(context, session, response_id=flag.response_id)
        ]
        events = [
            FlagEventOut(
                id=event.id or 0,
                staff_id=event.staff_id,
                action=event.action,
                assignee_id=event.assignee_id,
                note=(
                    None
                    if event.note_sealed is None
                    else open_text(context, event.note_sealed, purpose=Purpose.FLAG_NOTE)
                ),
                at=event.at,
            )
            for event in flags.events_of(session, flag_id=flag_id)
        ]
        audit.record(
            session,
            member,
            action="flag.read",
            target=f"flag/{flag_id}",
            purpose=why,
            client_ids=[flag.client_id],
            now=context.clock(),
        )
        return FlagDetail(**FlagOut.model_validate(flag).model_dump(), texts=texts, events=events)

    return await context.database.run(work)


async def _change(
    context: ApiContext,
    member: Member,
    flag_id: int,
    *,
    action: str,
    status: str,
    assignee_id: int | None = None,
    note: str | None = None,
) -> FlagOut:
    def work(session: Session) -> FlagOut:
        flag = _visible(session, member, flag_id, lock=True)
        if flag.status == "resolved":
            raise Problem(409, "the flag is resolved already")
        new_assignee = flag.assignee_id
        if action == "assign":
            require_manager(member, flag.unit_id)
            assert assignee_id is not None
            worker = staff.staff_by_id(session, staff_id=assignee_id)
            if (
                worker is None
                or worker.role not in (CASEWORKER, COORDINATOR, ADMIN)
                or (
                    worker.role != ADMIN
                    and flag.unit_id not in staff.unit_ids_of(session, staff_id=assignee_id)
                )
            ):
                raise Problem(409, "staff_id: nobody of the flag's unit has that id")
            new_assignee = assignee_id
        sealed = None if note is None else context.keyring.seal(note, purpose=Purpose.FLAG_NOTE)
        flags.change(
            session,
            flag=flag,
            staff_id=member.id,
            action=action,
            status=status if action != "assign" else flag.status,
            assignee_id=new_assignee,
            note_sealed=sealed,
            now=context.clock(),
        )
        return FlagOut.model_validate(flag)

    return await context.database.run(work)


@router.post("/flags/{flag_id}/acknowledge")
async def acknowledge(flag_id: FlagId, member: CurrentStaff, context: ContextDep) -> FlagOut:
    """I have seen it and take it on."""
    return await _change(context, member, flag_id, action="acknowledge", status="acknowledged")


@router.post("/flags/{flag_id}/assign")
async def assign(
    flag_id: FlagId, body: AssignIn, member: CurrentStaff, context: ContextDep
) -> FlagOut:
    """A coordinator (or admin) gives the flag to someone of its unit."""
    return await _change(
        context, member, flag_id, action="assign", status="", assignee_id=body.staff_id
    )


@router.post("/flags/{flag_id}/resolve")
async def resolve(
    flag_id: FlagId, body: ResolveIn, member: CurrentStaff, context: ContextDep
) -> FlagOut:
    """Done, with a note of what was done (stored sealed)."""
    return await _change(
        context, member, flag_id, action="resolve", status="resolved", note=body.note
    )
