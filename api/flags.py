"""The flag inbox: my clients' and units' open flags, crisis first, then the oldest.

Acknowledge, assign, resolve with a note; each change is a flag event. Reading flags, and
the answer of each change, is a person-linked read (audited); an assignment is a change of
access (audited too).

Ids are opaque. An anonymous flag shows only its date, no response and no time, and is
ordered by its date only (P1): nothing in it tells when it was raised against an identified
one. A flag kept after the client erased their data shows `erased` and no text.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlmodel import Session

from api import audit
from api.auth import (
    ADMIN,
    CASEWORKER,
    COORDINATOR,
    own_clients_only,
    require_manager,
    run_as,
    visible_units,
)
from api.context import ApiContext
from api.deps import MAX_ID, PERSON_LINKED, ContextDep, CurrentStaff, FlagId, Unchecked, purpose
from api.fields import Note
from api.problems import Problem, not_found
from api.texts import open_text, opened_texts
from storage import tables
from storage.crypto import Purpose
from storage.repositories import audit as audit_log
from storage.repositories import flags, responses, staff
from storage.repositories.staff import Member

router = APIRouter(tags=["flags"])
ERASED_NOTE = "erased at the client's request"
Status = Literal["open", "acknowledged", "resolved"]


class FlagOut(BaseModel):
    id: str = Field(description="opaque")
    level: str
    rule: str
    status: str
    unit_id: int
    client_id: int | None
    response_id: str | None = Field(
        description="the flagged response (opaque); none for an anonymous or erased flag"
    )
    assignee_id: int | None
    anonymous: bool = Field(description="no client: only the date is shown")
    erased: bool = Field(description="the client erased their data; the flag stays, no text")
    created_on: dt.date
    created_at: dt.datetime | None = Field(description="none for an anonymous flag")
    reason: str | None = Field(
        default=None,
        description="why it was raised: the risk screen's lexicon entries (`model`: its "
        "model), or the course of the wellbeing index (`falling 3.5 3 2.5 2`, `drop 4 2.5`)",
    )
    words: list[str] | None = Field(
        default=None,
        description="the client's own words that decided a risk-screen flag (normalised: "
        "lower case); identified flags only, never on an anonymous or erased one",
    )

    @classmethod
    def of(
        cls, flag: tables.Flag, response_public_id: str | None, words: list[str] | None = None
    ) -> FlagOut:
        anonymous = flag.client_id is None
        return cls(
            id=flag.public_id,
            level=flag.level,
            rule=flag.rule,
            status=flag.status,
            unit_id=flag.unit_id,
            client_id=flag.client_id,
            response_id=None if anonymous else response_public_id,
            assignee_id=flag.assignee_id,
            anonymous=anonymous,
            erased=flag.response_id is None,
            created_on=flag.created_at.date(),
            created_at=None if anonymous else flag.created_at,
            reason=flag.reason,
            words=None if anonymous else words,
        )


def _words(context: ApiContext, flag: tables.Flag) -> list[str] | None:
    """The decisive words of an identified flag, opened (the caller audits the read). An
    anonymous flag never has them: they would be its writer's own words beside it."""
    if flag.client_id is None or flag.words_sealed is None:
        return None
    return open_text(context, flag.words_sealed, purpose=Purpose.FLAG_WORDS).split()


def _outs(context: ApiContext, session: Session, found: list[tables.Flag]) -> list[FlagOut]:
    public = responses.public_ids(
        session, response_ids=[f.response_id for f in found if f.response_id is not None]
    )
    return [
        FlagOut.of(
            flag,
            None if flag.response_id is None else public.get(flag.response_id),
            _words(context, flag),
        )
        for flag in found
    ]


class FlagEventOut(BaseModel):
    id: int
    staff_id: int | None = Field(description="none: the client (an erasure)")
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


def _visible(session: Session, member: Member, flag_id: str, *, lock: bool = False) -> tables.Flag:
    flag = flags.visible_flag(
        session,
        public_id=flag_id,
        unit_ids=visible_units(member),
        caseworker_id=own_clients_only(member),
        lock=lock,
    )
    if flag is None:
        raise not_found("flag")
    return flag


