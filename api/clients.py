"""Clients (pseudonymous) and their GAS goals. Every answer that shows a client's data is
person-linked, so audited, a write's answer included; a change of caseworker (who may see
the client's data) is a change of access, audited too."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlmodel import Session

from api import audit
from api.auth import (
    CASEWORKER,
    COORDINATOR,
    may_read_client,
    own_clients_only,
    require_manager,
    sees_unit,
    visible_units,
)
from api.deps import (
    MAX_ID,
    PERSON_LINKED,
    ClientId,
    ContextDep,
    CurrentStaff,
    GoalId,
    purpose,
)
from api.fields import Alias, Audience, CaseRef, Language, Title
from api.problems import Problem, not_found
from dialogs.scoring import GAS_WEIGHT_MAX, GAS_WEIGHT_MIN
from storage import tables
from storage.repositories import audit as audit_log
from storage.repositories import clients, staff, units
from storage.repositories.staff import Member

router = APIRouter(tags=["clients"])


def _weight_in_range(weight: float) -> float:
    if not GAS_WEIGHT_MIN <= weight <= GAS_WEIGHT_MAX:
        raise ValueError(f"a goal's weight is from {GAS_WEIGHT_MIN:g} to {GAS_WEIGHT_MAX:g}")
    return weight


Weight = Annotated[
    float,
    Field(
        allow_inf_nan=False,
        json_schema_extra={"minimum": GAS_WEIGHT_MIN, "maximum": GAS_WEIGHT_MAX},
    ),
    AfterValidator(_weight_in_range),
]
GasLevel = Literal["-2", "-1", "0", "1", "2"]
Levels = dict[GasLevel, Title]


class ClientOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    unit_id: int
    alias: str
    case_ref: str
    audience: str
    language: str
    caseworker_id: int | None
    created_at: dt.datetime


class ClientIn(BaseModel):
    unit_id: int = Field(ge=1, le=MAX_ID)
    alias: Alias
    case_ref: CaseRef
    audience: Audience
    language: Language = "fi"
    caseworker_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class ClientPatch(BaseModel):
    alias: Alias | None = None
    audience: Audience | None = None
    language: Language | None = None
    caseworker_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class ClientPage(BaseModel):
    items: list[ClientOut]
    next_after: int | None


class GoalOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    client_id: int
    title: str
    weight: float
    position: int
    active: bool
    levels: dict[str, str] | None


class GoalIn(BaseModel):
    title: Title
    weight: Weight = 1.0
    levels: Levels | None = Field(
        default=None, description='what each GAS level means: {"-2": "...", ..., "2": "..."}'
    )


class GoalPatch(BaseModel):
    title: Title | None = None
    weight: Weight | None = None
    levels: Levels | None = None
    active: bool | None = None


def _stored(levels: Levels | None) -> dict[str, str] | None:
    return None if levels is None else {str(level): text for level, text in levels.items()}


def readable_client(session: Session, member: Member, client_id: int) -> tables.Client:
    """The client if the caller may read their data; 404 otherwise, missing or not."""
    client = clients.client_for_update(session, client_id=client_id)
    if client is None or not may_read_client(member, client):
        raise not_found("client")
    return client


def _check_caseworker(session: Session, *, caseworker_id: int, unit_id: int) -> None:
    worker = staff.staff_by_id(session, staff_id=caseworker_id)
    if (
        worker is None
        or worker.role not in (CASEWORKER, COORDINATOR)
        or unit_id not in staff.unit_ids_of(session, staff_id=caseworker_id)
    ):
        raise Problem(409, "caseworker_id: not a caseworker or coordinator of the client's unit")


@router.get("/clients", openapi_extra=PERSON_LINKED)
async def list_clients(
    member: CurrentStaff,
    context: ContextDep,
    why: Annotated[str, purpose("casework")],
    unit_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    after: Annotated[int | None, Query(ge=1, le=MAX_ID, description="keyset cursor")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ClientPage:
    """Clients the caller may see: a caseworker's own, a coordinator's units', or all."""

    def work(session: Session) -> ClientPage:
        found = clients.list_clients(
            session,
            unit_ids=visible_units(member),
            caseworker_id=own_clients_only(member),
            unit_id=unit_id,
            after_id=after,
            limit=limit,
        )
        items = [ClientOut.model_validate(client) for client in found]
        audit.record(
            session,
            member,
            action="client.list",
            target=f"clients?unit_id={unit_id or ''}&after={after or ''}",
            purpose=why,
            client_ids=[item.id for item in items],
            now=context.clock(),
        )
        more = len(items) == limit
        return ClientPage(items=items, next_after=items[-1].id if more and items else None)

    return await context.database.run(work)


def _caseworker_changed(
    session: Session,
    member: Member,
    *,
    client_id: int,
    old: int | None,
    new: int | None,
    now: dt.datetime,
) -> None:
    if old != new:
        audit_log.access_change(
            session,
            by=member.id,
            what="caseworker",
            target=f"client/{client_id} caseworker staff/{old or '-'} to staff/{new or '-'}",
            client_ids=[client_id],
            now=now,
        )


@router.post("/clients", status_code=201, openapi_extra=PERSON_LINKED)
async def create_client(
    body: ClientIn,
    member: CurrentStaff,
    context: ContextDep,
    why: Annotated[str, purpose("casework")],
) -> ClientOut:
    """Coordinators (of the unit) and admins add clients."""

    def work(session: Session) -> ClientOut:
        if units.unit_by_id(session, unit_id=body.unit_id) is None or not sees_unit(
            member, body.unit_id
        ):
            raise Problem(404, "unit_id: no unit with that id, or it is not yours to see")
        require_manager(member, body.unit_id)
        if body.caseworker_id is not None:
            _check_caseworker(session, caseworker_id=body.caseworker_id, unit_id=body.unit_id)
        try:
            client = clients.add_client(
                session,
                unit_id=body.unit_id,
                alias=body.alias,
                case_ref=body.case_ref,
                audience=body.audience,
                language=body.language,
                caseworker_id=body.caseworker_id,
                now=context.clock(),
            )
        except units.DuplicateError as error:
            raise Problem(409, str(error)) from None
        assert client.id is not None
        _caseworker_changed(
            session,
            member,
            client_id=client.id,
            old=None,
            new=body.caseworker_id,
            now=context.clock(),
        )
        audit.record(
            session,
            member,
            action="client.create",
            target=f"client/{client.id}",
            purpose=why,
            client_ids=[client.id],
            now=context.clock(),
        )
        return ClientOut.model_validate(client)

    return await context.database.run(work)


@router.get("/clients/{client_id}", openapi_extra=PERSON_LINKED)
async def read_client(
    client_id: ClientId,
    member: CurrentStaff,
    context: ContextDep,
    why: Annotated[str, purpose("casework")],
) -> ClientOut:
    def work(session: Session) -> ClientOut:
        client = readable_client(session, member, client_id)
        audit.record(
            session,
            member,
            action="client.read",
            target=f"client/{client_id}",
            purpose=why,
            client_ids=[client_id],
            now=context.clock(),
        )
        return ClientOut.model_validate(client)

    return await context.database.run(work)


@router.patch("/clients/{client_id}", openapi_extra=PERSON_LINKED)
async def update_client(
    client_id: ClientId,
    body: ClientPatch,
    member: CurrentStaff,
    context: ContextDep,
    why: Annotated[str, purpose("casework")],
) -> ClientOut:
    """Coordinators (of the unit) and admins change a client, e.g. their caseworker."""

    def work(session: Session) -> ClientOut:
        client = readable_client(session, member, client_id)
        require_manager(member, client.unit_id)
        old_caseworker = client.caseworker_id
        if body.caseworker_id is not None:
            _check_caseworker(session, caseworker_id=body.caseworker_id, unit_id=client.unit_id)
            _caseworker_changed(
                session,
                member,
                client_id=client_id,
                old=old_caseworker,
                new=body.caseworker_id,
                now=context.clock(),
            )
        audit.record(
            session,
            member,
            action="client.update",
            target=f"client/{client_id}",
            purpose=why,
            client_ids=[client_id],
            now=context.clock(),
        )
        clients.update_client(
            session,
            client=client,
            alias=body.alias,
            audience=body.audience,
            language=body.language,
            caseworker_id=body.caseworker_id,
        )
        return ClientOut.model_validate(client)

    return await context.database.run(work)


@router.get("/clients/{client_id}/goals", openapi_extra=PERSON_LINKED)
async def list_goals(
    client_id: ClientId,
    member: CurrentStaff,
    context: ContextDep,
    why: Annotated[str, purpose("casework")],
) -> list[GoalOut]:
    def work(session: Session) -> list[GoalOut]:
        readable_client(session, member, client_id)
        goals = [
            GoalOut.model_validate(goal) for goal in clients.goals_of(session, client_id=client_id)
        ]
        audit.record(
            session,
            member,
            action="goal.list",
            target=f"client/{client_id}/goals",
            purpose=why,
            client_ids=[client_id],
            now=context.clock(),
        )
        return goals

    return await context.database.run(work)


@router.post("/clients/{client_id}/goals", status_code=201, openapi_extra=PERSON_LINKED)
async def create_goal(
    client_id: ClientId,
    body: GoalIn,
    member: CurrentStaff,
    context: ContextDep,
    why: Annotated[str, purpose("casework")],
) -> GoalOut:
    """The client's caseworker, the unit's coordinator or an admin sets goals."""

    def work(session: Session) -> GoalOut:
        readable_client(session, member, client_id)
        goal = clients.add_goal(
            session,
            client_id=client_id,
            title=body.title,
            weight=body.weight,
            levels=_stored(body.levels),
        )
        audit.record(
            session,
            member,
            action="goal.create",
            target=f"client/{client_id}/goals/{goal.id}",
            purpose=why,
            client_ids=[client_id],
            now=context.clock(),
        )
        return GoalOut.model_validate(goal)

    return await context.database.run(work)


@router.patch("/clients/{client_id}/goals/{goal_id}", openapi_extra=PERSON_LINKED)
async def update_goal(
    client_id: ClientId,
    goal_id: GoalId,
    body: GoalPatch,
    member: CurrentStaff,
    context: ContextDep,
    why: Annotated[str, purpose("casework")],
) -> GoalOut:
    def work(session: Session) -> GoalOut:
        readable_client(session, member, client_id)
        goal = clients.goal_by_id(session, goal_id=goal_id)
        if goal is None or goal.client_id != client_id:
            raise not_found("goal")
        if body.title is not None:
            goal.title = body.title
        if body.weight is not None:
            goal.weight = body.weight
        if body.levels is not None:
            goal.levels = _stored(body.levels)
        if body.active is not None:
            goal.active = body.active
        audit.record(
            session,
            member,
            action="goal.update",
            target=f"client/{client_id}/goals/{goal_id}",
            purpose=why,
            client_ids=[client_id],
            now=context.clock(),
        )
        return GoalOut.model_validate(clients.save_goal(session, goal=goal))

    return await context.database.run(work)