@router.get("/flags", openapi_extra=PERSON_LINKED)
async def inbox(
    caller: Unchecked,
    context: ContextDep,
    why: Annotated[str, purpose("flag inbox")],
    status: Annotated[list[Status] | None, Query(description="default: open, acknowledged")] = None,
    unit_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    client_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[FlagOut]:
    """Flags of my clients and units: crisis before concern, then the oldest first."""
    statuses = status or ["open", "acknowledged"]

    def work(session: Session, member: Member) -> list[FlagOut]:
        found = flags.inbox(
            session,
            unit_ids=visible_units(member),
            caseworker_id=own_clients_only(member),
            statuses=statuses,
            unit_id=unit_id,
            client_id=client_id,
            limit=limit,
        )
        items = _outs(context, session, list(found))
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

    return await run_as(context, caller, work)


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
        assert flag.id is not None
        texts = (
            []
            if flag.response_id is None
            else [
                TextOut(step_id=step_id, text=text)
                for step_id, text in opened_texts(context, session, response_id=flag.response_id)
            ]
        )
        events = [
            FlagEventOut(
                id=event.id or 0,
                staff_id=event.staff_id,
                action=event.action,
                assignee_id=event.assignee_id,
                note=(
                    ERASED_NOTE
                    if event.action == flags.ERASE
                    else None
                    if event.note_sealed is None
                    else open_text(context, event.note_sealed, purpose=Purpose.FLAG_NOTE)
                ),
                at=event.at,
            )
            for event in flags.events_of(session, flag_id=flag.id)
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
        [out] = _outs(context, session, [flag])
        return FlagDetail(**out.model_dump(), texts=texts, events=events)

    return await context.database.run(work)


async def _change(
    context: ApiContext,
    member: Member,
    flag_id: str,
    *,
    action: str,
    status: str,
    why: str,
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
        if action == "assign":  # the assignee may now see the flag: a change of access
            audit_log.access_change(
                session,
                by=member.id,
                what="flag.assign",
                target=f"flag/{flag_id} to staff/{new_assignee}",
                client_ids=[flag.client_id] if flag.client_id is not None else [],
                now=context.clock(),
            )
        [out] = _outs(context, session, [flag])
        audit.record(  # the answer shows the flag: a read through a write
            session,
            member,
            action=f"flag.{action}",
            target=f"flag/{flag_id}",
            purpose=why,
            client_ids=[flag.client_id],
            now=context.clock(),
        )
        return out

    return await context.database.run(work)


@router.post("/flags/{flag_id}/acknowledge", openapi_extra=PERSON_LINKED)
async def acknowledge(
    flag_id: FlagId,
    member: CurrentStaff,
    context: ContextDep,
    why: Annotated[str, purpose("flag follow-up")],
) -> FlagOut:
    """I have seen it and take it on."""
    return await _change(
        context, member, flag_id, action="acknowledge", status="acknowledged", why=why
    )


@router.post("/flags/{flag_id}/assign", openapi_extra=PERSON_LINKED)
async def assign(
    flag_id: FlagId,
    body: AssignIn,
    member: CurrentStaff,
    context: ContextDep,
    why: Annotated[str, purpose("flag follow-up")],
) -> FlagOut:
    """A coordinator (or admin) gives the flag to someone of its unit."""
    return await _change(
        context, member, flag_id, action="assign", status="", assignee_id=body.staff_id, why=why
    )


@router.post("/flags/{flag_id}/resolve", openapi_extra=PERSON_LINKED)
async def resolve(
    flag_id: FlagId,
    body: ResolveIn,
    member: CurrentStaff,
    context: ContextDep,
    why: Annotated[str, purpose("flag follow-up")],
) -> FlagOut:
    """Done, with a note of what was done (stored sealed)."""
    return await _change(
        context, member, flag_id, action="resolve", status="resolved", note=body.note, why=why
    )
